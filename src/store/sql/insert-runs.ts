import type { Kysely } from 'kysely'
import type { Database, RunRow } from '../schema.js'
import { insertRows, type EveryColumn, type RowsInsert } from './statement.js'

const COLUMNS = [
  'id', 'workflow_id', 'workflow_version', 'event_id', 'customer_id', 'product_ids', 'subscription_id', 'plan_id', 'exit_on', 'status',
  'cursor', 'seq', 'context', 'wait_until', 'wait_reason', 'error', 'created_at', 'updated_at', 'finished_at', 'attempt_request', 'outcome', 'ended_by',
] as const
const RUNS: RowsInsert<(typeof COLUMNS)[number]> = { table: 'runs', columns: COLUMNS satisfies EveryColumn<RunRow, typeof COLUMNS> }

/** Stores new runs. */
export async function insertRuns(db: Kysely<Database>, rows: readonly RunRow[]): Promise<void> {
  await insertRows(db, RUNS, rows)
}
