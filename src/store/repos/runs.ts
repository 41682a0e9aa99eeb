import { sql, type Kysely } from 'kysely'
import { NotFoundError } from '../../domain/errors.js'
import { healRecords } from './heal.js'
import type { JobQueue } from '../../queue/job-queue.js'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { RawStep } from '../../domain/workflow.js'
import type { Database, RunRow, StepResultRow } from '../schema.js'
import { ACTIVE_RUN_STATUSES, apiStepStatus, NOT_STARTED_STEP_STATUSES, type ApiStepStatus, type RunOutcome, type RunStatus } from '../../domain/statuses.js'
import { getWorkflowVersion } from './workflows.js'

export { ACTIVE_RUN_STATUSES, RUN_OUTCOMES, type RunOutcome, type RunStatus, type StepStatus } from '../../domain/statuses.js'

/** Events that end a run because the customer took an offer (or its terms were applied). */
const OFFER_EVENTS = ['offer.accepted', 'installment_plan.restructured', 'payment.extended']

/**
 * The outcome of a run ending with `status` for `reason`: an exit on a payment is money recovered,
 * an exit on an accepted offer is an offer accepted, staff or a subscription's end cancel, and the
 * rest (steps exhausted, a failure, an exit on any other event) did not bring the money in.
 */
export function runOutcome(status: string, reason: string | null): RunOutcome {
  if (status === 'canceled') return 'canceled'
  if (status === 'exited' && reason?.startsWith('goal met: payment.succeeded')) return 'recovered'
  if (status === 'exited' && OFFER_EVENTS.some((t) => reason?.startsWith(`goal met: ${t}`))) return 'offer_accepted'
  return 'not_recovered'
}

export interface StepResult {
  id: string
  type: string
  status: ApiStepStatus
  attempts: number
  started_at: string | null
  finished_at: string | null
  output: Record<string, unknown> | null
  error: string | null
}

/** Maps a stored step result to the API shape. */
export function toStepResult(r: StepResultRow): StepResult {
  return {
    id: r.step_id,
    type: r.type,
    status: apiStepStatus(r.status),
    attempts: r.attempts,
    started_at: r.started_at,
    finished_at: r.finished_at,
    output: r.output ? (JSON.parse(r.output) as Record<string, unknown>) : null,
    error: r.error,
  }
}

/** Reads a run row or throws NotFoundError. */
export async function getRunRow(db: Kysely<Database>, id: string): Promise<RunRow> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new NotFoundError('Run', id)
  return row
}

/** Step results recorded for a run. */
export async function stepResults(db: Kysely<Database>, runId: string): Promise<StepResultRow[]> {
  return db.selectFrom('step_results').selectAll().where('run_id', '=', runId).execute()
}

/** Runs created by an event (for duplicate answers). */
export async function runsOfEvent(db: Kysely<Database>, eventId: string): Promise<{ id: string; workflow_id: string }[]> {
  return db.selectFrom('runs').select(['id', 'workflow_id']).where('event_id', '=', eventId).orderBy('id').execute()
}

/**
 * Ends an active run (exited / canceled) and removes its job. Returns false when the run had
 * already finished, so callers can tell a no-op from a change. The outcome is the one given, else
 * the one its status and reason imply; `by` names who ended it by hand.
 */
export async function finishRun(
  db: Kysely<Database>,
  jobs: JobQueue,
  id: string,
  status: RunStatus,
  reason: string | null,
  options: { outcome?: RunOutcome; by?: string } = {},
): Promise<boolean> {
  const now = new Date().toISOString()
  const outcome = options.outcome ?? runOutcome(status, reason)
  const res = await db
    .updateTable('runs')
    .set((eb) => ({
      status, outcome, ended_by: options.by ?? null, error: reason, updated_at: now, finished_at: now, wait_until: null, wait_reason: null, seq: eb('seq', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', 'in', [...ACTIVE_RUN_STATUSES])
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) return false
  await jobs.cancel(db, id)
  await settleSteps(db, id, now, outcome)
  if (outcome === 'recovered' || outcome === 'offer_accepted') {
    const run = await db.selectFrom('runs').select(['id', 'customer_id', 'workflow_id', 'workflow_version']).where('id', '=', id).executeTakeFirstOrThrow()
    await healRecords(db, run)
    if (outcome === 'offer_accepted' && (await queueAcceptedAlerts(db, run, now))) await jobs.schedule(db, id, Date.parse(now))
  }
  return true
}

/**
 * Closes the steps of a run that just ended: pending ones are not going to run, and a step caught
 * waiting (a wait, an open offer, retries in progress) stops, so nothing reads "waiting" after the
 * end. An open offer the customer accepted counts as done.
 */
export async function settleSteps(db: Kysely<Database>, runId: string, now: string, outcome: RunOutcome): Promise<void> {
  await db.updateTable('step_results').set({ status: 'skipped', finished_at: now }).where('run_id', '=', runId).where('status', 'in', [...NOT_STARTED_STEP_STATUSES]).execute()
  if (outcome === 'offer_accepted') {
    await db.updateTable('step_results').set({ status: 'completed', finished_at: now }).where('run_id', '=', runId).where('status', '=', 'waiting').where('type', '=', 'offer').execute()
  }
  await db.updateTable('step_results').set({ status: 'skipped', finished_at: now }).where('run_id', '=', runId).where('status', '=', 'waiting').execute()
}

/** The step id under which a run keeps the team alert of an accepted offer (`<offer step>--accepted-alert`). */
export const ACCEPTED_ALERT_SUFFIX = '--accepted-alert'

/**
 * Queues the team alerts the run's accepted offer asks for (`alert_on_accept`), as queued
 * notify_team results the engine sends once the run has ended. Returns whether any was queued.
 */
async function queueAcceptedAlerts(db: Kysely<Database>, run: Pick<RunRow, 'id' | 'workflow_id' | 'workflow_version'>, now: string): Promise<boolean> {
  const settled = await db.selectFrom('step_results').select(['step_id', 'output']).where('run_id', '=', run.id).where('type', '=', 'offer').where('status', '=', 'completed').execute()
  // The offer the customer took; one declined or expired earlier is not it.
  const accepted = settled.filter((r) => !['declined', 'expired'].includes((r.output ? (JSON.parse(r.output) as { status?: string }) : {}).status ?? ''))
  if (accepted.length === 0) return false
  const def = await getWorkflowVersion(db, run.workflow_id, run.workflow_version)
  const offers = new Map(flatSteps(def.steps).filter((s) => s.type === 'offer' && s.alert_on_accept).map((s) => [s.id, s.alert_on_accept]))
  const rows = accepted.filter((a) => offers.has(a.step_id)).map((a) => ({
    run_id: run.id, step_id: `${a.step_id}${ACCEPTED_ALERT_SUFFIX}`, type: 'notify_team', status: 'queued' as const, attempts: 0,
    started_at: now, finished_at: null, output: JSON.stringify(offers.get(a.step_id)), error: null,
  }))
  if (rows.length === 0) return false
  await db.insertInto('step_results').values(rows).onConflict((oc) => oc.columns(['run_id', 'step_id']).doNothing()).execute()
  return true
}

/** Every step of a definition, branch arms included. */
function flatSteps(steps: readonly RawStep[]): RawStep[] {
  return steps.flatMap((s) => [s, ...flatSteps([...((s.then as RawStep[] | undefined) ?? []), ...((s.else as RawStep[] | undefined) ?? [])])])
}

export interface RunFilter extends PageRequest {
  readonly workflowId?: string
  readonly customerId?: string
  readonly status?: RunStatus
  readonly outcome?: RunOutcome
  readonly eventId?: string
  readonly createdFrom?: string
  readonly createdTo?: string
}

/** Lists run rows, newest first. */
export async function listRunRows(db: Kysely<Database>, f: RunFilter): Promise<Page<RunRow>> {
  let q = db.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(f.limit + 1)
  if (f.after) q = q.where('id', '<', f.after)
  if (f.workflowId) q = q.where('workflow_id', '=', f.workflowId)
  if (f.customerId) q = q.where('customer_id', '=', f.customerId)
  if (f.status) q = q.where('status', '=', f.status)
  if (f.outcome) q = q.where('outcome', '=', f.outcome)
  if (f.eventId) q = q.where('event_id', '=', f.eventId)
  if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom)
  if (f.createdTo) q = q.where('created_at', '<', f.createdTo)
  return toPage(await q.execute(), f, (r) => r.id, (r) => r)
}

/** The names behind a page of runs' ids (customers, workflows, products), for people to read. */
export interface RunNames {
  readonly customers: ReadonlyMap<string, { name: string | null; email: string | null }>
  readonly workflows: ReadonlyMap<string, string>
  readonly products: ReadonlyMap<string, string>
}

/** Looks up the names of the customers, workflows and products the runs name (three queries). */
export async function runNames(db: Kysely<Database>, runs: readonly RunRow[]): Promise<RunNames> {
  const customerIds = [...new Set(runs.map((r) => r.customer_id))]
  const workflowIds = [...new Set(runs.map((r) => r.workflow_id))]
  const productIds = [...new Set(runs.flatMap((r) => JSON.parse(r.product_ids) as string[]))]
  const [customers, workflows, products] = await Promise.all([
    customerIds.length ? db.selectFrom('customers').select(['id', 'name', 'email']).where('id', 'in', customerIds).execute() : [],
    workflowIds.length ? db.selectFrom('workflows').select(['id', 'name']).where('id', 'in', workflowIds).execute() : [],
    productIds.length ? db.selectFrom('products').select(['id', 'name']).where('id', 'in', productIds).execute() : [],
  ])
  return {
    customers: new Map(customers.map((c) => [c.id, { name: c.name, email: c.email }])),
    workflows: new Map(workflows.map((w) => [w.id, w.name])),
    products: new Map(products.map((p) => [p.id, p.name])),
  }
}

/** Run counts by status (for metrics). */
export async function countRunsByStatus(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('runs')
    .select(['status', sql<number>`count(*)`.as('n')])
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

/** Reads a run row, or undefined when there is none. */
export async function findRunRow(db: Kysely<Database>, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
}
