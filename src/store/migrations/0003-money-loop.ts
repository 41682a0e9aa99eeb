import type { Kysely } from 'kysely'

// Append-only: never edit a migration that has shipped; add the next number instead.

/**
 * The money loop with the card networks' facts:
 * - each failed payment keeps why it failed (decline and advice codes, the card) and whether that
 *   reason is still on its way (`reason_status`: known | pending | unknown);
 * - decline reasons that arrive before their failure wait in `decline_reasons` until it comes;
 * - a run can be asked for one payment attempt outside its schedule (`attempt_request`: a new
 *   card, or the customer's "retry now"), whatever step it is in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'decline_code', 'advice_code', 'network_advice_code', 'network_decline_code', 'card_brand',
    'payment_method_id', 'card_fingerprint', 'payment_intent_id', 'reason_status', 'next_attempt_at', 'source',
  ]) {
    await db.schema.alterTable('payments').addColumn(column, 'text').execute()
  }
  await db.schema.alterTable('subscriptions').addColumn('default_payment_method', 'text').execute()
  await db.schema.alterTable('runs').addColumn('attempt_request', 'text').execute()
  await db.schema
    .createTable('decline_reasons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addColumn('payment_intent_id', 'text')
    .addColumn('amount', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('decline_reasons_customer').on('decline_reasons').columns(['customer_id', 'created_at']).execute()
  // The enricher looks for failures whose reason is still on its way; few rows, so a partial scan.
  await db.schema.createIndex('payments_reason').on('payments').columns(['reason_status', 'created_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('payments_reason').execute()
  await db.schema.dropTable('decline_reasons').execute()
  await db.schema.alterTable('runs').dropColumn('attempt_request').execute()
  await db.schema.alterTable('subscriptions').dropColumn('default_payment_method').execute()
  for (const column of [
    'decline_code', 'advice_code', 'network_advice_code', 'network_decline_code', 'card_brand',
    'payment_method_id', 'card_fingerprint', 'payment_intent_id', 'reason_status', 'next_attempt_at', 'source',
  ]) {
    await db.schema.alterTable('payments').dropColumn(column).execute()
  }
}
