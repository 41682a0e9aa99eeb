// The money loop's reads and writes of decline reasons and the failures they explain (not hot:
// Kysely builds them).
import type { Kysely } from 'kysely'
import type { Database, DeclineReasonRow, PaymentRow } from '../schema.js'

/** Reasons of these customers stored since `since`, oldest first. */
export async function storedReasons(db: Kysely<Database>, customerIds: readonly string[], since: string): Promise<DeclineReasonRow[]> {
  if (customerIds.length === 0) return []
  return db.selectFrom('decline_reasons').selectAll().where('customer_id', 'in', [...customerIds]).where('created_at', '>=', since).orderBy('created_at').execute()
}

/** Forgets reasons a failure took. */
export async function deleteReasons(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('decline_reasons').where('id', 'in', [...ids]).execute()
}

/** Keeps a reason for the failure it explains (once per id). */
export async function keepReason(db: Kysely<Database>, row: DeclineReasonRow): Promise<void> {
  await db.insertInto('decline_reasons').values(row).onConflict((oc) => oc.column('id').doNothing()).execute()
}

/** A customer's latest failures whose reason is not known yet (at most 20, newest first). */
export async function failuresAwaitingReason(db: Kysely<Database>, customerId: string) {
  return db
    .selectFrom('payments')
    .select(['id', 'payment_id', 'invoice_id', 'payment_intent_id', 'amount', 'currency', 'reason_status'])
    .where('customer_id', '=', customerId)
    .where('status', '=', 'failed')
    .where('reason_status', 'in', ['pending', 'fetching', 'unknown'])
    .orderBy('id', 'desc')
    .limit(20)
    .execute()
}

/** A customer's failures stored since `since` whose reason is known (at most 20). */
export async function recentExplainedFailures(db: Kysely<Database>, customerId: string, since: string) {
  return db
    .selectFrom('payments')
    .select(['invoice_id', 'payment_intent_id', 'amount', 'currency', 'decline_code', 'failure_code', 'payment_method_id'])
    .where('customer_id', '=', customerId)
    .where('status', '=', 'failed')
    .where('reason_status', '=', 'known')
    .where('created_at', '>=', since)
    .limit(20)
    .execute()
}

/** The reason fields a failure takes when its reason comes. */
export type ReasonFields = Pick<
  PaymentRow,
  | 'reason_status' | 'failure_code' | 'failure_message' | 'decline_code' | 'advice_code' | 'network_advice_code' | 'network_decline_code'
  | 'card_brand' | 'payment_method_id' | 'card_fingerprint'
> & { payment_intent_id?: string }

/** Writes a failure's reason. */
export async function setPaymentReason(db: Kysely<Database>, paymentRowId: string, fields: ReasonFields): Promise<void> {
  await db.updateTable('payments').set(fields).where('id', '=', paymentRowId).execute()
}
