/**
 * Stripe webhook Events, built by hand for chosen API versions, for tests of Recoup's Stripe
 * ingest and of the money loop. Each builder returns the Event object Stripe would POST to an
 * endpoint whose API version is `apiVersion`: `{ id, object: 'event', api_version, created, data:
 * { object, previous_attributes? }, livemode: false, pending_webhooks: 1, request, type }`.
 * Objects come from stripe-objects.ts, which says what differs between versions. Webhook objects
 * are never expanded: `invoice.payment_intent` (before basil) is an id, never the PaymentIntent.
 *
 * One frozen example per version and type lives in test/fixtures/stripe-versions/<version>/ so a
 * reader can see the shapes; stripe-standin.test.ts checks the builders still produce them
 * (UPDATE_STRIPE_FIXTURES=1 rewrites them).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Stripe from 'stripe'
import {
  chargeObject,
  checkoutSessionObject,
  customerObject,
  invoiceObject,
  paymentIntentObject,
  paymentMethodObject,
  setupIntentObject,
  shapeOf,
  subscriptionObject,
  type CardInput,
  type ChargeInput,
  type Decline,
  type InvoiceInput,
  type JsonObject,
  type PaymentIntentInput,
  type SubscriptionInput,
} from './stripe-objects.js'

/** The API versions with frozen examples. 2025-09-30.clover renders like basil for these objects. */
export const FIXTURE_API_VERSIONS = ['2020-08-27', '2023-10-16', '2025-03-31.basil'] as const

/** A Stripe Event as delivered to a webhook endpoint. */
export interface StripeEvent {
  readonly id: string
  readonly object: 'event'
  readonly api_version: string
  readonly created: number
  readonly data: { readonly object: JsonObject; readonly previous_attributes?: JsonObject }
  readonly livemode: false
  readonly pending_webhooks: number
  readonly request: { readonly id: string | null; readonly idempotency_key: string | null }
  readonly type: string
}

/** A deterministic Stripe-looking id: the same seed gives the same id. */
export function stableId(prefix: string, seed: string): string {
  return `${prefix}_1T${createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, '').slice(0, 22)}`
}

/**
 * An Event around `object`. `request` is null for what Stripe does by itself (a renewal, a
 * retry) and names the API request (and its idempotency key) for what a request caused.
 */
export function eventObject(o: {
  readonly apiVersion: string
  readonly type: string
  readonly object: JsonObject
  readonly created: number
  readonly previousAttributes?: JsonObject
  readonly id?: string
  readonly request?: { readonly id: string | null; readonly idempotency_key: string | null }
}): StripeEvent {
  return {
    id: o.id ?? stableId('evt', `${o.type}:${String(o.object.id)}:${o.created}:${o.apiVersion}`),
    object: 'event',
    api_version: o.apiVersion,
    created: o.created,
    data: o.previousAttributes ? { object: o.object, previous_attributes: o.previousAttributes } : { object: o.object },
    livemode: false,
    pending_webhooks: 1,
    request: o.request ?? { id: null, idempotency_key: null },
    type: o.type,
  }
}

/** The exact bytes Stripe would send (a signature covers them, so send them untouched). */
export function payloadOf(event: StripeEvent): string {
  return JSON.stringify(event, null, 2)
}

/** The payload and its `Stripe-Signature` header for a webhook secret (`whsec_…`). */
export function signed(event: StripeEvent, secret: string, timestamp = Math.floor(Date.now() / 1000)): { payload: string; signature: string } {
  const payload = payloadOf(event)
  return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) }
}

/** Ids, money and decline of one subscription renewal; every field has a default. */
export interface RenewalOptions {
  readonly apiVersion: string
  readonly customerId?: string
  readonly customerEmail?: string
  readonly customerName?: string
  readonly subscriptionId?: string
  readonly subscriptionItemId?: string
  readonly invoiceId?: string
  readonly paymentIntentId?: string
  readonly chargeId?: string
  readonly paymentMethodId?: string
  readonly priceId?: string
  readonly productId?: string
  /** Minor units (default 4900). */
  readonly amount?: number
  /** Lower case, as Stripe writes it (default usd). */
  readonly currency?: string
  readonly brand?: string
  readonly fingerprint?: string
  readonly last4?: string
  /** Default: insufficient_funds with advice_code try_again_later. */
  readonly decline?: Decline
  /** Attempts so far, this one included (default 1). */
  readonly attemptCount?: number
  /** When Stripe retries next (Unix seconds; null: no more retries). Default: three days on. */
  readonly nextPaymentAttempt?: number | null
  /** When the events were created (Unix seconds). */
  readonly created?: number
}

/** The default renewal moment of every fixture: 2026-11-21T10:00:00Z. */
export const FIXTURE_TIME = 1795255200
const MONTH = 30 * 24 * 3600

const DEFAULT_DECLINE: Decline = { decline_code: 'insufficient_funds', advice_code: 'try_again_later', network_advice_code: '01', network_decline_code: '51' }

/** Everything a renewal's events render from. */
function renewal(o: RenewalOptions) {
  const created = o.created ?? FIXTURE_TIME
  const customer = o.customerId ?? 'cus_SAda0000000001'
  const invoiceId = o.invoiceId ?? 'in_1SAda00000000000000001'
  const piId = o.paymentIntentId ?? 'pi_1SAda00000000000000001'
  const chargeId = o.chargeId ?? 'ch_1SAda00000000000000001'
  const amount = o.amount ?? 4900
  const currency = o.currency ?? 'usd'
  const subscription = o.subscriptionId ?? 'sub_1SAda00000000000000001'
  const item = o.subscriptionItemId ?? 'si_SAda0000000001'
  const price = o.priceId ?? 'price_1SPro0000000000000001'
  const product = o.productId ?? 'prod_SPro00000001'
  const card: CardInput = {
    id: o.paymentMethodId ?? 'pm_1SAdaVisa000000000001',
    customer,
    brand: o.brand ?? 'visa',
    fingerprint: o.fingerprint ?? 'Xt5EWLLDS7FJjR1c',
    last4: o.last4 ?? '0341',
    expMonth: 12,
    expYear: 2030,
    created: created - 6 * MONTH,
  }
  const decline = o.decline ?? DEFAULT_DECLINE
  const attemptCount = o.attemptCount ?? 1
  const failedCharge: ChargeInput = { id: chargeId, amount, currency, customer, paymentIntent: piId, card, invoice: invoiceId, created, decline }
  const paidCharge: ChargeInput = { ...failedCharge, decline: undefined }
  const invoice: InvoiceInput = {
    id: invoiceId,
    customer,
    customerEmail: o.customerEmail ?? 'ada@example.com',
    customerName: o.customerName ?? 'Ada Lovelace',
    subscription,
    amountDue: amount,
    amountPaid: 0,
    currency,
    status: 'open',
    attemptCount,
    nextPaymentAttempt: o.nextPaymentAttempt === undefined ? created + 3 * 24 * 3600 : o.nextPaymentAttempt,
    defaultPaymentMethod: null,
    billingReason: 'subscription_cycle',
    number: 'RECOUP-0042',
    created: created - 3600,
    periodStart: created - MONTH,
    periodEnd: created,
    lines: [{ price, product, amount, subscriptionItem: item }],
    paymentIntent: piId,
    charge: chargeId,
    finalizedAt: created - 3600,
    paidAt: null,
    voidedAt: null,
    markedUncollectibleAt: null,
  }
  const pi: PaymentIntentInput = { id: piId, amount, currency, customer, status: 'requires_payment_method', invoice: invoiceId, created: created - 3600, card, charges: [failedCharge], lastPaymentError: decline }
  const sub: SubscriptionInput = {
    id: subscription,
    customer,
    status: 'past_due',
    defaultPaymentMethod: card.id,
    items: [{ id: item, price, product, currency, unitAmount: amount, interval: 'month', quantity: 1 }],
    cancelAtPeriodEnd: false,
    pauseCollection: null,
    created: created - 6 * MONTH,
    currentPeriodStart: created,
    currentPeriodEnd: created + MONTH,
    canceledAt: null,
    endedAt: null,
    latestInvoice: invoiceId,
  }
  return { shape: shapeOf(o.apiVersion), created, card, failedCharge, paidCharge, invoice, pi, sub, attemptCount }
}

function event(o: RenewalOptions, type: string, object: JsonObject, previousAttributes?: JsonObject, request?: StripeEvent['request']): StripeEvent {
  return eventObject({ apiVersion: o.apiVersion, type, object, created: o.created ?? FIXTURE_TIME, ...(previousAttributes ? { previousAttributes } : {}), ...(request ? { request } : {}) })
}

/** A request made through the API (or the portal) that caused an event. */
function requestOf(seed: string, idempotencyKey: string | null = null): StripeEvent['request'] {
  return { id: stableId('req', seed).replace('req_1T', 'req_'), idempotency_key: idempotencyKey }
}

/** `invoice.payment_failed`: the renewal's invoice stays open (pointers to the PI/charge before basil). */
export function invoicePaymentFailed(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  return event(o, 'invoice.payment_failed', invoiceObject(r.shape, r.invoice))
}

/** `invoice.updated` sent with a failed attempt: the attempt count and next retry moved. */
export function invoiceUpdated(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  // Before this attempt, the next attempt was this one.
  const previous: JsonObject = { attempt_count: r.attemptCount - 1, attempted: r.attemptCount > 1, next_payment_attempt: r.created }
  return event(o, 'invoice.updated', invoiceObject(r.shape, r.invoice), previous)
}

/** `invoice.paid`: the invoice is paid (by a retry, the customer, or out of band). */
export function invoicePaid(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  const invoice: InvoiceInput = { ...r.invoice, status: 'paid', amountPaid: r.invoice.amountDue, paidAt: r.created, nextPaymentAttempt: null }
  return event(o, 'invoice.paid', invoiceObject(r.shape, invoice))
}

/** `invoice.voided`. */
export function invoiceVoided(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  return event(o, 'invoice.voided', invoiceObject(r.shape, { ...r.invoice, status: 'void', voidedAt: r.created, nextPaymentAttempt: null }))
}

/** `invoice.marked_uncollectible` (what Stripe does after the last retry, if so configured). */
export function invoiceMarkedUncollectible(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  return event(o, 'invoice.marked_uncollectible', invoiceObject(r.shape, { ...r.invoice, status: 'uncollectible', markedUncollectibleAt: r.created, nextPaymentAttempt: null }))
}

/** `payment_intent.payment_failed`: `last_payment_error` holds the decline and the card. */
export function paymentIntentPaymentFailed(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  return event(o, 'payment_intent.payment_failed', paymentIntentObject(r.shape, r.pi))
}

/** `charge.failed`: `failure_code`, `outcome` and the card's brand and fingerprint. */
export function chargeFailed(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  return event(o, 'charge.failed', chargeObject(r.shape, r.failedCharge))
}

type SubscriptionStatus = SubscriptionInput['status']

/** `customer.subscription.updated` with the previous status in `previous_attributes`. */
export function subscriptionUpdated(o: RenewalOptions & { readonly status?: SubscriptionStatus; readonly previousStatus?: SubscriptionStatus }): StripeEvent {
  const r = renewal(o)
  const status = o.status ?? 'past_due'
  const ended = status === 'canceled' || status === 'incomplete_expired'
  const sub: SubscriptionInput = { ...r.sub, status, ...(ended ? { canceledAt: r.created, endedAt: r.created, cancellationReason: 'payment_failed' as const } : {}) }
  return event(o, 'customer.subscription.updated', subscriptionObject(r.shape, sub), { status: o.previousStatus ?? 'active' })
}

/** `customer.subscription.deleted`: the subscription ended (canceled after failed payments by default). */
export function subscriptionDeleted(o: RenewalOptions & { readonly status?: SubscriptionStatus; readonly cancellationReason?: SubscriptionInput['cancellationReason'] }): StripeEvent {
  const r = renewal(o)
  const sub: SubscriptionInput = { ...r.sub, status: o.status ?? 'canceled', canceledAt: r.created, endedAt: r.created, cancellationReason: o.cancellationReason === undefined ? 'payment_failed' : o.cancellationReason }
  return event(o, 'customer.subscription.deleted', subscriptionObject(r.shape, sub))
}

/** `customer.updated` after a new default card: `previous_attributes.invoice_settings.default_payment_method`. */
export function customerUpdated(o: RenewalOptions & { readonly newPaymentMethodId?: string; readonly idempotencyKey?: string | null }): StripeEvent {
  const r = renewal(o)
  const next = o.newPaymentMethodId ?? 'pm_1SAdaMastercard000001'
  const customer = customerObject({ id: r.invoice.customer, email: r.invoice.customerEmail ?? null, name: r.invoice.customerName ?? null, defaultPaymentMethod: next, created: r.sub.created })
  return event(o, 'customer.updated', customer, { invoice_settings: { default_payment_method: r.card.id } }, requestOf(`customer.updated:${next}`, o.idempotencyKey ?? null))
}

function newCard(o: RenewalOptions & { readonly newPaymentMethodId?: string }, r: ReturnType<typeof renewal>): CardInput {
  return { ...r.card, id: o.newPaymentMethodId ?? 'pm_1SAdaMastercard000001', brand: 'mastercard', fingerprint: 'Gq3QtLfQ0uKxzNMd', last4: '4444', created: r.created }
}

/** `payment_method.attached`: a new card saved to the customer (portal or Checkout). */
export function paymentMethodAttached(o: RenewalOptions & { readonly newPaymentMethodId?: string }): StripeEvent {
  const r = renewal(o)
  const card = newCard(o, r)
  return event(o, 'payment_method.attached', paymentMethodObject(card), undefined, requestOf(`payment_method.attached:${card.id}`))
}

/** `payment_method.automatically_updated`: the card network sent new details (expiry, number). */
export function paymentMethodAutomaticallyUpdated(o: RenewalOptions): StripeEvent {
  const r = renewal(o)
  const card: CardInput = { ...r.card, expYear: r.card.expYear + 4, last4: '4242' }
  return event(o, 'payment_method.automatically_updated', paymentMethodObject(card), { card: { exp_year: r.card.expYear, last4: r.card.last4 } })
}

/** `setup_intent.succeeded`: a card was saved for off-session use. */
export function setupIntentSucceeded(o: RenewalOptions & { readonly setupIntentId?: string; readonly newPaymentMethodId?: string }): StripeEvent {
  const r = renewal(o)
  const si = setupIntentObject({ id: o.setupIntentId ?? 'seti_1SAdaSetup0000000001', customer: r.invoice.customer, paymentMethod: newCard(o, r).id, status: 'succeeded', created: r.created - 60 })
  return event(o, 'setup_intent.succeeded', si, undefined, requestOf(`setup_intent.succeeded:${String(si.id)}`))
}

/** `checkout.session.completed` for a setup-mode session (a card saved through Checkout). */
export function checkoutSessionCompleted(o: RenewalOptions & { readonly sessionId?: string; readonly setupIntentId?: string }): StripeEvent {
  const r = renewal(o)
  const session = checkoutSessionObject({
    id: o.sessionId ?? 'cs_test_a1SAdaSetup000000000000000000000000000000000001',
    customer: r.invoice.customer,
    currency: r.invoice.currency,
    paymentMethodTypes: ['card'],
    setupIntent: o.setupIntentId ?? 'seti_1SAdaSetup0000000001',
    successUrl: 'https://shop.example.com/card-updated?session_id={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://shop.example.com/billing',
    status: 'complete',
    url: null,
    created: r.created - 120,
    expiresAt: r.created - 120 + 24 * 3600,
  })
  return event(o, 'checkout.session.completed', session)
}

// --- arrival orders ---------------------------------------------------------------------------

/**
 * How the events of one failed renewal reach the endpoint. Stripe creates `charge.failed`,
 * `payment_intent.payment_failed`, `invoice.payment_failed` and `invoice.updated` within the same
 * second and does not guarantee their delivery order: the reason for the failure (charge and
 * PaymentIntent) can arrive before the invoice failure, or after it.
 */
export type ArrivalOrder = 'reason-first' | 'reason-last'

/** The events of one failed renewal attempt, in the given arrival order. */
export function failedRenewalEvents(o: RenewalOptions, order: ArrivalOrder): StripeEvent[] {
  const reason = [chargeFailed(o), paymentIntentPaymentFailed(o)]
  const invoice = [invoicePaymentFailed(o), invoiceUpdated(o)]
  return order === 'reason-first' ? [...reason, ...invoice] : [...invoice, ...reason.reverse()]
}

/** Every order in which `events` can arrive (n! orders; keep n small). */
export function everyArrivalOrder<T>(events: readonly T[]): T[][] {
  if (events.length <= 1) return [[...events]]
  return events.flatMap((first, i) => everyArrivalOrder([...events.slice(0, i), ...events.slice(i + 1)]).map((rest) => [first, ...rest]))
}

// --- frozen examples -------------------------------------------------------------------------

/** One example Event per type, with every option left at its default. */
export const EXAMPLES: Readonly<Record<string, (apiVersion: string) => StripeEvent>> = {
  'invoice.payment_failed': (apiVersion) => invoicePaymentFailed({ apiVersion }),
  'invoice.updated': (apiVersion) => invoiceUpdated({ apiVersion }),
  'invoice.paid': (apiVersion) => invoicePaid({ apiVersion }),
  'invoice.voided': (apiVersion) => invoiceVoided({ apiVersion }),
  'invoice.marked_uncollectible': (apiVersion) => invoiceMarkedUncollectible({ apiVersion, attemptCount: 4, nextPaymentAttempt: null }),
  'payment_intent.payment_failed': (apiVersion) => paymentIntentPaymentFailed({ apiVersion }),
  'charge.failed': (apiVersion) => chargeFailed({ apiVersion }),
  'customer.subscription.updated': (apiVersion) => subscriptionUpdated({ apiVersion, status: 'past_due', previousStatus: 'active' }),
  'customer.subscription.deleted': (apiVersion) => subscriptionDeleted({ apiVersion }),
  'customer.updated': (apiVersion) => customerUpdated({ apiVersion }),
  'payment_method.attached': (apiVersion) => paymentMethodAttached({ apiVersion }),
  'payment_method.automatically_updated': (apiVersion) => paymentMethodAutomaticallyUpdated({ apiVersion }),
  'setup_intent.succeeded': (apiVersion) => setupIntentSucceeded({ apiVersion }),
  'checkout.session.completed': (apiVersion) => checkoutSessionCompleted({ apiVersion }),
}

/** Where the frozen examples live. */
export const FIXTURE_DIR = new URL('../fixtures/stripe-versions/', import.meta.url)

/** Writes every example as test/fixtures/stripe-versions/<version>/<type>.json. */
export function writeFixtures(root: string = FIXTURE_DIR.pathname): void {
  for (const version of FIXTURE_API_VERSIONS) {
    mkdirSync(join(root, version), { recursive: true })
    for (const [type, build] of Object.entries(EXAMPLES)) writeFileSync(join(root, version, `${type}.json`), `${payloadOf(build(version))}\n`)
  }
}
