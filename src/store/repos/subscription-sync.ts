import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'

// Records kept in line with a payment processor's own view (Stripe subscription events).

/** A subscription as the processor describes it; `undefined` fields are left as they are. */
export interface SubscriptionSync {
  readonly id: string
  readonly customerId: string
  readonly status: string
  readonly productIds: readonly string[]
  readonly amount?: number
  readonly currency?: string
}

/** Upserts a subscription by id; an update that names no products keeps the ones already recorded. */
export async function upsertSubscription(db: Kysely<Database>, s: SubscriptionSync, now: string): Promise<void> {
  const changes = {
    status: s.status,
    updated_at: now,
    ...(s.amount !== undefined ? { amount: s.amount } : {}),
    ...(s.currency !== undefined ? { currency: s.currency } : {}),
    ...(s.productIds.length > 0 ? { product_ids: JSON.stringify(s.productIds) } : {}),
  }
  await db
    .insertInto('subscriptions')
    .values({ id: s.id, customer_id: s.customerId, product_ids: JSON.stringify(s.productIds), amount: s.amount ?? null, currency: s.currency ?? null, created_at: now, ...changes })
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute()
}

/** Contact details a processor knows of a customer. */
export interface ProcessorContact {
  readonly email?: string | null
  readonly phone?: string | null
  readonly name?: string | null
  readonly locale?: string | null
}

/**
 * Creates the customer if new. With `contact`, the processor's details fill only what Recoup does
 * not know yet (what events and the API said wins).
 */
export async function ensureCustomerFromProcessor(db: Kysely<Database>, id: string, contact: ProcessorContact | undefined, now: string): Promise<void> {
  const c = contact ?? {}
  await db
    .insertInto('customers')
    .values({
      id, email: c.email ?? null, phone: c.phone ?? null, name: c.name ?? null, ...(c.locale ? { locale: c.locale } : {}),
      time_zone: null, tags: '[]', fields: '{}', sms_opt_out: 0, email_opt_out: 0, created_at: now, updated_at: now,
    })
    .onConflict((oc) =>
      contact
        ? oc.column('id').doUpdateSet((eb) => ({
            email: eb.fn.coalesce(eb.ref('customers.email'), eb.ref('excluded.email')),
            phone: eb.fn.coalesce(eb.ref('customers.phone'), eb.ref('excluded.phone')),
            name: eb.fn.coalesce(eb.ref('customers.name'), eb.ref('excluded.name')),
            ...(c.locale ? { locale: eb.fn.coalesce(eb.ref('customers.locale'), eb.ref('excluded.locale')) } : {}),
          }))
        : oc.column('id').doNothing(),
    )
    .execute()
}
