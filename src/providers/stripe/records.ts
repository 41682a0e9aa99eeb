import type { Kysely } from 'kysely'
import type { Database } from '../../store/schema.js'
import type { StripeSubscriptionUpdate } from './webhook-events.js'

/**
 * Brings the subscriptions record in line with Stripe's view of a subscription (upsert by id), and
 * makes sure its customer exists: a subscription event may be the first Recoup hears of them.
 * Idempotent, so Stripe's retries need no dedupe; `now` is an ISO timestamp.
 */
export async function applySubscriptionUpdate(db: Kysely<Database>, update: StripeSubscriptionUpdate, now = new Date().toISOString()): Promise<void> {
  // Customer first: a failure between the two statements leaves a customer, never an orphan.
  await ensureCustomer(db, update, now)
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

/** Creates the customer if new; an expanded Stripe customer's contact details fill what is unknown. */
async function ensureCustomer(db: Kysely<Database>, update: StripeSubscriptionUpdate, now: string): Promise<void> {
  const contact = update.contact ?? {}
  await db
    .insertInto('customers')
    .values({
      id: update.customer,
      email: contact.email ?? null,
      phone: contact.phone ?? null,
      name: contact.name ?? null,
      ...(contact.locale ? { locale: contact.locale } : {}),
      time_zone: null,
      tags: '[]',
      fields: '{}',
      sms_opt_out: 0,
      email_opt_out: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      update.contact
        ? oc.column('id').doUpdateSet((eb) => ({
            // What Recoup already knows (from events, the API) wins over Stripe's copy.
            email: eb.fn.coalesce(eb.ref('customers.email'), eb.ref('excluded.email')),
            phone: eb.fn.coalesce(eb.ref('customers.phone'), eb.ref('excluded.phone')),
            name: eb.fn.coalesce(eb.ref('customers.name'), eb.ref('excluded.name')),
            ...(contact.locale ? { locale: eb.fn.coalesce(eb.ref('customers.locale'), eb.ref('excluded.locale')) } : {}),
          }))
        : oc.column('id').doNothing(),
    )
    .execute()
}
