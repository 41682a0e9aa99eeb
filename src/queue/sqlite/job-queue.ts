import { CompiledQuery, type Kysely } from 'kysely'
import type { Database, JobRow } from '../../store/schema.js'
import { insertRows } from '../../store/sql/statement.js'
import { deliveryJobKey, type JobQueue } from '../job-queue.js'

const UPSERT_TAIL = 'on conflict (run_id) do update set run_at = excluded.run_at, locked_until = null, locked_by = null'
const UPSERT = `insert into jobs (run_id, run_at) values (?, ?) ${UPSERT_TAIL}`
const REMOVE = 'delete from jobs where run_id = ?'

/**
 * The embedded queue: our own `jobs` table (its `run_id` column is the job key: a run id, or
 * `deliver:<id>`), claimed by the SQLite `PollingScheduler`. A job is removed by its task when
 * done, so `inItsJob` changes nothing here.
 */
export function tableJobQueue(): JobQueue {
  const upsert = (db: Kysely<Database>, key: string, at: number) => db.executeQuery(CompiledQuery.raw(UPSERT, [key, at])).then(() => undefined)
  const remove = (db: Kysely<Database>, key: string) => db.executeQuery(CompiledQuery.raw(REMOVE, [key])).then(() => undefined)
  return {
    schedule: (db, runId, runAt) => upsert(db, runId, runAt),
    async scheduleMany(db, jobs) {
      // Sized by its column list (store/sql), and an upsert like `schedule`: a run's one job moves.
      await insertRows(db, { table: 'jobs', columns: ['run_id', 'run_at'], tail: UPSERT_TAIL }, jobs.map((j) => ({ run_id: j.runId, run_at: j.runAt })))
    },
    cancel: (db, runId) => remove(db, runId),
    async wake(db, runIds, now) {
      if (runIds.length === 0) return
      await db.updateTable('jobs').set({ run_at: now }).where('run_id', 'in', [...runIds]).execute()
    },
    async dueAt(db, runId) {
      const row = await db.selectFrom('jobs').select('run_at').where('run_id', '=', runId).executeTakeFirst()
      return row ? Number(row.run_at) : null
    },
    scheduleDelivery: (db, deliveryId, runAt) => upsert(db, deliveryJobKey(deliveryId), runAt),
    cancelDelivery: (db, deliveryId) => remove(db, deliveryJobKey(deliveryId)),
  }
}

/**
 * Claims up to `limit` due jobs for `worker` until `leaseUntil`, skipping the keys in `exclude`
 * (in flight here). A SQLite file has one owner process, so a plain read and update suffice.
 */
export async function claimDueJobs(
  db: Kysely<Database>,
  options: { now: number; limit: number; worker: string; leaseUntil: number; exclude?: ReadonlySet<string> },
): Promise<JobRow[]> {
  const { now, limit, worker, leaseUntil } = options
  const due = await db
    .selectFrom('jobs')
    .selectAll()
    .where('run_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('run_at')
    .limit(limit + (options.exclude?.size ?? 0))
    .execute()
  const picked = due.filter((j) => !options.exclude?.has(j.run_id)).slice(0, limit)
  if (picked.length === 0) return []
  await db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil, locked_by: worker })
    .where('run_id', 'in', picked.map((j) => j.run_id))
    .execute()
  return picked
}

/** When the earliest job is due (ms), or null when there are none. */
export async function nextDueAt(db: Kysely<Database>): Promise<number | null> {
  const row = await db.selectFrom('jobs').select('run_at').orderBy('run_at').limit(1).executeTakeFirst()
  return row ? Number(row.run_at) : null
}

/**
 * Start of the file's one owner: leases left by a crashed predecessor are void, and pending
 * deliveries queued before deliveries had jobs of their own get one.
 */
export async function prepareQueue(db: Kysely<Database>): Promise<void> {
  await db.updateTable('jobs').set({ locked_until: null, locked_by: null }).where('locked_until', 'is not', null).execute()
  await db.executeQuery(
    CompiledQuery.raw(
      `insert into jobs (run_id, run_at) select 'deliver:' || id, next_attempt_at from deliveries where status = 'pending'
       on conflict (run_id) do nothing`,
    ),
  )
}
