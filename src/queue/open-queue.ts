import type { Store } from '../store/database.js'
import type { JobQueue, Scheduler, TaskHandlers } from './job-queue.js'
import { workerSchemaFor } from './job-queue.js'
import { adoptPendingDeliveries, graphileJobQueue } from './postgres/job-queue.js'
import { GraphileScheduler, migrateWorkerQueue } from './postgres/scheduler.js'
import { tableJobQueue } from './sqlite/job-queue.js'
import { PollingScheduler } from './sqlite/scheduler.js'

export interface QueueOptions {
  /** DATABASE_URL (graphile-worker's lifeline connects to it). */
  readonly databaseUrl: string
  /** RECOUP_WORKER_SCHEMA, if set. */
  readonly workerSchema?: string
  /** Our clock minus the wall clock: non-zero only when tests move time. */
  readonly clockOffset: () => number
}

export interface SchedulerOptions {
  readonly tasks: TaskHandlers
  readonly now: () => number
  /** Most jobs run at once by this process. */
  readonly concurrency: number
  readonly pollMs: number
  /** PostgreSQL: graphile-worker's local queue size (0: off). */
  readonly localQueue?: number
  readonly log: (level: 'error' | 'warn' | 'info' | 'debug', message: string, meta?: Record<string, unknown>) => void
}

/** A store's job queue and how to run it: the one place that picks an implementation per dialect. */
export interface Queue {
  readonly jobs: JobQueue
  /** Installs or upgrades the queue's own schema, if it has one (graphile-worker's). */
  migrate(): Promise<void>
  /** A scheduler that runs this queue's due jobs with `tasks`. */
  scheduler(options: SchedulerOptions): Scheduler
}

/** The job queue for a store: our `jobs` table on SQLite, graphile-worker on PostgreSQL. */
export function openQueue(store: Store, options: QueueOptions): Queue {
  if (store.dialect === 'sqlite') {
    const jobs = tableJobQueue()
    return {
      jobs,
      migrate: async () => {},
      scheduler: (o) =>
        new PollingScheduler({
          db: store.db, tasks: o.tasks, jobs, now: o.now, concurrency: o.concurrency, pollMs: o.pollMs,
          onError: (err, key) => o.log('error', 'a job failed; it will be tried again', { err, job: key }),
        }),
    }
  }
  const schema = workerSchemaFor(options.databaseUrl, options.workerSchema)
  return {
    jobs: graphileJobQueue({ schema, clockOffset: options.clockOffset }),
    async migrate() {
      await migrateWorkerQueue({ pool: store.pool!, schema })
      await adoptPendingDeliveries(store.db, schema)
    },
    scheduler: (o) =>
      new GraphileScheduler({
        connectionString: options.databaseUrl, pool: store.pool!, schema, tasks: o.tasks,
        concurrency: o.concurrency, pollMs: o.pollMs, localQueue: o.localQueue, clockOffset: options.clockOffset, log: o.log,
      }),
  }
}
