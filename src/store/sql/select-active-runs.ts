import type { Kysely } from 'kysely'
import { ACTIVE_RUN_STATUSES } from '../repos/runs.js'
import type { Database, RunRow } from '../schema.js'
import { dialectOfDb, inList, listParam, runSql } from './statement.js'

const ACTIVE = ACTIVE_RUN_STATUSES.map((s) => `'${s}'`).join(', ')
const TEXT = {
  sqlite: `select * from runs where ${inList('sqlite', 'customer_id', '?')} and status in (${ACTIVE})`,
  postgres: `select * from runs where ${inList('postgres', 'customer_id', '$1')} and status in (${ACTIVE})`,
}

/** The running and waiting runs of these customers. */
export async function activeRunsOf(db: Kysely<Database>, customerIds: readonly string[]): Promise<RunRow[]> {
  if (customerIds.length === 0) return []
  const dialect = dialectOfDb(db)
  return runSql(db, TEXT[dialect], [listParam(dialect, customerIds)])
}
