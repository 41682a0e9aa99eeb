/**
 * The customer's card changed → `payment_method.updated` (with the new card's id when Stripe
 * says which): each active recovery of the customer makes one payment attempt with it at once,
 * outside its schedule. Stripe says so in several ways, and one card update often sends several
 * of them (the billing portal: `payment_method.attached` and `customer.updated`; Checkout in setup
 * mode: `setup_intent.succeeded` and `checkout.session.completed`); they name the same card, so the
 * attempt they ask for is the same one.
 */
import type { EventInput } from '../../domain/events.js'
import type { z } from 'zod'
import type { checkoutSessionSchema, paymentMethodSchema, setupIntentSchema, StripeCustomerObject } from './shapes.js'
import { customerRef, head, ignored, isRecord, mapped, type EventHead, type StripeLookedUp, type StripeMapping } from './mapping.js'

/** `customer.updated` whose `invoice_settings.default_payment_method` changed to another card. */
export function mapCustomerUpdated(event: EventHead, customer: StripeCustomerObject, previous: unknown): StripeMapping {
  const before = isRecord(previous) && isRecord(previous.invoice_settings) ? previous.invoice_settings : undefined
  if (!before || !('default_payment_method' in before)) return ignored('customer.updated did not change the default card')
  const old = before.default_payment_method
  const oldId = typeof old === 'string' ? old : isRecord(old) && typeof old.id === 'string' ? old.id : null
  const current = customer.invoice_settings?.default_payment_method
  if (!current) return ignored(`customer ${customer.id} no longer has a default card`)
  if (current === oldId) return ignored(`the default card of customer ${customer.id} did not change`)
  return cardChanged(event, customerRef(customer.id, customer), current)
}

/** `payment_method.attached` / `payment_method.automatically_updated`, of a customer's card. */
export function mapPaymentMethod(event: EventHead, pm: z.output<typeof paymentMethodSchema>): StripeMapping {
  if (!pm.customer) return ignored(`payment method ${pm.id} belongs to no customer`)
  return cardChanged(event, { id: pm.customer }, pm.id)
}

/** `setup_intent.succeeded`: a card saved for later payments. */
export function mapSetupIntent(event: EventHead, si: z.output<typeof setupIntentSchema>): StripeMapping {
  if (!si.customer) return ignored(`setup intent ${si.id} belongs to no customer`)
  return cardChanged(event, { id: si.customer }, si.payment_method)
}

/**
 * `checkout.session.completed` in setup mode. Its SetupIntent is an id in webhooks: the card then
 * comes from what the route looked up, else the event names no card (the attempt uses the
 * customer's default).
 */
export function mapCheckoutSession(event: EventHead, session: z.output<typeof checkoutSessionSchema>, looked: StripeLookedUp = {}): StripeMapping {
  if (session.mode !== 'setup') return ignored(`checkout session ${session.id} is not in setup mode`)
  if (!session.customer) return ignored(`checkout session ${session.id} belongs to no customer`)
  return cardChanged(event, { id: session.customer }, session.setup_intent?.payment_method ?? looked.setupIntentPaymentMethod)
}

function cardChanged(event: EventHead, customer: EventInput['customer'], paymentMethodId: string | undefined): StripeMapping {
  return mapped({ ...head(event), type: 'payment_method.updated', customer, ...(paymentMethodId ? { payment_method_id: paymentMethodId } : {}) })
}
