import { CompiledQuery, sql, type Kysely } from 'kysely'
import type { DialectName } from '../store/database.js'
import { rawQuery } from '../store/raw.js'
import type { Database } from '../store/schema.js'

/** One due time for one run. */
export interface JobSpec {
  readonly runId: string
  /** When the run should next be advanced (ms since the epoch). */
  readonly runAt: number
}

/**
 * Where a run's next job lives. Every method takes the caller's transaction, so a job is written
 * (or removed) together with the run state that needs it: no job without its state, no state
 * without its job. A run has at most one job: the run id is its key.
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
}

/** The embedded queue: our own `jobs` table, claimed by `PollingScheduler`. */
export function tableJobQueue(dialect: DialectName): JobQueue {
  return {
    async schedule(db, runId, runAt) {
      await db.executeQuery(
        rawQuery(dialect, 'insert into jobs (run_id, run_at) values (?, ?) on conflict (run_id) do update set run_at = excluded.run_at, locked_until = null, locked_by = null', [runId, runAt]),
      )
    },
    async scheduleMany(db, jobs) {
      // 4 columns a row; both dialects cap bound parameters per statement (SQLite 32766).
      for (let i = 0; i < jobs.length; i += 7500) {
        const part = jobs.slice(i, i + 7500)
        await db.insertInto('jobs').values(part.map((j) => ({ run_id: j.runId, run_at: j.runAt, locked_until: null, locked_by: null }))).execute()
      }
    },
    async cancel(db, runId) {
      await db.executeQuery(rawQuery(dialect, 'delete from jobs where run_id = ?', [runId]))
    },
    async wake(db, runIds, now) {
      if (runIds.length === 0) return
      await db.updateTable('jobs').set({ run_at: now }).where('run_id', 'in', [...runIds]).execute()
    },
    async dueAt(db, runId) {
      const row = await db.selectFrom('jobs').select('run_at').where('run_id', '=', runId).executeTakeFirst()
      return row ? Number(row.run_at) : null
    },
  }
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

/** The graphile-worker task that advances a run. */
export const ADVANCE_RUN_TASK = 'advance_run'

/**
 * The scale-out queue: graphile-worker jobs added with its own SQL functions inside our
 * transaction. `job_key` = run id with mode `replace` keeps one pending job per run; a job that
 * is being worked on keeps running and the new one waits for its `run_at`.
 */
export function graphileJobQueue(options: { schema: string; clockOffset: () => number }): JobQueue {
  const { schema: workerSchema, clockOffset } = options
  const s = `"${workerSchema.replace(/"/g, '""')}"`
  // One call for one run or many: add_jobs (add_job calls it too; same `replace` semantics).
  const addMany = `select count(*) from ${s}.add_jobs(array(
      select row('${ADVANCE_RUN_TASK}', json_build_object('run_id', j.id), null, to_timestamp(j.at / 1000), null, j.id, null, null)::${s}.job_spec
      from unnest($1::text[], $2::float8[]) as j(id, at)))`
  const removeOne = `select ${s}.remove_job($1::text)`
  return {
    async schedule(db, runId, runAt) {
      await this.scheduleMany(db, [{ runId, runAt }])
    },
    async scheduleMany(db, jobs) {
      if (jobs.length === 0) return
      const offset = clockOffset()
      // One job key may appear once per call: the last due time given for a run wins.
      const due = new Map<string, number>()
      for (const j of jobs) due.set(j.runId, j.runAt - offset)
      await db.executeQuery(CompiledQuery.raw(addMany, [[...due.keys()], [...due.values()]]))
    },
    async cancel(db, runId, inItsJob) {
      // graphile-worker deletes the job being worked on when it returns. A newer job for the run
      // (added while this one ran) finds the run ended and removes itself; a crash before the
      // job returns runs it once more, to the same end.
      if (inItsJob) return
      await db.executeQuery(CompiledQuery.raw(removeOne, [runId]))
    },
    async wake(db, runIds, now) {
      if (runIds.length === 0) return
      await this.scheduleMany(db, runIds.map((runId) => ({ runId, runAt: now })))
    },
    async dueAt(db, runId) {
      const res = await sql<{ at: number }>`select (extract(epoch from run_at) * 1000)::float8 as at from ${sql.id(workerSchema, '_private_jobs')} where key = ${runId} and locked_at is null`.execute(db)
      const at = res.rows[0]?.at
      return at === undefined ? null : Math.round(Number(at)) + clockOffset()
    },
  }
}
