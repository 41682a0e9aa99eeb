import { sql, type Kysely } from 'kysely'
import type { DialectName } from '../../store/database.js'
import type { Database, JobRow } from '../../store/schema.js'

/**
 * Claims up to `limit` due jobs for `worker` until `leaseUntil`. On PostgreSQL, SKIP LOCKED lets
 * many workers claim side by side; SQLite has one owner process, so a plain update suffices.
 */
export async function claimDueJobs(
  db: Kysely<Database>,
  dialect: DialectName,
  options: { now: number; limit: number; worker: string; leaseUntil: number; exclude?: ReadonlySet<string> },
): Promise<JobRow[]> {
  const { now, limit, worker, leaseUntil } = options
  if (dialect === 'postgres') {
    const res = await sql<JobRow>`
      update jobs set locked_until = ${leaseUntil}, locked_by = ${worker}
      where run_id in (
        select run_id from jobs
        where run_at <= ${now} and (locked_until is null or locked_until < ${now})
        order by run_at limit ${limit}
        for update skip locked)
      returning run_id, run_at, locked_until, locked_by`.execute(db)
    return res.rows
  }
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

/** Drops every lease: used at start by the single owner of a SQLite file. */
export async function releaseAllLeases(db: Kysely<Database>): Promise<void> {
  await db.updateTable('jobs').set({ locked_until: null, locked_by: null }).where('locked_until', 'is not', null).execute()
}
