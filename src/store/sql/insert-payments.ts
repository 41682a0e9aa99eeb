import type { Kysely } from 'kysely'
import type { Database, PaymentRow } from '../schema.js'
import { insertRows, type EveryColumn, type RowsInsert } from './statement.js'

const COLUMNS = [
  'id', 'event_id', 'payment_id', 'customer_id', 'subscription_id', 'invoice_id', 'product_ids', 'status', 'amount', 'currency',
  'failure_code', 'failure_message', 'attempt', 'occurred_at', 'created_at', 'decline_code', 'advice_code', 'network_advice_code',
  'network_decline_code', 'card_brand', 'payment_method_id', 'card_fingerprint', 'payment_intent_id', 'reason_status', 'next_attempt_at', 'source',
] as const
const PAYMENTS: RowsInsert<(typeof COLUMNS)[number]> = { table: 'payments', columns: COLUMNS satisfies EveryColumn<PaymentRow, typeof COLUMNS> }

/** Records payment attempts (one row per payment event). */
export async function insertPayments(db: Kysely<Database>, rows: readonly PaymentRow[]): Promise<void> {
  await insertRows(db, PAYMENTS, rows)
}
