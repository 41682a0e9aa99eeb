import type { Kysely } from 'kysely'
import type { Database } from '../../store/schema.js'
import type { StripeSubscriptionUpdate } from './stripe.js'

/**
 * Brings the subscriptions record in line with Stripe's view of a subscription (upsert by id).
 * Idempotent, so Stripe's retries need no dedupe; `now` is an ISO timestamp.
 */
export async function applySubscriptionUpdate(db: Kysely<Database>, update: StripeSubscriptionUpdate, now = new Date().toISOString()): Promise<void> {
  const changes = {
    status: update.status,
    updated_at: now,
    ...(update.amount !== undefined ? { amount: update.amount } : {}),
    ...(update.currency !== undefined ? { currency: update.currency } : {}),
    // An update that names no products must not erase the ones a payment event recorded.
    ...(update.product_ids.length > 0 ? { product_ids: JSON.stringify(update.product_ids) } : {}),
  }
  await db
    .insertInto('subscriptions')
    .values({
      id: update.id,
      customer_id: update.customer,
      product_ids: JSON.stringify(update.product_ids),
      amount: update.amount ?? null,
      currency: update.currency ?? null,
      created_at: now,
      ...changes,
    })
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute()
}
