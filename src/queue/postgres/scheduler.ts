import { Logger as GraphileLogger, run, runMigrations, type Runner, type WorkerEvents } from 'graphile-worker'
import { EventEmitter } from 'node:events'
import pg from 'pg'
import { ADVANCE_RUN_TASK, DELIVER_WEBHOOK_TASK, type Scheduler, type TaskHandlers } from '../job-queue.js'
import { watchHandBack } from './local-queue-hand-back.js'

/** Advisory-lock class for "this graphile-worker id is alive" (the second key is hashtext(id)). */
const ALIVE_LOCK_CLASS = 0x5245_4350 // 'RECP'

export interface GraphileSchedulerOptions {
  /** PostgreSQL URL (the same database as the store), for the lifeline connection. */
  readonly connectionString: string
  /** The store's pool: graphile-worker shares it, so a process's connections stay within one budget. */
  readonly pool: pg.Pool
  /** The schema graphile-worker lives in. */
  readonly schema: string
  readonly tasks: TaskHandlers
  /** Most runs advanced at once by this process. */
  readonly concurrency: number
  /** Jobs fetched at once for this process's workers (graphile-worker's local queue); 0: each worker fetches its own. */
  readonly localQueue?: number
  /** How often to look for jobs that came due (new jobs arrive by LISTEN/NOTIFY at once). */
  readonly pollMs: number
  /** How often to look for jobs held by workers that died. */
  readonly sweepMs?: number
  /** Our clock minus the wall clock: non-zero only when tests move time. */
  readonly clockOffset: () => number
  readonly log: (level: 'error' | 'warn' | 'info' | 'debug', message: string, meta?: Record<string, unknown>) => void
}

/** Takes the alive lock of a graphile-worker pool id on the lifeline (held until released or the session ends). */
function holdAlive(c: pg.Client, id: string): Promise<unknown> {
  return c.query('select pg_advisory_lock($1, hashtext($2))', [ALIVE_LOCK_CLASS, id])
}

function letGoAlive(c: pg.Client, id: string): Promise<unknown> {
  return c.query('select pg_advisory_unlock($1, hashtext($2))', [ALIVE_LOCK_CLASS, id])
}

/** The lifeline connection's application_name (pg_stat_activity), per worker schema. */
export function lifelineName(schema: string): string {
  return `recoup lifeline ${schema}`.slice(0, 63)
}

/** Installs or upgrades graphile-worker's schema (idempotent; safe from many processes at once). */
export async function migrateWorkerQueue(options: { pool: pg.Pool; schema: string }): Promise<void> {
  await runMigrations({ pgPool: options.pool, schema: options.schema, logger: quietLogger })
}

const quietLogger = new GraphileLogger(() => () => {})

/**
 * The scale-out scheduler: graphile-worker runs `advance_run` jobs that our own transactions add
 * (see `graphileJobQueue`). graphile-worker only releases the jobs of a worker that died after
 * 4 hours; so every process holds a session advisory lock per graphile-worker pool id on a "lifeline"
 * connection, and any process may free the jobs of a worker whose lock nobody holds any more
 * (its connection died with it).
 */
export class GraphileScheduler implements Scheduler {
  readonly #o: GraphileSchedulerOptions
  readonly #ours = new Set<string>()
  readonly #s: string
  #runner: Runner | undefined
  #lifeline: pg.Client | undefined
  #sweeper: NodeJS.Timeout | undefined
  #lastOffset = 0
  #stopping = false
  #lifelineQueue: Promise<unknown> = Promise.resolve()

  constructor(options: GraphileSchedulerOptions) {
    this.#o = options
    this.#s = `"${options.schema.replace(/"/g, '""')}"`
  }

  async start(): Promise<void> {
    await this.#connectLifeline()
    // A moved clock (tests) starts at the wall clock's time: catch up with any jump so far.
    this.wake()
    await this.#startRunner()
    this.#sweeper = setInterval(() => this.#sweep(), this.#o.sweepMs ?? 2_000)
    this.#sweeper.unref()
  }

  /**
   * Starts a graphile-worker pool and keeps one running: graphile-worker shuts its pool down when
   * it hears of a breaking migration on the database-wide `worker:migrate` channel, which any
   * schema's install sends (another tenant, another test). A new pool checks the schema again.
   */
  async #startRunner(): Promise<void> {
    const events: WorkerEvents = new EventEmitter()
    // graphile-worker locks every job it takes with the pool's id: hold that id's alive lock.
    let poolId: string | undefined
    events.on('pool:create', ({ workerPool }) => {
      poolId = workerPool.id
      // graphile-worker starts its own graceful shutdowns (a failed batch, a migration notice) and
      // drops their promise; with a local queue that promise rejects when the prefetched jobs
      // cannot be handed back (the database is gone), which would end the process. Their locks die
      // with this pool's alive lock, so other workers (or our next pool) take the jobs over.
      const shutdown = workerPool.gracefulShutdown
      workerPool.gracefulShutdown = function (this: typeof workerPool, ...args: Parameters<typeof shutdown>) {
        const p = shutdown.apply(this, args)
        Promise.resolve(p).catch(() => {})
        return p
      }
      this.#ours.add(poolId)
      this.#onLifeline((c) => holdAlive(c, workerPool.id))
    })
    // A local queue's hand-back of prefetched jobs, when its pool stops, escapes every handler in
    // graphile-worker 0.17 (see watchHandBack); it would end the process when the database is gone.
    events.on('localQueue:init', ({ localQueue }) => {
      if (!watchHandBack(localQueue)) this.#o.log('warn', "graphile-worker's local queue has an unknown shape: its hand-back of prefetched jobs is not watched")
    })
    const installed = await this.#schemaRevision()
    events.on('pool:listen:success', ({ client }) => this.#screenMigrationNotices(client, installed))
    events.on('pool:listen:release', ({ client }) => this.#unscreen(client))
    const tasks = this.#o.tasks
    let runner: Runner | undefined
    let over = false
    const ended = () => {
      if (over) return
      over = true
      if (poolId) {
        const id = poolId
        this.#ours.delete(id)
        this.#onLifeline((c) => letGoAlive(c, id))
      }
      if (!runner || this.#runner !== runner || this.#stopping) return
      // graphile-worker sets exitCode 57 when it stops for a migration; we carry on instead.
      if (process.exitCode === 57) process.exitCode = undefined
      this.#o.log('warn', 'the graphile-worker pool stopped; starting a new one')
      this.#retry(1_000, () => this.#startRunner(), 'starting a graphile-worker pool failed; trying again')
    }
    // A pool that could not write a batch of completions or failures (the database went away)
    // shuts down, but its runner's promise may never settle (the batcher waits for a success
    // that cannot come): watch the pool's own shutdown too. A graceful shutdown that fails (a
    // local queue could not hand its prefetched jobs back) goes on to a forceful one, whose own
    // failure is the last word graphile-worker says about that pool.
    events.on('pool:gracefulShutdown:complete', ended)
    events.on('pool:forcefulShutdown:complete', ended)
    events.on('pool:forcefulShutdown:error', ended)
    runner = await run({
      pgPool: this.#o.pool,
      schema: this.#o.schema,
      concurrency: this.#o.concurrency,
      noHandleSignals: true,
      pollInterval: this.#o.pollMs,
      // Batched completions and failures: fewer round trips, and a batch that cannot be written
      // (the database went away) stops this pool instead of leaving its jobs locked by a pool
      // that lives on (graphile-worker's unbatched failJob gives up with an unhandled rejection).
      // The stopped pool's ids lose their alive locks, so its jobs are freed and run again.
      // A local queue (RECOUP_PG_LOCAL_QUEUE) fetches due jobs in batches for all our workers: one
      // round trip per batch instead of one per job (see watchHandBack and the gracefulShutdown
      // guard above for its failed hand-back).
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0, ...(this.#o.localQueue ? { localQueue: { size: this.#o.localQueue } } : {}) } },
      logger: new GraphileLogger((scope) => (level, message, meta) => {
        // A pool smaller than the concurrency is our choice (RECOUP_PG_POOL_SIZE): steps wait for a connection.
        if (message.includes('smaller than concurrency')) return
        if (level === 'error' || level === 'warning') this.#o.log(level === 'error' ? 'error' : 'warn', message, { ...scope, ...meta })
      }),
      events,
      taskList: {
        [ADVANCE_RUN_TASK]: async (payload, helpers) => {
          // A job whose key was taken away was superseded (the run moved on or ended) while it
          // was held; running it again could only repeat a step early.
          if (helpers.job.key === null) return
          const runId = (payload as { run_id?: unknown }).run_id
          if (typeof runId !== 'string') return
          try {
            await tasks.advanceRun(runId, { inItsJob: true })
          } catch (err) {
            // graphile-worker retries a thrown job with its backoff; a run that keeps failing for a
            // reason that is not an outage ends as failed instead of retrying unseen.
            if ((await tasks.onAdvanceError(runId, err).catch(() => 'retry')) === 'retry') throw err
          }
        },
        // A delivery schedules its own next attempt; a throw (its outcome could not be written)
        // is retried with graphile-worker's backoff.
        [DELIVER_WEBHOOK_TASK]: async (payload, helpers) => {
          if (helpers.job.key === null) return
          const deliveryId = (payload as { delivery_id?: unknown }).delivery_id
          if (typeof deliveryId === 'string') await tasks.deliverWebhook(deliveryId)
        },
      },
    })
    this.#runner = runner
    runner.promise.then(ended, ended)
  }

  /** The newest graphile-worker migration applied to our schema. */
  async #schemaRevision(): Promise<number> {
    const res = await this.#o.pool.query<{ id: number | null }>(`select max(id) as id from ${this.#s}.migrations`)
    return Number(res.rows[0]?.id ?? 0)
  }

  readonly #unscreened = new WeakMap<object, pg.PoolClient['emit']>()

  /**
   * graphile-worker stops its pool on any breaking-migration notice, but the notice's channel is
   * database-wide: every other schema's first install (another tenant, every test) sends one too,
   * and each would stop our pool. The notices reach graphile-worker only when our own schema moved
   * past the revision this pool started on; then it stops as it should.
   */
  #screenMigrationNotices(client: pg.PoolClient, installed: number): void {
    const emit = client.emit
    this.#unscreened.set(client, emit)
    client.emit = ((name: string | symbol, ...args: unknown[]) => {
      const notice = args[0] as pg.Notification | undefined
      if (name !== 'notification' || notice?.channel !== 'worker:migrate') return emit.call(client, name, ...args)
      this.#schemaRevision().then(
        (now) => void (now > installed && emit.call(client, name, ...args)),
        () => void emit.call(client, name, ...args),
      )
      return true
    }) as pg.PoolClient['emit']
  }

  #unscreen(client: pg.PoolClient): void {
    const emit = this.#unscreened.get(client)
    if (emit) client.emit = emit
    this.#unscreened.delete(client)
  }

  /** Runs `attempt` after `delayMs`, and again with a doubling pause (at most 30 s) while it fails. */
  #retry(delayMs: number, attempt: () => Promise<void>, failure: string): void {
    const t = setTimeout(() => {
      if (this.#stopping) return
      attempt().catch((err) => {
        this.#o.log('error', failure, { err: err instanceof Error ? err.message : String(err) })
        this.#retry(Math.min(Math.max(delayMs * 2, 500), 30_000), attempt, failure)
      })
    }, delayMs)
    t.unref()
  }

  wake(): void {
    // New jobs announce themselves (NOTIFY). Only a moved clock (tests) needs help: shift every
    // pending job earlier by the amount time jumped, so graphile-worker sees what we see.
    const offset = this.#o.clockOffset()
    const jump = offset - this.#lastOffset
    if (jump < 1000) return
    this.#lastOffset = offset
    this.#onLifeline((c) =>
      c.query(`update ${this.#s}._private_jobs set run_at = run_at - make_interval(secs => $1::float8 / 1000) where locked_at is null`, [jump]),
    )
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    this.#stopping = true
    if (this.#sweeper) clearInterval(this.#sweeper)
    const runner = this.#runner
    this.#runner = undefined
    if (runner) {
      // Graceful: take no new jobs, let those in flight finish. What does not finish in time is
      // freed by the other workers once our lifeline (and its locks) is gone.
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), deadlineMs)))
      const outcome = await Promise.race([runner.stop().then(() => 'done' as const, () => 'done' as const), late])
      clearTimeout(timer)
      if (outcome === 'late') this.#o.log('warn', `steps still in flight after ${deadlineMs} ms; other workers will take them over`)
    }
    await this.#lifelineQueue.catch(() => {})
    await this.#lifeline?.end().catch(() => {})
    this.#lifeline = undefined
  }

  /**
   * Opens the lifeline and takes the alive locks of our pools and workers on it. A lifeline that
   * is lost (PostgreSQL restarted, the connection was cut) takes its locks with it: other workers
   * may then free our jobs and run them again (at least once), and our sweeper is blind. So a new
   * lifeline is opened at once, and again with a growing pause while PostgreSQL is unreachable.
   */
  async #connectLifeline(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.connectionString, application_name: lifelineName(this.#o.schema) })
    let lost = false
    const onLost = (err?: Error) => {
      // Only a lifeline that was up is mourned; a failed connect is the caller's to retry.
      if (lost || this.#lifeline !== client) return
      lost = true
      this.#lifeline = undefined
      if (this.#stopping) return
      this.#o.log('warn', 'worker lifeline connection lost; opening a new one (other workers may take over our jobs meanwhile)', { err: err?.message })
      this.#retry(0, () => this.#reopenLifeline(), 'opening a worker lifeline connection failed; trying again')
    }
    client.on('error', onLost)
    client.on('end', () => onLost())
    await client.connect()
    this.#lifeline = client
    for (const id of this.#ours) this.#onLifeline((c) => holdAlive(c, id))
  }

  async #reopenLifeline(): Promise<void> {
    if (this.#lifeline) return
    await this.#connectLifeline()
    this.#o.log('info', 'worker lifeline connection is back')
  }

  /** Runs queries on the lifeline one after another (a pg client takes one at a time anyway). */
  #onLifeline(fn: (c: pg.Client) => Promise<unknown>): void {
    this.#lifelineQueue = this.#lifelineQueue
      .then(() => {
        // The lifeline current when the query's turn comes; none while it reconnects (the new
        // one takes every alive lock again, and the sweeper waits for its next round).
        const c = this.#lifeline
        return c && fn(c)
      })
      .catch((err) => this.#o.log('error', 'worker lifeline query failed', { err }))
  }

  /** Frees jobs held by workers whose process died: nobody holds their alive lock. */
  #sweep(): void {
    this.#onLifeline(async (c) => {
      // A few seconds' grace: a new worker may lock a job just before its alive lock is taken.
      const held = await c.query<{ locked_by: string }>(
        `select distinct locked_by from ${this.#s}._private_jobs where locked_by is not null and locked_at < now() - interval '5 seconds'`,
      )
      const dead: string[] = []
      for (const { locked_by: id } of held.rows) {
        if (this.#ours.has(id)) continue
        const got = await c.query<{ free: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as free', [ALIVE_LOCK_CLASS, id])
        if (got.rows[0]?.free) {
          await letGoAlive(c, id)
          dead.push(id)
        }
      }
      if (dead.length > 0) {
        await c.query(`select ${this.#s}.force_unlock_workers($1::text[])`, [dead])
        this.#o.log('warn', 'released jobs of workers that died', { workers: dead })
      }
    })
  }
}
