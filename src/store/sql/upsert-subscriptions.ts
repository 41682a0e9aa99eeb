import type { Kysely } from 'kysely'
import type { Database, SubscriptionRow } from '../schema.js'
import { insertRows, type RowsInsert } from './statement.js'

/** What a payment tells of its subscription. */
export type PaidSubscription = Pick<SubscriptionRow, 'id' | 'customer_id' | 'product_ids' | 'status' | 'amount' | 'currency' | 'created_at' | 'updated_at'>
/** What a subscription.ended event tells. */
export type EndedSubscription = Pick<SubscriptionRow, 'id' | 'customer_id' | 'product_ids' | 'status' | 'created_at' | 'updated_at'>

const PAID = ['id', 'customer_id', 'product_ids', 'status', 'amount', 'currency', 'created_at', 'updated_at'] as const satisfies readonly (keyof PaidSubscription)[]
const BY_PAYMENT: RowsInsert<(typeof PAID)[number]> = {
  table: 'subscriptions',
  columns: PAID,
  tail: 'on conflict (id) do update set status = excluded.status, amount = excluded.amount, currency = excluded.currency, updated_at = excluded.updated_at',
}
const ENDED = ['id', 'customer_id', 'product_ids', 'status', 'created_at', 'updated_at'] as const satisfies readonly (keyof EndedSubscription)[]
// Only the status: what we know of its amount and products stays.
const BY_END: RowsInsert<(typeof ENDED)[number]> = {
  table: 'subscriptions',
  columns: ENDED,
  tail: 'on conflict (id) do update set status = excluded.status, updated_at = excluded.updated_at',
}

/** Subscriptions as their last payment leaves them (past_due or active, amount and currency). */
export async function upsertPaidSubscriptions(db: Kysely<Database>, rows: readonly PaidSubscription[]): Promise<void> {
  await insertRows(db, BY_PAYMENT, rows)
}

/** Subscriptions that ended: only the status changes on a known one. */
export async function upsertEndedSubscriptions(db: Kysely<Database>, rows: readonly EndedSubscription[]): Promise<void> {
  await insertRows(db, BY_END, rows)
}
