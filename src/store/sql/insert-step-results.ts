import type { Kysely } from 'kysely'
import type { Database, StepResultRow } from '../schema.js'
import { insertRows, type EveryColumn, type RowsInsert } from './statement.js'

const COLUMNS = ['run_id', 'step_id', 'type', 'status', 'attempts', 'started_at', 'finished_at', 'output', 'error'] as const
const STEP_RESULTS: RowsInsert<(typeof COLUMNS)[number]> = { table: 'step_results', columns: COLUMNS satisfies EveryColumn<StepResultRow, typeof COLUMNS> }

/** Stores new step results (steps that started in the same transaction as their run). */
export async function insertStepResults(db: Kysely<Database>, rows: readonly StepResultRow[]): Promise<void> {
  await insertRows(db, STEP_RESULTS, rows)
}
