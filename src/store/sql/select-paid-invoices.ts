import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { dialectOfDb, inList, listParam, runSql } from './statement.js'

const TEXT = {
  sqlite: `select invoice_id, event_id from payments where ${inList('sqlite', 'invoice_id', '?')} and status = 'succeeded' order by id`,
  postgres: `select invoice_id, event_id from payments where ${inList('postgres', 'invoice_id', '$1')} and status = 'succeeded' order by id`,
}

/** Which of these invoices are recorded as paid, each with the event that paid it (the first one). */
export async function paidInvoices(db: Kysely<Database>, invoiceIds: readonly string[]): Promise<Map<string, string>> {
  const paid = new Map<string, string>()
  if (invoiceIds.length === 0) return paid
  const dialect = dialectOfDb(db)
  const rows = await runSql<{ invoice_id: string; event_id: string }>(db, TEXT[dialect], [listParam(dialect, invoiceIds)])
  for (const r of rows) if (!paid.has(r.invoice_id)) paid.set(r.invoice_id, r.event_id)
  return paid
}
