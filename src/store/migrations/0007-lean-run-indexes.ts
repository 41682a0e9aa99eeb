import type { Kysely } from 'kysely'

/**
 * Writes less per new run. Every index on `runs` is one more b-tree insert for each event that
 * starts a run; `runs_outcome` held an entry for every run although only ended runs have an
 * outcome, and the only queries on it ask for one outcome (`outcome = ?`), which implies
 * `outcome is not null` in both dialects. As a partial index it is written when a run ends, not
 * when it starts. The other indexes of the hot tables each serve a query (reviewed for issue #14):
 * events and customers have only their key; payments_customer, payments_occurred,
 * payments_invoice and payments_reason serve the customer page, analytics, the paid-invoice
 * check and the enricher's poll; runs_customer_status, runs_event, runs_workflow and runs_status
 * serve ingest, deduplication, run lists and the per-status counts; jobs_run_at the scheduler.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_outcome').execute()
  await db.schema.createIndex('runs_outcome').on('runs').columns(['outcome', 'id']).where('outcome', 'is not', null).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_outcome').execute()
  await db.schema.createIndex('runs_outcome').on('runs').columns(['outcome', 'id']).execute()
}
