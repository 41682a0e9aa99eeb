import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { dialectOfDb, inList, listParam, runSql } from './statement.js'

const OF_CUSTOMERS = {
  sqlite: `select id from runs where ${inList('sqlite', 'customer_id', '?')} and status = 'waiting'`,
  postgres: `select id from runs where ${inList('postgres', 'customer_id', '$1')} and status = 'waiting'`,
}
const BY_ID = {
  sqlite: `select id from runs where ${inList('sqlite', 'id', '?')} and ${inList('sqlite', 'customer_id', '?')} and status = 'waiting'`,
  postgres: `select id from runs where ${inList('postgres', 'id', '$1')} and ${inList('postgres', 'customer_id', '$2')} and status = 'waiting'`,
}

/** Ids of the waiting runs of these customers. */
export async function waitingRunsOfCustomers(db: Kysely<Database>, customerIds: readonly string[]): Promise<string[]> {
  if (customerIds.length === 0) return []
  const dialect = dialectOfDb(db)
  return (await runSql<{ id: string }>(db, OF_CUSTOMERS[dialect], [listParam(dialect, customerIds)])).map((r) => r.id)
}

/** Ids of those of these runs that are waiting and belong to one of these customers. */
export async function waitingRunsOwnedBy(db: Kysely<Database>, runIds: readonly string[], customerIds: readonly string[]): Promise<string[]> {
  if (runIds.length === 0 || customerIds.length === 0) return []
  const dialect = dialectOfDb(db)
  return (await runSql<{ id: string }>(db, BY_ID[dialect], [listParam(dialect, runIds), listParam(dialect, customerIds)])).map((r) => r.id)
}
