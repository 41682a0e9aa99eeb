import { sql, type Kysely } from 'kysely'
import { NotFoundError } from '../domain/errors.js'
import type { JobQueue } from './job-queue.js'
import { toPage, type Page, type PageRequest } from './page.js'
import type { Database, RunRow, StepResultRow } from './schema.js'

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'canceled' | 'exited'
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['running', 'waiting']
export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped'

export interface StepResult {
  id: string
  type: string
  status: StepStatus
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
    status: r.status as StepStatus,
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
 * already finished, so callers can tell a no-op from a change.
 */
export async function finishRun(
  db: Kysely<Database>,
  jobs: JobQueue,
  id: string,
  status: RunStatus,
  reason: string | null,
): Promise<boolean> {
  const now = new Date().toISOString()
  const res = await db
    .updateTable('runs')
    .set((eb) => ({ status, error: reason, updated_at: now, finished_at: now, wait_until: null, wait_reason: null, seq: eb('seq', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', [...ACTIVE_RUN_STATUSES])
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) return false
  await jobs.cancel(db, id)
  // A step caught mid-flight stays visible as what it was; pending ones are not going to run.
  await db.updateTable('step_results').set({ status: 'skipped', finished_at: now }).where('run_id', '=', id).where('status', '=', 'pending').execute()
  return true
}

export interface RunFilter extends PageRequest {
  readonly workflowId?: string
  readonly customerId?: string
  readonly status?: string
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
  if (f.eventId) q = q.where('event_id', '=', f.eventId)
  if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom)
  if (f.createdTo) q = q.where('created_at', '<', f.createdTo)
  return toPage(await q.execute(), f, (r) => r.id, (r) => r)
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
