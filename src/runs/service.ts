import type { Kysely } from 'kysely'
import { ConflictError } from '../domain/errors.js'
import type { TransactionBatcher } from '../store/batcher.js'
import type { JobQueue } from '../queue/job-queue.js'
import type { Page } from '../store/page.js'
import {
  finishRun, getRunRow, listRunRows, runNames, stepResults, toStepResult, type RunFilter, type RunNames, type StepResult,
} from '../store/repos/runs.js'
import { healRecords } from '../store/repos/heal.js'
import { addRunNote, exitFailedRunAsRecovered, reopenFailedRun, runRowIn, setRunEndedBy, skipRunStep } from '../store/repos/run-changes.js'
import type { Database, RunRow } from '../store/schema.js'
import { getWorkflow, getWorkflowVersion } from '../store/repos/workflows.js'
import { compileProgram } from './program.js'
import type { EventPublisher } from '../outbound/publisher.js'
import type { PaymentSnapshot } from './attempt-now.js'

export interface RunView {
  id: string
  workflow_id: string
  workflow_version: number
  /** The workflow's current name (what people call it). */
  workflow_name: string | null
  event_id: string
  customer_id: string
  customer_name: string | null
  customer_email: string | null
  product_ids: string[]
  product_names: string[]
  /** What is at stake, in minor units: the failed payment, or a canceled plan's balance. */
  amount: number | null
  currency: string | null
  /** How the run ended for the money: recovered | offer_accepted | not_recovered | canceled; null while it runs. */
  outcome: string | null
  status: string
  /** Who ended the run by hand (canceled it, marked it paid). */
  ended_by: string | null
  waiting_until: string | null
  waiting_reason: string | null
  error: string | null
  /** The step a running, waiting or failed run is on (what skip-step skips); null otherwise. */
  current_step: string | null
  steps: StepResult[]
  created_at: string
  updated_at: string
  finished_at: string | null
}

function summary(r: RunRow, names: RunNames): Omit<RunView, 'steps' | 'current_step'> {
  const productIds = JSON.parse(r.product_ids) as string[]
  const customer = names.customers.get(r.customer_id)
  const context = readContext(r)
  const due = context.payment ? { amount: context.payment.amount, currency: context.payment.currency }
    : context.installment_plan ? { amount: context.installment_plan.balance_due, currency: context.installment_plan.currency } : undefined
  return {
    id: r.id,
    workflow_id: r.workflow_id,
    workflow_version: r.workflow_version,
    workflow_name: names.workflows.get(r.workflow_id) ?? null,
    event_id: r.event_id,
    customer_id: r.customer_id,
    customer_name: customer?.name ?? null,
    customer_email: customer?.email ?? null,
    product_ids: productIds,
    product_names: productIds.map((p) => names.products.get(p) ?? p),
    amount: due?.amount ?? null,
    currency: due?.currency ?? null,
    outcome: r.outcome,
    status: r.status,
    ended_by: r.ended_by,
    waiting_until: r.wait_until,
    waiting_reason: r.wait_reason,
    error: r.error,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
  }
}

/** A run's event snapshot; a run whose snapshot cannot be read (it failed for that) shows no amount. */
function readContext(r: RunRow): { payment?: PaymentSnapshot; installment_plan?: PlanSnapshot } {
  try {
    return JSON.parse(r.context) as { payment?: PaymentSnapshot; installment_plan?: PlanSnapshot }
  } catch {
    return {}
  }
}

/** Records an event in the caller's transaction, as ingest does (records, exits, new runs). */
export type RecordEvent = (trx: Kysely<Database>, event: Record<string, unknown>) => Promise<unknown>

/** Who acts on a run, and why. */
export interface StaffAction {
  /** Who did it: the API key's name, or a person's name with it. */
  readonly by: string
  readonly note?: string
}

/** Reads runs for people; cancels, retries, skips steps and marks runs paid for them. */
export class RunsService {
  readonly #db: Kysely<Database>
  readonly #batcher: TransactionBatcher
  readonly #jobs: JobQueue
  readonly #now: () => number
  readonly #onChange: () => void
  readonly #publisher: EventPublisher

  constructor(options: { db: Kysely<Database>; batcher: TransactionBatcher; publisher: EventPublisher; jobs: JobQueue; now: () => number; onChange: () => void }) {
    this.#jobs = options.jobs
    this.#publisher = options.publisher
    this.#db = options.db
    this.#batcher = options.batcher
    this.#now = options.now
    this.#onChange = options.onChange
  }

  /** A run with every step of its pinned version, in order; steps not reached yet are `pending`. */
  async get(id: string): Promise<RunView> {
    const run = await getRunRow(this.#db, id)
    const def = await getWorkflowVersion(this.#db, run.workflow_id, run.workflow_version)
    const results = new Map((await stepResults(this.#db, id)).map((r) => [r.step_id, toStepResult(r)]))
    const program = compileProgram(def.steps)
    const onStep = ['running', 'waiting', 'failed'].includes(run.status) && run.cursor !== null ? (program.nodes[run.cursor]?.step.id ?? null) : null
    const steps = program.nodes.map(
      (n) =>
        results.get(n.step.id) ?? {
          id: n.step.id, type: n.step.type, status: 'pending' as const, attempts: 0,
          started_at: null, finished_at: null, output: null, error: null,
        },
    )
    return { ...summary(run, await runNames(this.#db, [run])), current_step: onStep, steps }
  }

  /** Lists runs, newest first (steps omitted; GET one run for them). */
  async list(filter: RunFilter): Promise<Page<Omit<RunView, 'steps' | 'current_step'>>> {
    const page = await listRunRows(this.#db, filter)
    const names = await runNames(this.#db, page.data)
    return { data: page.data.map((r) => summary(r, names)), next_cursor: page.next_cursor }
  }

  /** Cancels an active run, saying who and why. 409 when it already ended. */
  async cancel(id: string, action: Partial<StaffAction> = {}): Promise<RunView> {
    const run = await getRunRow(this.#db, id)
    const reason = action.by ? `canceled by ${action.by}${action.note ? `: ${action.note}` : ''}` : `canceled by request${action.note ? `: ${action.note}` : ''}`
    const ok = await this.#batcher.run(async (trx) => {
      if (!(await finishRun(trx, this.#jobs, id, 'canceled', reason, { by: action.by }))) return false
      await this.#publisher.runEnded(trx, run, 'canceled', reason)
      return true
    })
    if (!ok) throw new ConflictError(`Run ${id} is ${run.status}; only running or waiting runs can be canceled`)
    return this.get(id)
  }

  /**
   * Resumes a failed run from its failed step, with a fresh set of attempts. With `latest`, the run
   * first moves to the workflow's newest version and resumes at the step of the same id there (a
   * fixed Slack URL, a corrected template). 409 unless failed, or when that version has no such step.
   */
  async retry(id: string, options: { latest?: boolean } = {}): Promise<RunView> {
    const before = await getRunRow(this.#db, id)
    const move = options.latest && before.status === 'failed' ? await this.#latestPosition(before) : undefined
    const ok = await this.#batcher.run(async (trx) => {
      const now = this.#now()
      if (!(await reopenFailedRun(trx, { id, seq: before.seq, at: new Date(now).toISOString(), move }))) return false
      await this.#jobs.schedule(trx, id, now)
      return true
    })
    if (!ok) {
      const run = await getRunRow(this.#db, id)
      throw new ConflictError(`Run ${id} is ${run.status}; only failed runs can be retried`)
    }
    this.#onChange()
    return this.get(id)
  }

  /** Where a failed run resumes on its workflow's newest version: the step with the same id. */
  async #latestPosition(run: RunRow): Promise<{ version: number; cursor: number; exitOn: string } | undefined> {
    const latest = await getWorkflow(this.#db, run.workflow_id)
    if (latest.version === run.workflow_version || run.cursor === null) return undefined
    const pinned = compileProgram((await getWorkflowVersion(this.#db, run.workflow_id, run.workflow_version)).steps)
    const stepId = pinned.nodes[run.cursor]?.step.id
    const node = compileProgram(latest.steps).nodes.find((n) => n.step.id === stepId)
    if (!stepId || !node) {
      throw new ConflictError(`Version ${latest.version} of the workflow has no step "${stepId ?? '?'}"; retry on version ${run.workflow_version}, or cancel the run`)
    }
    return { version: latest.version, cursor: node.index, exitOn: JSON.stringify(latest.exit_on) }
  }

  /**
   * Skips the step a failed or waiting run is on: the step is recorded as skipped (by whom, why) and
   * the run goes on with the next one. `stepId`, when given, must be that step. 409 otherwise.
   */
  async skipStep(id: string, action: StaffAction & { stepId?: string }): Promise<RunView> {
    const run = await getRunRow(this.#db, id)
    if (run.status !== 'failed' && run.status !== 'waiting') {
      throw new ConflictError(`Run ${id} is ${run.status}; only a failed step or a waiting one can be skipped`)
    }
    const program = compileProgram((await getWorkflowVersion(this.#db, run.workflow_id, run.workflow_version)).steps)
    const node = run.cursor === null ? undefined : program.nodes[run.cursor]
    if (!node) throw new ConflictError(`Run ${id} is on no step`)
    if (action.stepId && action.stepId !== node.step.id) {
      throw new ConflictError(`Run ${id} is on step "${node.step.id}", not "${action.stepId}"; only the step a run is on can be skipped`)
    }
    const ok = await this.#batcher.run(async (trx) => {
      const now = this.#now()
      const at = new Date(now).toISOString()
      const skipped = { skipped_by: action.by, skipped_at: at, ...(action.note ? { skip_note: action.note } : {}) }
      const moved = await skipRunStep(trx, {
        id, seq: run.seq, cursor: node.next, at, step: { id: node.step.id, type: node.step.type },
        output: (prior) => JSON.stringify({ ...(prior?.output ? (JSON.parse(prior.output) as Record<string, unknown>) : {}), ...skipped }),
      })
      if (!moved) return false
      await addRunNote(trx, { id: `note:${id}:skip:${node.step.id}:${now}`, customerId: run.customer_id, runId: id, body: `Step "${node.step.id}" skipped by ${action.by}${action.note ? `: ${action.note}` : ''}`, at })
      await this.#jobs.schedule(trx, id, now)
      return true
    })
    if (!ok) throw new ConflictError(`Run ${id} changed while the step was being skipped; look at it again`)
    this.#onChange()
    return this.get(id)
  }

  /**
   * Records that the run's payment came in outside Recoup (a bank transfer, a payment taken by
   * phone): a `payment.succeeded` for the run's payment through ingest (so records and exits follow
   * as for any payment), with who and why in its metadata, and the run ends as recovered, whatever
   * its exit_on. Works on running, waiting and failed runs; 409 on a run that ended otherwise.
   */
  async markPaid(id: string, action: StaffAction & { amount?: number }, record: RecordEvent): Promise<RunView> {
    const run = await getRunRow(this.#db, id)
    if (!['running', 'waiting', 'failed'].includes(run.status)) {
      throw new ConflictError(`Run ${id} is ${run.status}${run.outcome ? ` (${run.outcome.replace('_', ' ')})` : ''}; only a run in progress or failed can be marked as paid`)
    }
    const context = readContext(run)
    const now = this.#now()
    const at = new Date(now).toISOString()
    const eventId = `paid_by_staff:${run.id}`
    const payment = paymentOf(run, context, action.amount)
    const reason = `goal met: payment.succeeded — marked as paid by ${action.by}${action.note ? `: ${action.note}` : ''} (event ${eventId})`
    await this.#batcher.run(async (trx) => {
      await record(trx, {
        id: eventId,
        type: 'payment.succeeded',
        occurred_at: at,
        customer: { id: run.customer_id },
        product_ids: JSON.parse(run.product_ids) as string[],
        payment,
        metadata: { source: 'staff', by: action.by, ...(action.note ? { note: action.note } : {}), run_id: run.id },
      })
      const after = await runRowIn(trx, id)
      if (after.status === 'running' || after.status === 'waiting') {
        // Its exit_on does not name payments: staff saying it is paid ends it all the same.
        await finishRun(trx, this.#jobs, id, 'exited', reason, { outcome: 'recovered', by: action.by })
        await this.#publisher.runEnded(trx, after, 'exited', reason, 'recovered')
      } else if (after.status === 'failed') {
        await exitFailedRunAsRecovered(trx, id, { by: action.by, reason, at })
        await healRecords(trx, after)
        await this.#publisher.runEnded(trx, after, 'exited', reason, 'recovered')
      } else {
        // Ended by the payment just recorded: say who recorded it.
        await setRunEndedBy(trx, id, action.by, reason)
      }
    })
    this.#onChange()
    return this.get(id)
  }
}

interface PlanSnapshot {
  id: string
  currency: string
  balance_due: number
}

/** The payment a run is about, as a `payment.succeeded` records it (an installment plan's balance, for plan runs). */
function paymentOf(run: RunRow, context: { payment?: PaymentSnapshot; installment_plan?: PlanSnapshot }, amount: number | undefined): Record<string, unknown> {
  const p = context.payment
  if (p) {
    return {
      id: p.id, amount: amount ?? p.amount, currency: p.currency,
      ...(p.subscription_id ? { subscription_id: p.subscription_id } : {}), ...(p.invoice_id ? { invoice_id: p.invoice_id } : {}),
    }
  }
  const plan = context.installment_plan
  if (plan) return { id: `${plan.id}:paid`, amount: amount ?? plan.balance_due, currency: plan.currency }
  throw new ConflictError(`Run ${run.id} has no payment or installment plan to mark as paid`)
}
