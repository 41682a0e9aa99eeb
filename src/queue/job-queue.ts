import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.js'

/** The task that advances a run; its job's key is the run id. */
export const ADVANCE_RUN_TASK = 'advance_run'
/** The task that sends one webhook delivery; its job's key is `deliver:<delivery id>`. */
export const DELIVER_WEBHOOK_TASK = 'deliver_webhook'

/** One due time for one run. */
export interface JobSpec {
  readonly runId: string
  /** When the run should next be advanced (ms since the epoch). */
  readonly runAt: number
}

/**
 * Where a run's next job lives, and the jobs of the other tasks (webhook deliveries). Every method
 * takes the caller's transaction, so a job is written (or removed) together with the state that
 * needs it: no job without its state, no state without its job. A run has at most one job: the
 * run id is its key; a delivery likewise.
 */
export interface JobQueue {
  /** Sets (or moves) the one job of a run. */
  schedule(db: Kysely<Database>, runId: string, runAt: number): Promise<void>
  /** Sets the jobs of many new runs. */
  scheduleMany(db: Kysely<Database>, jobs: readonly JobSpec[]): Promise<void>
  /**
   * Removes a run's job (the run ended). `inItsJob`: the caller is that job, which the queue
   * removes itself once the job returns.
   */
  cancel(db: Kysely<Database>, runId: string, inItsJob?: boolean): Promise<void>
  /** Makes the jobs of these runs due at `now` (an event woke them). */
  wake(db: Kysely<Database>, runIds: readonly string[], now: number): Promise<void>
  /** When the run's job is due (ms), or null when it has none. */
  dueAt(db: Kysely<Database>, runId: string): Promise<number | null>
  /** Sets (or moves) the job that sends a webhook delivery at `runAt`. */
  scheduleDelivery(db: Kysely<Database>, deliveryId: string, runAt: number): Promise<void>
  /** Removes a delivery's job (it was sent or gave up); `inItsJob` as for `cancel`. */
  cancelDelivery(db: Kysely<Database>, deliveryId: string, inItsJob?: boolean): Promise<void>
}

/** The job key of a delivery (run ids never start with `deliver:`). */
export function deliveryJobKey(deliveryId: string): string {
  return `deliver:${deliveryId}`
}

/** The delivery id in a job key, or undefined when the key is a run's. */
export function deliveryIdOf(key: string): string | undefined {
  return key.startsWith('deliver:') ? key.slice('deliver:'.length) : undefined
}

/** What the schedulers run: one handler per task. */
export interface TaskHandlers {
  /** Advances a run (`inItsJob`: called from the run's own job). */
  advanceRun(runId: string, options: { inItsJob: boolean }): Promise<void>
  /** After `advanceRun` threw: `retry` later, or the run was failed visibly. */
  onAdvanceError(runId: string, err: unknown): Promise<'retry' | 'failed'>
  /** Sends one webhook delivery (and writes its outcome and next job). */
  deliverWebhook(deliveryId: string): Promise<void>
}

/** Runs due jobs: the embedded mode polls the jobs table; scale-out uses graphile-worker. */
export interface Scheduler {
  start(): Promise<void>
  /** Stops taking work and waits (up to `deadlineMs`) for steps in flight. */
  stop(deadlineMs?: number): Promise<void>
  /** New work may be due now: look without waiting for the next poll. */
  wake(): void
}

/**
 * The schema graphile-worker uses for a database URL: `RECOUP_WORKER_SCHEMA` when set, else
 * `<schema>_gw` when the URL pins a search_path (one queue per tenant or test), else graphile-worker's
 * default.
 */
export function workerSchemaFor(databaseUrl: string, configured?: string): string {
  if (configured) return configured
  const options = new URL(databaseUrl).searchParams.get('options') ?? ''
  const m = /search_path=([A-Za-z0-9_]+)/.exec(options)
  return m ? `${m[1]}_gw` : 'graphile_worker'
}
