import type { Insertable, Kysely } from 'kysely'
import type { Database, PaymentRow, RunRow, StepResultRow } from '../schema.js'

// Changes to one run outside the engine's step commits: a payment attempt the customer asked for,
// and what staff do (retry, skip a step, mark paid). Each takes the caller's transaction.

/** Clears a run's attempt request, if it is still `raw` (a newer request stays). */
export async function clearAttemptRequest(db: Kysely<Database>, runId: string, raw: string): Promise<void> {
  await db.updateTable('runs').set({ attempt_request: null }).where('id', '=', runId).where('attempt_request', '=', raw).execute()
}

/** Replaces a run's attempt request `raw` with `next` (one more try counted). */
export async function replaceAttemptRequest(db: Kysely<Database>, runId: string, raw: string, next: string): Promise<void> {
  await db.updateTable('runs').set({ attempt_request: next }).where('id', '=', runId).where('attempt_request', '=', raw).execute()
}

/** Sets a run's event snapshot (its payment took a new decline reason). */
export async function setRunContext(db: Kysely<Database>, runId: string, context: string): Promise<void> {
  await db.updateTable('runs').set({ context }).where('id', '=', runId).execute()
}

/** Adds a note to a customer's timeline about a run, once per id. */
export async function addRunNote(db: Kysely<Database>, note: { id: string; customerId: string; runId: string; body: string; at: string }): Promise<void> {
  await db
    .insertInto('customer_notes')
    .values({ id: note.id, customer_id: note.customerId, run_id: note.runId, body: note.body, created_at: note.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

/** Records a payment attempt's outcome, once per id. */
export async function recordAttemptPayment(db: Kysely<Database>, row: Insertable<PaymentRow>): Promise<void> {
  await db.insertInto('payments').values(row).onConflict((oc) => oc.column('id').doNothing()).execute()
}

/**
 * Puts a failed run back to running if it is still at `seq` (optionally on another version and
 * step), its failed steps pending with fresh attempts. False when the run changed meanwhile.
 */
export async function reopenFailedRun(
  db: Kysely<Database>,
  o: { id: string; seq: number; at: string; move?: { version: number; cursor: number; exitOn: string } },
): Promise<boolean> {
  const res = await db
    .updateTable('runs')
    .set((eb) => ({
      status: 'running', outcome: null, ended_by: null, error: null, finished_at: null, updated_at: o.at, seq: eb('seq', '+', 1),
      ...(o.move ? { workflow_version: o.move.version, cursor: o.move.cursor, exit_on: o.move.exitOn } : {}),
    }))
    .where('id', '=', o.id)
    .where('status', '=', 'failed')
    .where('seq', '=', o.seq)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) return false
  await db.updateTable('step_results').set({ status: 'pending', attempts: 0, error: null, finished_at: null }).where('run_id', '=', o.id).where('status', '=', 'failed').execute()
  return true
}

/**
 * Moves a failed or waiting run at `seq` on to step `cursor` (the one it was on is skipped) and
 * records the skipped step with `output`. False when the run changed meanwhile.
 */
export async function skipRunStep(
  db: Kysely<Database>,
  o: { id: string; seq: number; cursor: number | null; at: string; step: { id: string; type: string }; output: (prior: StepResultRow | undefined) => string },
): Promise<boolean> {
  const res = await db
    .updateTable('runs')
    .set((eb) => ({
      status: 'running', cursor: o.cursor, outcome: null, error: null, finished_at: null, wait_until: null, wait_reason: null,
      attempt_request: null, updated_at: o.at, seq: eb('seq', '+', 1),
    }))
    .where('id', '=', o.id)
    .where('seq', '=', o.seq)
    .where('status', 'in', ['failed', 'waiting'])
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) return false
  const prior = await db.selectFrom('step_results').selectAll().where('run_id', '=', o.id).where('step_id', '=', o.step.id).executeTakeFirst()
  const output = o.output(prior)
  await db
    .insertInto('step_results')
    .values({ run_id: o.id, step_id: o.step.id, type: o.step.type, status: 'skipped', attempts: prior?.attempts ?? 0, started_at: prior?.started_at ?? null, finished_at: o.at, output, error: prior?.error ?? null })
    .onConflict((oc) => oc.columns(['run_id', 'step_id']).doUpdateSet({ status: 'skipped', finished_at: o.at, output }))
    .execute()
  return true
}

/** Ends a failed run as recovered by a person (`by`), saying why. */
export async function exitFailedRunAsRecovered(db: Kysely<Database>, id: string, o: { by: string; reason: string; at: string }): Promise<void> {
  await db
    .updateTable('runs')
    .set((eb) => ({ status: 'exited', outcome: 'recovered', ended_by: o.by, error: o.reason, updated_at: o.at, finished_at: o.at, seq: eb('seq', '+', 1) }))
    .where('id', '=', id)
    .execute()
}

/** Says who ended a run, and why. */
export async function setRunEndedBy(db: Kysely<Database>, id: string, by: string, reason: string): Promise<void> {
  await db.updateTable('runs').set({ ended_by: by, error: reason }).where('id', '=', id).execute()
}

/** Reads a run in the caller's transaction (it must exist). */
export async function runRowIn(db: Kysely<Database>, id: string): Promise<RunRow> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}
