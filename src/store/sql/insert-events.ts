import type { Kysely } from 'kysely'
import type { Database, EventRow } from '../schema.js'
import { insertRows, type EveryColumn, type RowsInsert } from './statement.js'

const COLUMNS = ['id', 'type', 'customer_id', 'payload', 'occurred_at', 'received_at'] as const
const EVENTS: RowsInsert<(typeof COLUMNS)[number]> = {
  table: 'events',
  columns: COLUMNS satisfies EveryColumn<EventRow, typeof COLUMNS>,
  tail: 'on conflict (id) do nothing returning id',
}

/** Stores the events whose id is new; returns the ids that were (the rest were known already). */
export async function insertNewEvents(db: Kysely<Database>, rows: readonly EventRow[]): Promise<Set<string>> {
  const saved = await insertRows<(typeof COLUMNS)[number], { id: string }>(db, EVENTS, rows)
  return new Set(saved.map((r) => r.id))
}
