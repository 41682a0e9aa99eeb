import { CompiledQuery, sql, type Kysely } from 'kysely'
import type { Database } from '../../store/schema.js'
import { ADVANCE_RUN_TASK, DELIVER_WEBHOOK_TASK, deliveryJobKey, type JobQueue } from '../job-queue.js'

/**
 * The scale-out queue: graphile-worker jobs added with its own SQL functions inside our
 * transaction. `job_key` = run id (or `deliver:<id>`) with mode `replace` keeps one pending job
 * per key; a job that is being worked on keeps running and the new one waits for its `run_at`.
 */
export function graphileJobQueue(options: { schema: string; clockOffset: () => number }): JobQueue {
  const { schema: workerSchema, clockOffset } = options
  const s = `"${workerSchema.replace(/"/g, '""')}"`
  // One call for one run or many: add_jobs (add_job calls it too; same `replace` semantics).
  const addMany = `select count(*) from ${s}.add_jobs(array(
      select row('${ADVANCE_RUN_TASK}', json_build_object('run_id', j.id), null, to_timestamp(j.at / 1000), null, j.id, null, null)::${s}.job_spec
      from unnest($1::text[], $2::float8[]) as j(id, at)))`
  const addDelivery = `select ${s}.add_job('${DELIVER_WEBHOOK_TASK}', json_build_object('delivery_id', $1::text),
      run_at => to_timestamp($2::float8 / 1000), job_key => $3::text, job_key_mode => 'replace')`
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
    async scheduleDelivery(db, deliveryId, runAt) {
      await db.executeQuery(CompiledQuery.raw(addDelivery, [deliveryId, runAt - clockOffset(), deliveryJobKey(deliveryId)]))
    },
    async cancelDelivery(db, deliveryId, inItsJob) {
      if (inItsJob) return
      await db.executeQuery(CompiledQuery.raw(removeOne, [deliveryJobKey(deliveryId)]))
    },
  }
}

/**
 * Gives pending deliveries queued before deliveries had jobs of their own a job (`unsafe_dedupe`:
 * a delivery that has one keeps it untouched).
 */
export async function adoptPendingDeliveries(db: Kysely<Database>, schema: string): Promise<void> {
  const s = `"${schema.replace(/"/g, '""')}"`
  await db.executeQuery(
    CompiledQuery.raw(`select count(${s}.add_job('${DELIVER_WEBHOOK_TASK}', json_build_object('delivery_id', d.id),
        run_at => to_timestamp(d.next_attempt_at / 1000.0), job_key => 'deliver:' || d.id, job_key_mode => 'unsafe_dedupe'))
      from deliveries d where d.status = 'pending'`),
  )
}
