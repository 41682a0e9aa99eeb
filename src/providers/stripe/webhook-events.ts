/**
 * Stripe events → Recoup's normalized events. Pure: no I/O, so every mapping is testable alone.
 * The route may look a few things up first (bounded, see stripe-lookups.ts) and pass them in.
 *
 * | Stripe event                                                  | Recoup                                   |
 * | ------------------------------------------------------------- | ---------------------------------------- |
 * | `invoice.payment_failed`                                      | `payment.failed` (reason pending)         |
 * | `charge.failed`, `payment_intent.payment_failed`              | `payment.decline_reason`                 |
 * | `invoice.paid`, `invoice.payment_succeeded`                   | `payment.succeeded`                      |
 * | `invoice.voided`, `invoice.marked_uncollectible`              | `invoice.closed`                         |
 * | `customer.subscription.deleted` of an installment plan, `subscription_schedule.canceled` of one | `installment_plan.canceled` |
 * | `customer.subscription.deleted`, `.updated` to canceled / unpaid / incomplete_expired | `subscription.ended` (+ the record) |
 * | `customer.subscription.updated` (other statuses)              | the subscription record's status         |
 * | `customer.updated` (new default card), `payment_method.attached`, `payment_method.automatically_updated`, `setup_intent.succeeded`, `checkout.session.completed` (setup mode) | `payment_method.updated` |
 * | anything else                                                 | ignored (answered 200, logged)           |
 *
 * Event ids are `stripe:<Stripe event id>`, so Stripe's retries dedupe like any repeated event.
 * Objects are read by their shape, never by the API version string: fields moved between versions
 * (the invoice's subscription and payment intent before 2025-03-31, `parent` after) are read
 * wherever they are.
 *
 * Every field read is checked first (`stripe-shapes.ts`): an event Recoup cannot use (no currency,
 * no customer, a time out of range, …) maps to `ignored` with `malformed: true` and a reason naming
 * the field, never to an exception. Stripe retries anything but a 2xx for days, and a retry of the
 * same bytes cannot do better. The customer may come as an id or as the expanded object.
 *
 * Installment plans: Stripe has no installment-plan object, so a subscription (or a subscription
 * schedule) is one when its own `metadata` carries the Recoup keys below. Metadata values are
 * strings in Stripe; integers are written in decimal.
 *
 * - `recoup_installments_total` (required, integer ≥ 1): how many installments the plan has. Its
 *   presence is what marks the subscription or schedule as an installment plan.
 * - `recoup_installments_paid` (optional, integer ≥ 0, default 0): installments collected so far.
 *   Keep it current (e.g. from your `invoice.paid` handler); the balance due is computed from it.
 * - `recoup_installment_amount` (optional, integer minor units): the amount of one installment.
 *   Default: the first item's `price.unit_amount`. Set it on schedules, whose phase prices arrive as
 *   bare ids in webhooks, and on plans whose price is not per-unit.
 * - `recoup_product_ids` (optional, comma-separated): the Recoup product ids of the plan. Default:
 *   the Stripe product ids of the items' prices (mapped by `productIdFromPrice`); a schedule's bare
 *   price ids are looked up through the API when a secret key is configured.
 *
 * When the plan is canceled, Recoup receives `installment_plan.canceled` with plan id = the
 * subscription (or schedule) id, `balance_due = (total − paid) × installment_amount` and `reason`
 * = Stripe's `cancellation_details.reason`. A plan whose installments are all paid ended normally:
 * it only updates the subscription record. Mark the subscription or its schedule, not both (a
 * schedule's own metadata is not copied to its subscription; phase metadata is), or one
 * cancellation becomes two plans.
 */
import { mapCheckoutSession, mapCustomerUpdated, mapPaymentMethod, mapSetupIntent } from './cards.js'
import { isInstallmentPlan, mapInvoiceClosed, mapSchedulePlan, mapSubscription, unresolvedSchedulePrices } from './lifecycle.js'
import { isRecord, malformed, type StripeLookedUp, type StripeMapOptions, type StripeMapping, type StripePriceRef } from './mapping.js'
import { mapChargeFailed, mapInvoicePayment, mapPaymentIntentFailed } from './payments-map.js'
import {
  chargeSchema, checkoutSessionSchema, closedInvoiceSchema, customerObjectSchema, envelopeSchema, failedInvoiceSchema, kindOf, paidInvoiceSchema,
  paymentIntentSchema, paymentMethodSchema, readShape, scheduleSchema, setupIntentSchema, subscriptionSchema,
} from './shapes.js'

export { eventId, type StripeContact, type StripeIgnored, type StripeLookedUp, type StripeMapOptions, type StripeMapping, type StripePriceRef, type StripeSubscriptionUpdate } from './mapping.js'

/** Stripe event types Recoup reads; every other type is answered `ignored`. */
export const USED_STRIPE_EVENTS = [
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'charge.failed',
  'payment_intent.payment_failed',
  'customer.subscription.deleted',
  'customer.subscription.updated',
  'subscription_schedule.canceled',
  'customer.updated',
  'payment_method.attached',
  'payment_method.automatically_updated',
  'setup_intent.succeeded',
  'checkout.session.completed',
] as const
const USED_TYPES = new Set<string>(USED_STRIPE_EVENTS)

/**
 * Maps one verified Stripe event (the parsed body, whatever its shape) to a normalized event, a
 * subscription update, or a reason to ignore it. Never throws on the payload's shape. `looked`
 * holds what the route looked up through the API for it (see `lookupsFor`).
 */
export function mapStripeEvent(body: unknown, options: StripeMapOptions = {}, looked: StripeLookedUp = {}): StripeMapping {
  const toProduct = options.productIdFromPrice ?? ((p: StripePriceRef) => p.product)
  if (!isRecord(body)) return { kind: 'ignored', reason: `the body is ${kindOf(body)}, not a Stripe event object`, malformed: true }
  const type = body.type
  if (typeof type !== 'string') return { kind: 'ignored', reason: `the event's type ${type === undefined ? 'is missing' : `must be a string, not ${kindOf(type)}`}`, malformed: true }
  if (!USED_TYPES.has(type)) return { kind: 'ignored', reason: `event type ${type.slice(0, 100)} is not used by Recoup` }

  const envelope = readShape(envelopeSchema, body, '')
  if (!envelope.ok) return malformed('event', body, envelope.reason)
  const event = { id: envelope.value.id, type, created: envelope.value.created }
  const object = envelope.value.data.object
  /** Reads data.object with `schema`, or says which field makes it unusable. */
  const read = <T>(what: string, parsed: { ok: true; value: T } | { ok: false; reason: string }, then: (value: T) => StripeMapping): StripeMapping =>
    parsed.ok ? then(parsed.value) : malformed(what, object, parsed.reason)

  switch (type) {
    case 'invoice.payment_failed':
      return read('invoice', readShape(failedInvoiceSchema, object, 'data.object'), (inv) => mapInvoicePayment(event, inv, { type: 'payment.failed', amount: inv.amount_due }, toProduct))
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
      return read('invoice', readShape(paidInvoiceSchema, object, 'data.object'), (inv) => mapInvoicePayment(event, inv, { type: 'payment.succeeded', amount: inv.amount_paid }, toProduct))
    case 'invoice.voided':
    case 'invoice.marked_uncollectible':
      return read('invoice', readShape(closedInvoiceSchema, object, 'data.object'), (inv) => mapInvoiceClosed(event, inv, toProduct))
    case 'charge.failed':
      return read('charge', readShape(chargeSchema, object, 'data.object'), (charge) => mapChargeFailed(event, charge, object))
    case 'payment_intent.payment_failed':
      return read('payment intent', readShape(paymentIntentSchema, object, 'data.object'), (pi) => mapPaymentIntentFailed(event, pi, object))
    case 'customer.subscription.deleted':
    case 'customer.subscription.updated':
      return read('subscription', readShape(subscriptionSchema, object, 'data.object'), (sub) => mapSubscription(event, sub, toProduct))
    case 'customer.updated':
      return read('customer', readShape(customerObjectSchema, object, 'data.object'), (customer) => mapCustomerUpdated(event, customer, previousAttributes(body)))
    case 'payment_method.attached':
    case 'payment_method.automatically_updated':
      return read('payment method', readShape(paymentMethodSchema, object, 'data.object'), (pm) => mapPaymentMethod(event, pm))
    case 'setup_intent.succeeded':
      return read('setup intent', readShape(setupIntentSchema, object, 'data.object'), (si) => mapSetupIntent(event, si))
    case 'checkout.session.completed':
      return read('checkout session', readShape(checkoutSessionSchema, object, 'data.object'), (session) => mapCheckoutSession(event, session, looked))
    default: {
      // subscription_schedule.canceled: only installment plans matter, whatever else is wrong.
      if (!isInstallmentPlan(object.metadata)) return { kind: 'ignored', reason: 'subscription schedule is not an installment plan (no metadata.recoup_installments_total)' }
      return read('subscription schedule', readShape(scheduleSchema, object, 'data.object'), (schedule) => mapSchedulePlan(event, schedule, toProduct, looked))
    }
  }
}

/** What mapping `body` would gain from Stripe's API: bare price ids of a schedule, a session's SetupIntent. */
export function lookupsFor(body: unknown): { readonly priceIds?: readonly string[]; readonly setupIntentId?: string } {
  if (!isRecord(body) || !isRecord(body.data) || !isRecord(body.data.object)) return {}
  const object = body.data.object
  if (body.type === 'subscription_schedule.canceled' && isInstallmentPlan(object.metadata)) {
    const schedule = readShape(scheduleSchema, object, 'data.object')
    const priceIds = schedule.ok ? unresolvedSchedulePrices(schedule.value) : []
    return priceIds.length > 0 ? { priceIds } : {}
  }
  if (body.type === 'checkout.session.completed' && object.mode === 'setup' && typeof object.setup_intent === 'string') {
    return { setupIntentId: object.setup_intent }
  }
  return {}
}

function previousAttributes(body: Record<string, unknown>): unknown {
  return isRecord(body.data) ? body.data.previous_attributes : undefined
}
