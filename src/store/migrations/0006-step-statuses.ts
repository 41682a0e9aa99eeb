import { sql, type Kysely } from 'kysely'

// Append-only: never edit a migration that has shipped; add the next number instead.

/**
 * One word per step state (domain/statuses.ts). A waiting step was stored as `running`, and
 * `pending` meant four things; each gets its own word:
 * - `waiting`: a `wait`, an open offer, a payment retry in progress (was `running`);
 * - `queued`: a team alert an accepted offer queued for after the run's end;
 * - `deferred`: a customer message held by quiet hours or the daily cap (its output says until when);
 * - `retrying`: an attempt failed and the next one is scheduled (it has attempts and an error);
 * - `pending` stays for a step not run yet.
 * The API still answers the documented words (waiting shows as running, the rest as pending).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update step_results set status = 'waiting' where status = 'running'`.execute(db)
  await sql`update step_results set status = 'queued'
    where status = 'pending' and type = 'notify_team' and step_id like '%--accepted-alert'`.execute(db)
  await sql`update step_results set status = 'deferred' where status = 'pending' and output like '{"deferred_until":%'`.execute(db)
  await sql`update step_results set status = 'retrying' where status = 'pending' and attempts > 0 and error is not null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update step_results set status = 'pending' where status in ('queued', 'deferred', 'retrying')`.execute(db)
  await sql`update step_results set status = 'running' where status = 'waiting'`.execute(db)
}
