// Ingest's changes to runs that already exist (not hot: Kysely builds them).
import type { Kysely } from 'kysely'
import { ACTIVE_RUN_STATUSES } from '../repos/runs.js'
import type { Database } from '../schema.js'

/** Replaces a run's event snapshot (a later failure or a decline reason changed it). */
export async function setRunContext(db: Kysely<Database>, runId: string, context: string): Promise<void> {
  await db.updateTable('runs').set({ context }).where('id', '=', runId).execute()
}

/** Asks a still active run for one payment attempt outside its schedule. */
export async function setAttemptRequest(db: Kysely<Database>, runId: string, request: string): Promise<void> {
  await db.updateTable('runs').set({ attempt_request: request }).where('id', '=', runId).where('status', 'in', [...ACTIVE_RUN_STATUSES]).execute()
}
