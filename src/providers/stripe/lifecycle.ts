/**
 * Stripe's subscription and invoice lifecycle → Recoup: subscriptions that end (their recoveries
 * end as canceled), installment plans canceled before they were paid off, and invoices that can
 * no longer be paid. Installment plans are described in stripe.ts.
 */
import type { EventInput } from '../../domain/events.js'
import type { StripeClosedInvoice, StripePrice, StripeSchedule, StripeSubscription } from './shapes.js'
import { invoiceProducts } from './payments-map.js'
import {
  contactOf, customerRef, head, malformed, mapped, unique,
  type EventHead, type StripeLookedUp, type StripeMapping, type StripeSubscriptionUpdate, type ToProduct,
} from './mapping.js'

const INSTALLMENTS_TOTAL = 'recoup_installments_total'
const INSTALLMENTS_PAID = 'recoup_installments_paid'
const INSTALLMENT_AMOUNT = 'recoup_installment_amount'
const PRODUCT_IDS = 'recoup_product_ids'

/** Subscription statuses after which Stripe will not collect again. */
const ENDED_STATUSES = new Set(['canceled', 'unpaid', 'incomplete_expired'])
type EndedStatus = 'canceled' | 'unpaid' | 'incomplete_expired'

/** True when a schedule's metadata marks it as an installment plan. */
export function isInstallmentPlan(metadata: unknown): boolean {
  return typeof metadata === 'object' && metadata !== null && (metadata as Record<string, unknown>)[INSTALLMENTS_TOTAL] !== undefined
}

/**
 * `customer.subscription.deleted` / `.updated`. An installment plan deleted before it was paid off
 * is `installment_plan.canceled`; any other subscription that ended (deleted, or now canceled,
 * unpaid or incomplete_expired) is `subscription.ended`, with the record update; the rest only
 * update the subscription record.
 */
export function mapSubscription(event: EventHead, sub: StripeSubscription, toProduct: ToProduct): StripeMapping {
  const deleted = event.type === 'customer.subscription.deleted'
  if (deleted && isInstallmentPlan(sub.metadata)) return mapSubscriptionPlan(event, sub, toProduct)
  const update = subscriptionUpdate(sub, toProduct)
  // A deleted subscription is over whatever status it shows.
  const status = ENDED_STATUSES.has(sub.status) ? (sub.status as EndedStatus) : deleted ? 'canceled' : undefined
  if (!status) return update
  const ended: EventInput = {
    ...head(event),
    type: 'subscription.ended',
    customer: customerRef(sub.customer.id, sub.customer),
    product_ids: [...update.product_ids],
    subscription_id: sub.id,
    status,
  }
  return mapped(ended, { ...update, status })
}

/** `invoice.voided` / `invoice.marked_uncollectible` → `invoice.closed`: its recovery ends. */
export function mapInvoiceClosed(event: EventHead, invoice: StripeClosedInvoice, toProduct: ToProduct): StripeMapping {
  const subscriptionId = invoice.parent?.subscription_details?.subscription ?? invoice.subscription
  return mapped({
    ...head(event),
    type: 'invoice.closed',
    customer: customerRef(invoice.customer.id, invoice.customer),
    product_ids: invoiceProducts(invoice, toProduct),
    invoice_id: invoice.id,
    ...(subscriptionId ? { subscription_id: subscriptionId } : {}),
    status: event.type === 'invoice.voided' ? 'void' : 'uncollectible',
  })
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

/**
 * `subscription_schedule.canceled` of an installment plan. Phase prices arrive as bare ids: their
 * products come from `recoup_product_ids`, else from what the route looked up (`looked`).
 */
export function mapSchedulePlan(event: EventHead, schedule: StripeSchedule, toProduct: ToProduct, looked: StripeLookedUp = {}): StripeMapping {
  const phase = schedule.phases?.[0]
  const prices = (phase?.items ?? []).flatMap((i) => {
    if (!i.price) return []
    const product = i.price.product ?? looked.priceProducts?.get(i.price.id)
    return product ? [{ ...i.price, product }] : []
  })
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

/** Price ids of a schedule's first phase that came without their product (to look up). */
export function unresolvedSchedulePrices(schedule: StripeSchedule): string[] {
  if (typeof schedule.metadata?.[PRODUCT_IDS] === 'string' && schedule.metadata[PRODUCT_IDS].trim()) return []
  return unique((schedule.phases?.[0]?.items ?? []).flatMap((i) => (i.price && !i.price.product ? [i.price.id] : [])))
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
  return mapped({
    ...head(event),
    type: 'installment_plan.canceled',
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
  })
}

function subscriptionProducts(metadata: Readonly<Record<string, unknown>> | undefined, prices: readonly { id: string; product: string }[], toProduct: ToProduct): string[] {
  const listed = metadata?.[PRODUCT_IDS]
  // Control characters cannot be ids (PostgreSQL text cannot even hold NUL): such entries are dropped.
  if (typeof listed === 'string' && listed.trim()) return unique(listed.split(',').map((s) => s.trim()).filter((s) => s && !/\p{Cc}/u.test(s)))
  return unique(prices.map((p) => toProduct({ price: p.id, product: p.product })))
}

/** Metadata values are strings in Stripe; integers are written in decimal. */
function wholeNumber(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\s*\d{1,12}\s*$/.test(value)) return undefined
  return Number(value)
}
