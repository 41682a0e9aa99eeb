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
 *   the Stripe product ids of the items' prices (mapped by `productIdFromPrice`).
 *
 * When the plan is canceled, Recoup receives `installment_plan.canceled` with plan id = the
 * subscription (or schedule) id, `balance_due = (total − paid) × installment_amount` and `reason`
 * = Stripe's `cancellation_details.reason`. A plan whose installments are all paid ended normally:
 * it only updates the subscription record. Mark the subscription or its schedule, not both (a
 * schedule's own metadata is not copied to its subscription; phase metadata is), or one
 * cancellation becomes two plans.
 */
import { customerRefSchema, type EventInput } from '../../domain/events.js'
import {
  envelopeSchema,
  failedInvoiceSchema,
  kindOf,
  paidInvoiceSchema,
  readShape,
  scheduleSchema,
  subscriptionSchema,
  type StripeCustomer,
  type StripeInvoice,
  type StripePrice,
  type StripeSchedule,
  type StripeSubscription,
} from './stripe-shapes.js'

/** A price on an invoice line or subscription item, as handed to `productIdFromPrice`. */
export interface StripePriceRef {
  readonly price?: string
  readonly product: string
}

export interface StripeMapOptions {
  /** Turns a Stripe price into a Recoup product id; default: the Stripe product id (`prod_…`). */
  readonly productIdFromPrice?: (price: StripePriceRef) => string
}

/** Contact details of a customer, as Recoup's schema accepts them. */
export type StripeContact = Omit<EventInput['customer'], 'id'>

/** A subscription's new state, for the subscriptions record. */
export interface StripeSubscriptionUpdate {
  readonly kind: 'subscription'
  readonly id: string
  readonly customer: string
  /** Present when Stripe sent the customer expanded and it has usable contact details. */
  readonly contact?: StripeContact
  readonly status: string
  readonly product_ids: readonly string[]
  readonly amount?: number
  readonly currency?: string
}

/** Why an event is not used; `malformed` when Stripe's payload lacks what Recoup needs. */
export interface StripeIgnored {
  readonly kind: 'ignored'
  readonly reason: string
  readonly malformed?: true
}

/** What a Stripe event means to Recoup. */
export type StripeMapping = { readonly kind: 'event'; readonly event: EventInput } | StripeSubscriptionUpdate | StripeIgnored

/** The envelope fields a mapping uses. */
interface EventHead {
  readonly id: string
  readonly type: string
  readonly created: number
}

type ToProduct = (p: StripePriceRef) => string

const INSTALLMENTS_TOTAL = 'recoup_installments_total'
const INSTALLMENTS_PAID = 'recoup_installments_paid'
const INSTALLMENT_AMOUNT = 'recoup_installment_amount'
const PRODUCT_IDS = 'recoup_product_ids'

const USED_TYPES = new Set([
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.payment_succeeded',
  'customer.subscription.deleted',
  'customer.subscription.updated',
  'subscription_schedule.canceled',
])

/**
 * Maps one verified Stripe event (the parsed body, whatever its shape) to a normalized event, a
 * subscription update, or a reason to ignore it. Never throws on the payload's shape.
 */
export function mapStripeEvent(body: unknown, options: StripeMapOptions = {}): StripeMapping {
  const toProduct = options.productIdFromPrice ?? ((p: StripePriceRef) => p.product)
  if (!isRecord(body)) return { kind: 'ignored', reason: `the body is ${kindOf(body)}, not a Stripe event object`, malformed: true }
  const type = body.type
  if (typeof type !== 'string') return { kind: 'ignored', reason: `the event's type ${type === undefined ? 'is missing' : `must be a string, not ${kindOf(type)}`}`, malformed: true }
  if (!USED_TYPES.has(type)) return { kind: 'ignored', reason: `event type ${type.slice(0, 100)} is not used by Recoup` }

  const envelope = readShape(envelopeSchema, body, '')
  if (!envelope.ok) return malformed('event', body, envelope.reason)
  const event: EventHead = { id: envelope.value.id, type, created: envelope.value.created }
  const object = envelope.value.data.object

  switch (type) {
    case 'invoice.payment_failed': {
      const invoice = readShape(failedInvoiceSchema, object, 'data.object')
      if (!invoice.ok) return malformed('invoice', object, invoice.reason)
      return mapInvoice(event, invoice.value, { type: 'payment.failed', amount: invoice.value.amount_due }, toProduct)
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded': {
      const invoice = readShape(paidInvoiceSchema, object, 'data.object')
      if (!invoice.ok) return malformed('invoice', object, invoice.reason)
      return mapInvoice(event, invoice.value, { type: 'payment.succeeded', amount: invoice.value.amount_paid }, toProduct)
    }
    case 'customer.subscription.deleted':
    case 'customer.subscription.updated': {
      const sub = readShape(subscriptionSchema, object, 'data.object')
      if (!sub.ok) return malformed('subscription', object, sub.reason)
      if (type === 'customer.subscription.deleted' && sub.value.metadata?.[INSTALLMENTS_TOTAL] !== undefined) return mapSubscriptionPlan(event, sub.value, toProduct)
      return subscriptionUpdate(sub.value, toProduct)
    }
    default: {
      // subscription_schedule.canceled: only installment plans matter, whatever else is wrong.
      if (!isRecord(object.metadata) || object.metadata[INSTALLMENTS_TOTAL] === undefined) {
        return { kind: 'ignored', reason: `subscription schedule is not an installment plan (no metadata.${INSTALLMENTS_TOTAL})` }
      }
      const schedule = readShape(scheduleSchema, object, 'data.object')
      if (!schedule.ok) return malformed('subscription schedule', object, schedule.reason)
      return mapSchedulePlan(event, schedule.value, toProduct)
    }
  }
}

function malformed(what: string, object: Record<string, unknown>, reason: string): StripeIgnored {
  const id = typeof object.id === 'string' && object.id !== '' ? ` ${object.id.slice(0, 255)}` : ''
  return { kind: 'ignored', reason: `${what}${id} is unusable: ${reason}`, malformed: true }
}

function mapInvoice(
  event: EventHead,
  invoice: StripeInvoice,
  payment: { readonly type: 'payment.failed' | 'payment.succeeded'; readonly amount: number },
  toProduct: ToProduct,
): StripeMapping {
  const failed = payment.type === 'payment.failed'
  const subscriptionId = invoice.parent?.subscription_details?.subscription ?? invoice.subscription
  return {
    kind: 'event',
    event: {
      id: eventId(event),
      type: payment.type,
      occurred_at: isoFromUnix(event.created),
      customer: customerRef(invoice.customer.id, {
        email: invoice.customer_email ?? invoice.customer.email,
        name: invoice.customer_name ?? invoice.customer.name,
        phone: invoice.customer_phone ?? invoice.customer.phone,
      }),
      product_ids: invoiceProducts(invoice, toProduct),
      payment: {
        // The invoice is the thing that is paid (and retried); its payment intents come and go.
        id: invoice.id,
        amount: payment.amount,
        currency: invoice.currency,
        invoice_id: invoice.id,
        ...(subscriptionId ? { subscription_id: subscriptionId } : {}),
        ...(failed ? failureFields(invoice) : {}),
      },
      metadata: { source: 'stripe', stripe_event_type: event.type },
    },
  }
}

function failureFields(invoice: StripeInvoice) {
  // The payment intent's error is on invoices only before API 2025-03-31; later ones carry just
  // the finalization error, so most failures read as card_declined.
  const error = invoice.payment_intent?.last_payment_error ?? invoice.last_finalization_error
  const code = error?.decline_code || error?.code || 'card_declined'
  return {
    failure_code: code.slice(0, 100),
    ...(error?.message ? { failure_message: error.message.slice(0, 2000) } : {}),
    ...(invoice.attempt_count ? { attempt: invoice.attempt_count } : {}),
    ...(invoice.next_payment_attempt ? { next_attempt_at: isoFromUnix(invoice.next_payment_attempt) } : {}),
  }
}

/** Product ids of an invoice's lines: `pricing.price_details` (current API) or `price` (before 2025-03-31). */
function invoiceProducts(invoice: StripeInvoice, toProduct: ToProduct): string[] {
  const refs: StripePriceRef[] = []
  for (const line of invoice.lines?.data ?? []) {
    const details = line.pricing?.price_details
    if (details) refs.push({ price: details.price, product: details.product })
    else if (line.price) refs.push({ price: line.price.id, product: line.price.product })
  }
  return unique(refs.map(toProduct))
}

/** The items' prices; items of API versions before 2020-08-27 have only a plan. */
function itemPrices(sub: StripeSubscription): { readonly price: StripePrice; readonly quantity: number }[] {
  return (sub.items?.data ?? []).flatMap((item) => {
    const price = item.price ?? item.plan
    return price ? [{ price, quantity: item.quantity ?? 1 }] : []
  })
}

/** `currency` is on subscriptions from API 2022-08-01; before, it is on the prices (or plans). */
function subscriptionCurrency(sub: StripeSubscription): string | undefined {
  return sub.currency ?? itemPrices(sub).find((i) => i.price.currency)?.price.currency ?? sub.plan?.currency
}

function subscriptionUpdate(sub: StripeSubscription, toProduct: ToProduct): StripeSubscriptionUpdate {
  const items = itemPrices(sub)
  // The recurring amount is known only when every item has a per-unit price.
  let amount: number | undefined = items.length > 0 ? 0 : undefined
  for (const { price, quantity } of items) {
    amount = amount === undefined || price.unit_amount === undefined ? undefined : amount + price.unit_amount * quantity
  }
  const currency = subscriptionCurrency(sub)
  const contact = contactOf(sub.customer)
  return {
    kind: 'subscription',
    id: sub.id,
    customer: sub.customer.id,
    ...(contact ? { contact } : {}),
    status: sub.status,
    product_ids: subscriptionProducts(sub.metadata, items.map((i) => i.price), toProduct),
    ...(amount !== undefined && Number.isSafeInteger(amount) ? { amount } : {}),
    ...(currency ? { currency } : {}),
  }
}

function mapSubscriptionPlan(event: EventHead, sub: StripeSubscription, toProduct: ToProduct): StripeMapping {
  const items = itemPrices(sub)
  const plan = planTerms(sub.metadata, items[0]?.price.unit_amount)
  if (typeof plan === 'string') return { kind: 'ignored', reason: `subscription ${sub.id}: ${plan}`, malformed: true }
  // All installments paid: the plan ran its course; only the subscription record changes.
  if (plan.paid >= plan.total) return subscriptionUpdate(sub, toProduct)
  const currency = subscriptionCurrency(sub)
  if (!currency) return malformed('subscription', sub, 'data.object.currency is missing, and no item has a price or plan with a currency')
  return planEvent(event, {
    id: sub.id,
    customer: customerRef(sub.customer.id, sub.customer),
    productIds: subscriptionProducts(sub.metadata, items.map((i) => i.price), toProduct),
    currency,
    reason: sub.cancellation_details?.reason,
    ...plan,
  })
}

function mapSchedulePlan(event: EventHead, schedule: StripeSchedule, toProduct: ToProduct): StripeMapping {
  const phase = schedule.phases?.[0]
  const prices = (phase?.items ?? []).flatMap((i) => (i.price ? [i.price] : []))
  const plan = planTerms(schedule.metadata, prices[0]?.unit_amount)
  if (typeof plan === 'string') return { kind: 'ignored', reason: `subscription schedule ${schedule.id}: ${plan}`, malformed: true }
  if (plan.paid >= plan.total) return { kind: 'ignored', reason: `subscription schedule ${schedule.id}: every installment is paid` }
  if (!phase?.currency) return malformed('subscription schedule', schedule, 'data.object.phases[0].currency is missing')
  return planEvent(event, {
    id: schedule.id,
    customer: customerRef(schedule.customer.id, schedule.customer),
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
function planTerms(metadata: Readonly<Record<string, unknown>> | undefined, unitAmount: number | undefined): PlanTerms | string {
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
  event: EventHead,
  p: PlanTerms & { id: string; customer: EventInput['customer']; productIds: string[]; currency: string; reason: string | undefined },
): StripeMapping {
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
        currency: p.currency,
        balance_due: (p.total - p.paid) * p.amount,
        ...(p.reason ? { reason: p.reason.slice(0, 200) } : {}),
      },
      metadata: { source: 'stripe', stripe_event_type: event.type },
    },
  }
}

function subscriptionProducts(metadata: Readonly<Record<string, unknown>> | undefined, prices: readonly StripePrice[], toProduct: ToProduct): string[] {
  const listed = metadata?.[PRODUCT_IDS]
  // Control characters cannot be ids (PostgreSQL text cannot even hold NUL): such entries are dropped.
  if (typeof listed === 'string' && listed.trim()) return unique(listed.split(',').map((s) => s.trim()).filter((s) => s && !/\p{Cc}/u.test(s)))
  return unique(prices.map((p) => toProduct({ price: p.id, product: p.product })))
}

/**
 * The customer as our schema accepts it. Stripe's own contact fields are looser than ours (a
 * phone need not be E.164), and one odd field must not cost us the event, so those are dropped.
 */
function customerRef(id: string, contact: { email?: string; name?: string; phone?: string }): EventInput['customer'] {
  const shape = customerRefSchema.shape
  const email = shape.email.safeParse(contact.email)
  const phone = shape.phone.safeParse(contact.phone)
  return {
    id,
    ...(email.success && email.data ? { email: email.data } : {}),
    ...(phone.success && phone.data ? { phone: phone.data } : {}),
    ...(contact.name ? { name: contact.name.slice(0, 500) } : {}),
  }
}

/** Usable contact details of an expanded customer, if any. */
function contactOf(customer: StripeCustomer): StripeContact | undefined {
  const { id: _id, ...contact } = customerRef(customer.id, customer)
  return Object.keys(contact).length > 0 ? contact : undefined
}

/** Our id for a Stripe event; the prefix keeps Stripe's ids apart from ids callers choose. */
export function eventId(event: { readonly id: string }): string {
  return `stripe:${event.id}`
}

/** Metadata values are strings in Stripe; integers are written in decimal. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\s*\d{1,12}\s*$/.test(value)) return undefined
  return Number(value)
}

function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
