import type { Kysely } from 'kysely'
import { ConflictError } from '../domain/errors.js'
import type { TransactionBatcher } from '../store/batcher.js'
import type { JobQueue } from '../store/job-queue.js'
import type { Page } from '../store/page.js'
import { finishRun, getRunRow, listRunRows, stepResults, toStepResult, type RunFilter, type StepResult } from '../store/runs.js'
import type { Database, RunRow } from '../store/schema.js'
import { getWorkflowVersion } from '../store/workflows.js'
import { compileProgram } from './program.js'
import type { EventPublisher } from './publisher.js'

export interface RunView {
  id: string
  workflow_id: string
  workflow_version: number
  event_id: string
  customer_id: string
  product_ids: string[]
  status: string
  waiting_until: string | null
  waiting_reason: string | null
  error: string | null
  steps: StepResult[]
  created_at: string
  updated_at: string
  finished_at: string | null
}

function summary(r: RunRow): Omit<RunView, 'steps'> {
  return {
    id: r.id,
    workflow_id: r.workflow_id,
    workflow_version: r.workflow_version,
    event_id: r.event_id,
    customer_id: r.customer_id,
    product_ids: JSON.parse(r.product_ids) as string[],
    status: r.status,
    waiting_until: r.wait_until,
    waiting_reason: r.wait_reason,
    error: r.error,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
  }
}

/** Reads runs for people, and cancels or retries them. */
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
    const steps = compileProgram(def.steps).nodes.map(
      (n) =>
        results.get(n.step.id) ?? {
          id: n.step.id, type: n.step.type, status: 'pending' as const, attempts: 0,
          started_at: null, finished_at: null, output: null, error: null,
        },
    )
    return { ...summary(run), steps }
  }

  /** Lists runs, newest first (steps omitted; GET one run for them). */
  async list(filter: RunFilter): Promise<Page<Omit<RunView, 'steps'>>> {
    const page = await listRunRows(this.#db, filter)
    return { data: page.data.map(summary), next_cursor: page.next_cursor }
  }

  /** Cancels an active run. 409 when it already ended. */
  async cancel(id: string): Promise<RunView> {
    const run = await getRunRow(this.#db, id)
    const ok = await this.#batcher.run(async (trx) => {
      if (!(await finishRun(trx, this.#jobs, id, 'canceled', 'canceled by request'))) return false
      await this.#publisher.runEnded(trx, run, 'canceled', 'canceled by request')
      return true
    })
    if (!ok) throw new ConflictError(`Run ${id} is ${run.status}; only running or waiting runs can be canceled`)
    return this.get(id)
  }

  /** Resumes a failed run from its failed step, with a fresh set of attempts. 409 unless failed. */
  async retry(id: string): Promise<RunView> {
    const ok = await this.#batcher.run(async (trx) => {
      const now = this.#now()
      const res = await trx
        .updateTable('runs')
        .set((eb) => ({ status: 'running', error: null, finished_at: null, updated_at: new Date(now).toISOString(), seq: eb('seq', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .executeTakeFirst()
      if (Number(res.numUpdatedRows) === 0) return false
      await trx.updateTable('step_results').set({ status: 'pending', attempts: 0, error: null, finished_at: null }).where('run_id', '=', id).where('status', '=', 'failed').execute()
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
}
