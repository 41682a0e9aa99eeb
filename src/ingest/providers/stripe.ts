/**
 * Stripe events → Recoup's normalized events. Pure: no I/O, so every mapping is testable alone.
 *
 * | Stripe event                                         | Recoup                                    |
 * | ---------------------------------------------------- | ----------------------------------------- |
 * | `invoice.payment_failed`                             | `payment.failed`                          |
 * | `invoice.paid`, `invoice.payment_succeeded`          | `payment.succeeded`                       |
 * | `customer.subscription.deleted` of an installment plan, `subscription_schedule.canceled` of one | `installment_plan.canceled` |
 * | `customer.subscription.updated` / `.deleted` (others)| the subscription record's status          |
 * | anything else                                        | ignored (answered 200, logged)            |
 *
 * Event ids are `stripe:<Stripe event id>`, so Stripe's retries dedupe like any repeated event.
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
 *   the Stripe product ids of the items' prices (mapped by `productIdFromPrice`).
 *
 * When the plan is canceled, Recoup receives `installment_plan.canceled` with plan id = the
 * subscription (or schedule) id, `balance_due = (total − paid) × installment_amount` and `reason`
 * = Stripe's `cancellation_details.reason`. A plan whose installments are all paid ended normally:
 * it only updates the subscription record. Mark the subscription or its schedule, not both (a
 * schedule's own metadata is not copied to its subscription; phase metadata is), or one
 * cancellation becomes two plans.
 */
import type Stripe from 'stripe'
import { customerRefSchema, type EventInput } from '../../domain/events.js'

/** A price on an invoice line or subscription item, as handed to `productIdFromPrice`. */
export interface StripePriceRef {
  readonly price?: string
  readonly product: string
}

export interface StripeMapOptions {
  /** Turns a Stripe price into a Recoup product id; default: the Stripe product id (`prod_…`). */
  readonly productIdFromPrice?: (price: StripePriceRef) => string
}

/** A subscription's new state, for the subscriptions record. */
export interface StripeSubscriptionUpdate {
  readonly kind: 'subscription'
  readonly id: string
  readonly customer: string
  readonly status: string
  readonly product_ids: readonly string[]
  readonly amount?: number
  readonly currency?: string
}

/** What a Stripe event means to Recoup. */
export type StripeMapping =
  | { readonly kind: 'event'; readonly event: EventInput }
  | StripeSubscriptionUpdate
  | { readonly kind: 'ignored'; readonly reason: string }

// Fields older API versions put on objects the current types no longer declare. Stripe sends
// objects in the API version of the webhook endpoint, which may predate the SDK's.
interface LegacyPaymentError {
  readonly code?: string | null
  readonly decline_code?: string | null
  readonly message?: string | null
}
type LegacyInvoice = Stripe.Invoice & {
  readonly subscription?: string | { readonly id: string } | null
  readonly payment_intent?: string | { readonly last_payment_error?: LegacyPaymentError | null } | null
}
type LegacyLine = Stripe.InvoiceLineItem & {
  readonly price?: { readonly id: string; readonly product: string | { readonly id: string } } | null
}

const INSTALLMENTS_TOTAL = 'recoup_installments_total'
const INSTALLMENTS_PAID = 'recoup_installments_paid'
const INSTALLMENT_AMOUNT = 'recoup_installment_amount'
const PRODUCT_IDS = 'recoup_product_ids'

/** Maps one verified Stripe event to a normalized event, a subscription update, or a reason to ignore it. */
export function mapStripeEvent(event: Stripe.Event, options: StripeMapOptions = {}): StripeMapping {
  const toProduct = options.productIdFromPrice ?? ((p: StripePriceRef) => p.product)
  switch (event.type) {
    case 'invoice.payment_failed':
      return mapInvoice(event, event.data.object, 'payment.failed', toProduct)
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
      return mapInvoice(event, event.data.object, 'payment.succeeded', toProduct)
    case 'customer.subscription.deleted':
      if (event.data.object.metadata?.[INSTALLMENTS_TOTAL] !== undefined) return mapSubscriptionPlan(event, event.data.object, toProduct)
      return subscriptionUpdate(event.data.object, toProduct)
    case 'customer.subscription.updated':
      return subscriptionUpdate(event.data.object, toProduct)
    case 'subscription_schedule.canceled':
      if (event.data.object.metadata?.[INSTALLMENTS_TOTAL] === undefined) return { kind: 'ignored', reason: 'subscription schedule is not an installment plan (no metadata.recoup_installments_total)' }
      return mapSchedulePlan(event, event.data.object, toProduct)
    default:
      return { kind: 'ignored', reason: `event type ${event.type} is not used by Recoup` }
  }
}

function mapInvoice(
  event: Stripe.Event,
  invoice: LegacyInvoice,
  type: 'payment.failed' | 'payment.succeeded',
  toProduct: (p: StripePriceRef) => string,
): StripeMapping {
  const customerId = idOf(invoice.customer)
  if (!customerId) return { kind: 'ignored', reason: `invoice ${invoice.id} has no customer` }
  const failed = type === 'payment.failed'
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(invoice.subscription)
  const intent = typeof invoice.payment_intent === 'object' ? invoice.payment_intent : undefined
  const paymentError: LegacyPaymentError | undefined = intent?.last_payment_error ?? invoice.last_finalization_error ?? undefined
  const payment = {
    // The invoice is the thing that is paid (and retried); its payment intents come and go.
    id: invoice.id,
    amount: failed ? invoice.amount_due : invoice.amount_paid,
    currency: invoice.currency.toUpperCase(),
    invoice_id: invoice.id,
    ...(subscriptionId ? { subscription_id: subscriptionId } : {}),
    ...(failed ? failureFields(invoice, paymentError) : {}),
  }
  return {
    kind: 'event',
    event: {
      id: eventId(event),
      type,
      occurred_at: isoFromUnix(event.created),
      customer: customerRef(customerId, { email: invoice.customer_email, name: invoice.customer_name, phone: invoice.customer_phone }),
      product_ids: invoiceProducts(invoice, toProduct),
      payment,
      metadata: { source: 'stripe', stripe_event_type: event.type },
    },
  }
}

function failureFields(invoice: Stripe.Invoice, error: LegacyPaymentError | undefined) {
  const code = error?.decline_code || error?.code || 'card_declined'
  return {
    failure_code: code.slice(0, 100),
    ...(error?.message ? { failure_message: error.message.slice(0, 2000) } : {}),
    ...(invoice.attempt_count > 0 ? { attempt: invoice.attempt_count } : {}),
    ...(invoice.next_payment_attempt ? { next_attempt_at: isoFromUnix(invoice.next_payment_attempt) } : {}),
  }
}

/** Product ids of an invoice's lines: `pricing.price_details` (current API) or `price` (before 2025-03-31). */
function invoiceProducts(invoice: Stripe.Invoice, toProduct: (p: StripePriceRef) => string): string[] {
  const refs: StripePriceRef[] = []
  for (const line of (invoice.lines?.data ?? []) as LegacyLine[]) {
    const details = line.pricing?.price_details
    if (details) refs.push({ price: idOf(details.price), product: details.product })
    else if (line.price) refs.push({ price: line.price.id, product: idOf(line.price.product) ?? '' })
  }
  return unique(refs.filter((r) => r.product).map(toProduct))
}

function subscriptionUpdate(sub: Stripe.Subscription, toProduct: (p: StripePriceRef) => string): StripeSubscriptionUpdate {
  const items = sub.items?.data ?? []
  // The recurring amount is known only when every item has a per-unit price.
  let amount: number | undefined = items.length > 0 ? 0 : undefined
  for (const item of items) {
    const unit = item.price?.unit_amount
    amount = amount === undefined || unit === null || unit === undefined ? undefined : amount + unit * (item.quantity ?? 1)
  }
  return {
    kind: 'subscription',
    id: sub.id,
    customer: idOf(sub.customer) ?? '',
    status: sub.status,
    product_ids: subscriptionProducts(sub.metadata, items.map((i) => i.price), toProduct),
    ...(amount !== undefined ? { amount } : {}),
    ...(sub.currency ? { currency: sub.currency.toUpperCase() } : {}),
  }
}

function mapSubscriptionPlan(event: Stripe.Event, sub: Stripe.Subscription, toProduct: (p: StripePriceRef) => string): StripeMapping {
  const first = sub.items?.data?.[0]?.price
  const plan = planTerms(sub.metadata, first?.unit_amount ?? undefined)
  if (typeof plan === 'string') return { kind: 'ignored', reason: `subscription ${sub.id}: ${plan}` }
  // All installments paid: the plan ran its course; only the subscription record changes.
  if (plan.paid >= plan.total) return subscriptionUpdate(sub, toProduct)
  const customer = sub.customer
  return planEvent(event, {
    id: sub.id,
    customer: customerRef(idOf(customer) ?? '', typeof customer === 'object' && !customer.deleted ? { email: customer.email, name: customer.name, phone: customer.phone } : {}),
    productIds: subscriptionProducts(sub.metadata, (sub.items?.data ?? []).map((i) => i.price), toProduct),
    currency: sub.currency,
    reason: sub.cancellation_details?.reason ?? undefined,
    ...plan,
  })
}

function mapSchedulePlan(event: Stripe.Event, schedule: Stripe.SubscriptionSchedule, toProduct: (p: StripePriceRef) => string): StripeMapping {
  const phase = schedule.phases?.[0]
  const prices = (phase?.items ?? []).map((i) => i.price).filter((p): p is Stripe.Price => typeof p === 'object' && !p.deleted)
  const plan = planTerms(schedule.metadata, prices[0]?.unit_amount ?? undefined)
  if (typeof plan === 'string') return { kind: 'ignored', reason: `subscription schedule ${schedule.id}: ${plan}` }
  if (plan.paid >= plan.total) return { kind: 'ignored', reason: `subscription schedule ${schedule.id}: every installment is paid` }
  if (!phase?.currency) return { kind: 'ignored', reason: `subscription schedule ${schedule.id} has no phase currency` }
  return planEvent(event, {
    id: schedule.id,
    customer: customerRef(idOf(schedule.customer) ?? '', {}),
    productIds: subscriptionProducts(schedule.metadata, prices, toProduct),
    currency: phase.currency,
    // A schedule has no cancellation details; its subscription's deletion carries them.
    reason: 'subscription_schedule_canceled',
    ...plan,
  })
}

interface PlanTerms {
  readonly total: number
  readonly paid: number
  readonly amount: number
}

/** Reads the installment metadata; a string says what is wrong with it. */
function planTerms(metadata: Stripe.Metadata | null, unitAmount: number | undefined): PlanTerms | string {
  const total = wholeNumber(metadata?.[INSTALLMENTS_TOTAL])
  if (total === undefined || total < 1) return `metadata.${INSTALLMENTS_TOTAL} must be a whole number ≥ 1`
  const rawPaid = metadata?.[INSTALLMENTS_PAID]
  const paid = rawPaid === undefined ? 0 : wholeNumber(rawPaid)
  if (paid === undefined) return `metadata.${INSTALLMENTS_PAID} must be a whole number ≥ 0`
  const rawAmount = metadata?.[INSTALLMENT_AMOUNT]
  const amount = rawAmount === undefined ? unitAmount : wholeNumber(rawAmount)
  if (amount === undefined) return `the installment amount is unknown: set metadata.${INSTALLMENT_AMOUNT} (minor units) or use a per-unit price`
  return { total, paid, amount }
}

function planEvent(
  event: Stripe.Event,
  p: PlanTerms & { id: string; customer: EventInput['customer']; productIds: string[]; currency: string; reason: string | undefined },
): StripeMapping {
  if (!p.customer.id) return { kind: 'ignored', reason: `installment plan ${p.id} has no customer` }
  return {
    kind: 'event',
    event: {
      id: eventId(event),
      type: 'installment_plan.canceled',
      occurred_at: isoFromUnix(event.created),
      customer: p.customer,
      product_ids: p.productIds,
      installment_plan: {
        id: p.id,
        installments_total: p.total,
        installments_paid: p.paid,
        installment_amount: p.amount,
        currency: p.currency.toUpperCase(),
        balance_due: (p.total - p.paid) * p.amount,
        ...(p.reason ? { reason: p.reason } : {}),
      },
      metadata: { source: 'stripe', stripe_event_type: event.type },
    },
  }
}

function subscriptionProducts(
  metadata: Stripe.Metadata | null,
  prices: readonly (Stripe.Price | undefined)[],
  toProduct: (p: StripePriceRef) => string,
): string[] {
  const listed = metadata?.[PRODUCT_IDS]
  if (listed) return unique(listed.split(',').map((s) => s.trim()).filter(Boolean))
  const refs = prices.flatMap((p) => {
    const product = p ? idOf(p.product) : undefined
    return p && product ? [{ price: p.id, product }] : []
  })
  return unique(refs.map(toProduct))
}

/**
 * The customer as our schema accepts it. Stripe's own contact fields are looser than ours (a
 * phone need not be E.164), and one odd field must not cost us the event, so those are dropped.
 */
function customerRef(id: string, contact: { email?: string | null; name?: string | null; phone?: string | null }): EventInput['customer'] {
  const shape = customerRefSchema.shape
  const email = shape.email.safeParse(contact.email ?? undefined)
  const phone = shape.phone.safeParse(contact.phone ?? undefined)
  return {
    id,
    ...(email.success && email.data ? { email: email.data } : {}),
    ...(phone.success && phone.data ? { phone: phone.data } : {}),
    ...(contact.name ? { name: contact.name.slice(0, 500) } : {}),
  }
}

/** Our id for a Stripe event; the prefix keeps Stripe's ids apart from ids callers choose. */
export function eventId(event: Pick<Stripe.Event, 'id'>): string {
  return `stripe:${event.id}`
}

function idOf(ref: string | { readonly id: string } | null | undefined): string | undefined {
  if (!ref) return undefined
  return typeof ref === 'string' ? ref : ref.id
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,12}\s*$/.test(text)) return undefined
  return Number(text)
}

function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}
