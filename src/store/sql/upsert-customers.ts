import type { Kysely } from 'kysely'
import type { CustomerRow, Database } from '../schema.js'
import { insertRows, type EveryColumn, type RowsInsert } from './statement.js'

const COLUMNS = [
  'id', 'email', 'phone', 'name', 'time_zone', 'locale', 'tags', 'fields', 'sms_opt_out', 'email_opt_out', 'created_at', 'updated_at',
] as const
const CUSTOMERS: RowsInsert<(typeof COLUMNS)[number]> = {
  table: 'customers',
  columns: COLUMNS satisfies EveryColumn<CustomerRow, typeof COLUMNS>,
  // An event that leaves a field out keeps what we know.
  tail: `on conflict (id) do update set
    email = coalesce(excluded.email, customers.email), phone = coalesce(excluded.phone, customers.phone),
    name = coalesce(excluded.name, customers.name), time_zone = coalesce(excluded.time_zone, customers.time_zone),
    locale = coalesce(excluded.locale, customers.locale), updated_at = excluded.updated_at
    returning *`,
}

/** Inserts new customers and fills known ones' fields the rows give (nulls keep what is stored); returns every row as saved. */
export async function upsertCustomerRows(db: Kysely<Database>, rows: readonly CustomerRow[]): Promise<CustomerRow[]> {
  return insertRows<(typeof COLUMNS)[number], CustomerRow>(db, CUSTOMERS, rows)
}
