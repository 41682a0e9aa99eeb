import type { Kysely } from 'kysely'
import type { Database } from '../../store/schema.js'
import { ensureCustomerFromProcessor, upsertSubscription } from '../../store/repos/subscription-sync.js'
import type { StripeSubscriptionUpdate } from './webhook-events.js'

/**
 * Brings the subscriptions record in line with Stripe's view of a subscription (upsert by id), and
 * makes sure its customer exists: a subscription event may be the first Recoup hears of them.
 * Idempotent, so Stripe's retries need no dedupe; `now` is an ISO timestamp.
 */
export async function applySubscriptionUpdate(db: Kysely<Database>, update: StripeSubscriptionUpdate, now = new Date().toISOString()): Promise<void> {
  // Customer first: a failure between the two statements leaves a customer, never an orphan.
  // An expanded Stripe customer's contact details fill what is unknown.
  await ensureCustomerFromProcessor(db, update.customer, update.contact, now)
  await upsertSubscription(db, { id: update.id, customerId: update.customer, status: update.status, productIds: update.product_ids, amount: update.amount, currency: update.currency }, now)
}
