/**
 * The data and the rules of the Stripe stand-in (stripe-standin.ts): customers, cards, prices,
 * subscriptions, invoices and what paying them does, in Stripe's terms. The HTTP side lives in
 * stripe-standin.ts; this file knows nothing of sockets. Operations throw `StandInError` with the
 * status and body Stripe would answer; each change queues the webhook Events Stripe would send,
 * rendered in the endpoint's API version (`eventApiVersion`).
 */
import Stripe from 'stripe'
import { eventObject, type StripeEvent } from './stripe-events.js'
import {
  chargeObject,
  checkoutSessionObject,
  customerObject,
  docUrl,
  fullDecline,
  invoiceObject,
  invoicePaymentObject,
  lastPaymentErrorObject,
  listOf,
  paymentIntentObject,
  paymentMethodObject,
  priceObject,
  setupIntentObject,
  shapeOf,
  sortKeys,
  subscriptionObject,
  type CardInput,
  type ChargeInput,
  type CheckoutSessionInput,
  type Decline,
  type InvoiceInput,
  type InvoicePaymentInput,
  type ItemInput,
  type JsonObject,
  type SubscriptionInput,
} from './stripe-objects.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Form parameters decoded to nested values (`a[b]=1` → `{ a: { b: '1' } }`, `a[]=x` → `{ a: ['x'] }`). */
export type FormValue = string | FormValue[] | { [key: string]: FormValue }
export type FormParams = { [key: string]: FormValue }

/** How a card answers a charge: it pays, or the issuer declines it with these codes. */
export type CardBehaviour = 'succeed' | Decline

/** An error Stripe would answer with: `status` and the object under `error`. */
export class StandInError extends Error {
  constructor(
    readonly status: number,
    readonly error: JsonObject,
    /** Validation errors happen before Stripe executes anything, so no idempotent result is saved. */
    readonly beforeExecution = false,
  ) {
    super(String(error.message))
  }
}

/** `No such invoice: 'in_…'` (404 resource_missing). */
export function notFound(kind: string, id: string, param = 'id'): StandInError {
  return new StandInError(404, { code: 'resource_missing', doc_url: docUrl('resource_missing'), message: `No such ${kind}: '${id}'`, param, type: 'invalid_request_error' }, true)
}

/** A 400 invalid_request_error. */
export function invalid(message: string, extra: { code?: string; param?: string; beforeExecution?: boolean } = {}): StandInError {
  const error: JsonObject = { message, type: 'invalid_request_error' }
  if (extra.code) Object.assign(error, { code: extra.code, doc_url: docUrl(extra.code) })
  if (extra.param) error.param = extra.param
  return new StandInError(400, error, extra.beforeExecution ?? true)
}

/** `Missing required param: x.` */
export function missingParam(param: string): StandInError {
  return invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param })
}

/** Where an Idempotency-Key came from: the caller, the SDK's own per-request key, or nowhere. */
export type KeySource = 'caller' | 'sdk' | 'none'

/** One request as the stand-in received it. */
export interface LoggedRequest {
  readonly method: string
  readonly path: string
  /** Body (POST) or query (GET/DELETE) parameters, decoded to nested values. */
  readonly params: FormParams
  readonly idempotencyKey: string | undefined
  readonly keySource: KeySource
  /** `Stripe-Version` of the request. */
  readonly apiVersion: string | undefined
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  status: number
  replayed: boolean
}

/** The request that caused a change, as an Event's `request` names it. */
export interface RequestRef {
  readonly id: string | null
  readonly idempotency_key: string | null
}

interface CustomerRec {
  id: string
  email: string | null
  name: string | null
  defaultPaymentMethod: string | null
  created: number
}
type CardRec = Mutable<CardInput> & { behaviour: CardBehaviour }
type SubscriptionRec = Mutable<SubscriptionInput>
type InvoiceRec = Mutable<InvoiceInput> & { payments: string[] }
interface PaymentIntentRec {
  id: string
  amount: number
  currency: string
  customer: string
  status: 'requires_payment_method' | 'succeeded' | 'canceled'
  invoice: string
  created: number
  paymentMethod: string | null
  charges: string[]
  lastPaymentError: Decline | null
}
type ChargeRec = Omit<Mutable<ChargeInput>, 'card'> & { card: string }
type InvoicePaymentRec = Mutable<InvoicePaymentInput>
interface PriceRec {
  id: string
  product: string
  currency: string
  unitAmount: number
  interval: ItemInput['interval']
  created: number
}
interface PortalSessionRec {
  id: string
  customer: string
  returnUrl: string | null
  flow: JsonObject | null
  created: number
  url: string
}
type CheckoutSessionRec = Mutable<CheckoutSessionInput>
interface SetupIntentRec {
  id: string
  customer: string
  paymentMethod: string | null
  status: 'requires_payment_method' | 'succeeded'
  created: number
}

export interface StandInStateOptions {
  /** Base URL of the stand-in (session pages are served there). */
  readonly baseUrl: string
  /** API version of the webhook endpoint the Events are rendered for (default: the SDK's pin). */
  readonly eventApiVersion?: string
  /** Unix seconds now (default: the wall clock). */
  readonly clock?: () => number
}

/** What a test needs to know after a card was entered on a hosted page. */
export interface CardUpdateResult {
  readonly paymentMethodId: string
  /** Where the hosted page sends the customer next. */
  readonly redirectUrl: string
  readonly events: readonly StripeEvent[]
}

/**
 * Everything the stand-in knows. Tests seed it with `add…` and read it with the getters; the
 * server calls the operations (`payInvoice`, `updateSubscription`, …) on API requests.
 */
export class StandInState {
  /** Every Event queued, in the order Stripe would create them. */
  readonly events: StripeEvent[] = []
  /** Every API request received, in order (the server logs them here). */
  readonly requests: LoggedRequest[] = []
  /** Called with each new Event (the server delivers it to the webhook URL). */
  onEvent: (event: StripeEvent) => void = () => {}
  #portalConfigured = true
  #portalDefaultReturnUrl: string | null = null
  /** Whether the portal's card update also replaces a subscription's own default card. */
  portalUpdatesSubscriptionDefaults = true
  readonly #customers = new Map<string, CustomerRec>()
  readonly #cards = new Map<string, CardRec>()
  readonly #subscriptions = new Map<string, SubscriptionRec>()
  readonly #invoices = new Map<string, InvoiceRec>()
  readonly #paymentIntents = new Map<string, PaymentIntentRec>()
  readonly #charges = new Map<string, ChargeRec>()
  readonly #invoicePayments = new Map<string, InvoicePaymentRec>()
  readonly #prices = new Map<string, PriceRec>()
  readonly #portalSessions = new Map<string, PortalSessionRec>()
  readonly #checkoutSessions = new Map<string, CheckoutSessionRec>()
  readonly #setupIntents = new Map<string, SetupIntentRec>()
  #sequence = 0
  readonly eventApiVersion: string

  constructor(readonly options: StandInStateOptions) {
    this.eventApiVersion = options.eventApiVersion ?? Stripe.API_VERSION
  }

  /** Unix seconds. */
  now(): number {
    return this.options.clock ? this.options.clock() : Math.floor(Date.now() / 1000)
  }

  /** A new id with Stripe's prefix, deterministic within one stand-in. */
  newId(prefix: string): string {
    this.#sequence++
    return `${prefix}_1Sti${String(this.#sequence).padStart(12, '0')}`
  }

  // --- seeding -------------------------------------------------------------------------------

  /** A customer, optionally with a default card (`invoice_settings.default_payment_method`). */
  addCustomer(c: { id: string; email?: string | null; name?: string | null; default_payment_method?: string | null }): void {
    this.#customers.set(c.id, { id: c.id, email: c.email ?? null, name: c.name ?? null, defaultPaymentMethod: c.default_payment_method ?? null, created: this.now() - 86_400 * 180 })
  }

  /** A card attached to `customer`, and how it answers charges. Returns its id. */
  addPaymentMethod(pm: { id?: string; customer: string | null; brand?: string; fingerprint?: string; last4?: string; exp_month?: number; exp_year?: number; behaviour?: CardBehaviour }): string {
    const id = pm.id ?? this.newId('pm')
    this.#cards.set(id, {
      id,
      customer: pm.customer,
      brand: pm.brand ?? 'visa',
      fingerprint: pm.fingerprint ?? `fp${id.replace(/[^A-Za-z0-9]/g, '').slice(-14)}`,
      last4: pm.last4 ?? '4242',
      expMonth: pm.exp_month ?? 12,
      expYear: pm.exp_year ?? 2030,
      created: this.now() - 86_400 * 90,
      behaviour: pm.behaviour ?? 'succeed',
    })
    return id
  }

  /** Changes how a card answers from now on (e.g. the customer topped up their account). */
  setCardBehaviour(id: string, behaviour: CardBehaviour): void {
    this.#card(id).behaviour = behaviour
  }

  /** A price (recurring) of a product. */
  addPrice(p: { id: string; product: string; currency?: string; unit_amount?: number; interval?: ItemInput['interval'] }): void {
    this.#prices.set(p.id, { id: p.id, product: p.product, currency: p.currency ?? 'usd', unitAmount: p.unit_amount ?? 4900, interval: p.interval ?? 'month', created: this.now() - 86_400 * 365 })
  }

  /** A subscription (status `active` unless given). */
  addSubscription(s: {
    id: string
    customer: string
    status?: SubscriptionInput['status']
    default_payment_method?: string | null
    items: readonly { id?: string; price: string; product: string; currency: string; unit_amount?: number; interval?: ItemInput['interval']; quantity?: number }[]
    latest_invoice?: string | null
  }): void {
    const now = this.now()
    this.#subscriptions.set(s.id, {
      id: s.id,
      customer: s.customer,
      status: s.status ?? 'active',
      defaultPaymentMethod: s.default_payment_method ?? null,
      items: s.items.map((item, i) => ({
        id: item.id ?? `si_${s.id.slice(4)}${i}`,
        price: item.price,
        product: item.product,
        currency: item.currency,
        unitAmount: item.unit_amount ?? this.#prices.get(item.price)?.unitAmount ?? 4900,
        interval: item.interval ?? 'month',
        quantity: item.quantity ?? 1,
      })),
      cancelAtPeriodEnd: false,
      pauseCollection: null,
      created: now - 86_400 * 180,
      currentPeriodStart: now - 86_400,
      currentPeriodEnd: now + 86_400 * 29,
      canceledAt: null,
      endedAt: null,
      latestInvoice: s.latest_invoice ?? null,
      cancellationReason: null,
    })
  }

  /** An invoice (status `open`, i.e. finalized and unpaid, unless given). */
  addInvoice(i: {
    id: string
    customer: string
    subscription?: string | null
    amount_due: number
    currency: string
    status?: InvoiceInput['status']
    default_payment_method?: string | null
    next_payment_attempt?: number | null
    attempt_count?: number
    billing_reason?: string
  }): void {
    const now = this.now()
    const sub = i.subscription ? this.#subscriptions.get(i.subscription) : undefined
    const customer = this.#customers.get(i.customer)
    const status = i.status ?? 'open'
    this.#invoices.set(i.id, {
      id: i.id,
      customer: i.customer,
      customerEmail: customer?.email ?? null,
      customerName: customer?.name ?? null,
      subscription: i.subscription ?? null,
      amountDue: i.amount_due,
      amountPaid: status === 'paid' ? i.amount_due : 0,
      currency: i.currency,
      status,
      attemptCount: i.attempt_count ?? 0,
      nextPaymentAttempt: i.next_payment_attempt === undefined ? (status === 'open' ? now + 3600 : null) : i.next_payment_attempt,
      defaultPaymentMethod: i.default_payment_method ?? null,
      billingReason: i.billing_reason ?? (sub ? 'subscription_cycle' : 'manual'),
      number: `STANDIN-${String(this.#invoices.size + 1).padStart(4, '0')}`,
      created: now - 3600,
      periodStart: now - 86_400 * 30,
      periodEnd: now,
      lines: sub
        ? sub.items.map((item) => ({ price: item.price, product: item.product, amount: item.unitAmount * item.quantity, subscriptionItem: item.id }))
        : [{ price: 'price_standin_oneoff', product: 'prod_standin_oneoff', amount: i.amount_due, subscriptionItem: null }],
      paymentIntent: null,
      charge: null,
      finalizedAt: status === 'draft' ? null : now - 3600,
      paidAt: status === 'paid' ? now - 60 : null,
      voidedAt: null,
      markedUncollectibleAt: null,
      payments: [],
    })
    if (sub && !sub.latestInvoice) sub.latestInvoice = i.id
  }

  /** Whether the account saved a default customer portal configuration (Stripe refuses sessions otherwise). */
  setPortalConfigured(configured: boolean, defaultReturnUrl: string | null = null): void {
    this.#portalConfigured = configured
    this.#portalDefaultReturnUrl = defaultReturnUrl
  }

  // --- getters (plain snapshots for assertions) ------------------------------------------------

  /** How many requests matched `method` and `path` (a string is an exact path). */
  calls(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length
  }
  /** How many POSTs came without any Idempotency-Key header (the SDK always sends one; raw HTTP may not). */
  postsWithoutKey(): number {
    return this.requests.filter((r) => r.method === 'POST' && r.keySource === 'none').length
  }
  /**
   * POSTs whose Idempotency-Key was not the caller's: none, or the random `stripe-node-retry-…`
   * key the SDK adds to every POST, which differs on each call and so protects nothing across
   * a retry by Recoup.
   */
  writesWithoutCallerKey(): readonly LoggedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.keySource !== 'caller')
  }

  customer(id: string): Readonly<CustomerRec> | undefined {
    return this.#customers.get(id)
  }
  paymentMethod(id: string): Readonly<CardRec> | undefined {
    return this.#cards.get(id)
  }
  subscription(id: string): Readonly<SubscriptionRec> | undefined {
    return this.#subscriptions.get(id)
  }
  invoice(id: string): Readonly<InvoiceRec> | undefined {
    return this.#invoices.get(id)
  }
  paymentIntent(id: string): Readonly<PaymentIntentRec> | undefined {
    return this.#paymentIntents.get(id)
  }
  charge(id: string): Readonly<ChargeRec> | undefined {
    return this.#charges.get(id)
  }
  invoicePayments(invoice: string): readonly Readonly<InvoicePaymentRec>[] {
    return (this.#invoices.get(invoice)?.payments ?? []).map((id) => this.#invoicePayments.get(id) as InvoicePaymentRec)
  }
  /** Every charge attempted for an invoice, oldest first. */
  chargesOf(invoice: string): readonly Readonly<ChargeRec>[] {
    return [...this.#charges.values()].filter((c) => c.invoice === invoice)
  }
  portalSession(id: string): Readonly<PortalSessionRec> | undefined {
    return this.#portalSessions.get(id)
  }
  checkoutSession(id: string): Readonly<CheckoutSessionRec> | undefined {
    return this.#checkoutSessions.get(id)
  }
  /** Cards attached to a customer. */
  paymentMethodsOf(customer: string): readonly Readonly<CardRec>[] {
    return [...this.#cards.values()].filter((c) => c.customer === customer)
  }

  // --- lookups that answer like Stripe ---------------------------------------------------------

  #customer(id: string, param = 'id'): CustomerRec {
    return this.#customers.get(id) ?? throwError(notFound('customer', id, param))
  }
  #card(id: string, param = 'id'): CardRec {
    return this.#cards.get(id) ?? throwError(notFound('PaymentMethod', id, param))
  }
  #subscription(id: string): SubscriptionRec {
    return this.#subscriptions.get(id) ?? throwError(notFound('subscription', id))
  }
  #invoice(id: string): InvoiceRec {
    return this.#invoices.get(id) ?? throwError(notFound('invoice', id))
  }

  // --- rendering -----------------------------------------------------------------------------

  #cardInput(id: string): CardInput {
    const { behaviour: _behaviour, ...card } = this.#card(id)
    return card
  }
  #chargeInput(c: ChargeRec): ChargeInput {
    return { ...c, card: this.#cardInput(c.card) }
  }
  renderCustomer(id: string): JsonObject {
    return customerObject(this.#customer(id))
  }
  renderPaymentMethod(id: string): JsonObject {
    return paymentMethodObject(this.#cardInput(id))
  }
  renderSubscription(id: string, apiVersion: string): JsonObject {
    return subscriptionObject(shapeOf(apiVersion), this.#subscription(id))
  }
  renderInvoice(id: string, apiVersion: string, includePayments = false): JsonObject {
    const inv = this.#invoice(id)
    return invoiceObject(shapeOf(apiVersion), inv, includePayments ? this.invoicePayments(id) : undefined)
  }
  renderInvoicePayment(id: string): JsonObject {
    return invoicePaymentObject(this.#invoicePayments.get(id) ?? throwError(notFound('invoice payment', id)))
  }
  renderInvoicePayments(invoice: string, apiVersion: string): JsonObject {
    this.#invoice(invoice)
    return listOf(shapeOf(apiVersion), '/v1/invoice_payments', this.invoicePayments(invoice).map(invoicePaymentObject))
  }
  renderPaymentIntent(id: string, apiVersion: string): JsonObject {
    const pi = this.#paymentIntents.get(id) ?? throwError(notFound('payment_intent', id))
    return paymentIntentObject(shapeOf(apiVersion), {
      ...pi,
      card: pi.paymentMethod ? this.#cardInput(pi.paymentMethod) : null,
      charges: pi.charges.map((c) => this.#chargeInput(this.#charges.get(c) as ChargeRec)),
    })
  }
  renderCharge(id: string, apiVersion: string): JsonObject {
    return chargeObject(shapeOf(apiVersion), this.#chargeInput(this.#charges.get(id) ?? throwError(notFound('charge', id))))
  }
  renderPrice(id: string): JsonObject {
    const p = this.#prices.get(id) ?? throwError(notFound('price', id))
    return priceObject(p)
  }
  renderSetupIntent(id: string): JsonObject {
    return setupIntentObject(this.#setupIntents.get(id) ?? throwError(notFound('setupintent', id)))
  }
  renderCheckoutSession(id: string): JsonObject {
    return checkoutSessionObject(this.#checkoutSessions.get(id) ?? throwError(notFound('checkout.session', id)))
  }
  renderPortalSession(id: string): JsonObject {
    const s = this.#portalSessions.get(id) ?? throwError(notFound('billing_portal.session', id))
    return {
      id: s.id,
      object: 'billing_portal.session',
      configuration: 'bpc_1StiDefaultPortal0001',
      created: s.created,
      customer: s.customer,
      flow: s.flow,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: s.returnUrl,
      url: s.url,
    }
  }

  /** Renders any object by its id's prefix (for `expand`); undefined when the prefix is unknown. */
  renderById(id: string, apiVersion: string): JsonObject | undefined {
    const prefix = id.slice(0, id.indexOf('_'))
    const render: Record<string, () => JsonObject> = {
      cus: () => this.renderCustomer(id),
      pm: () => this.renderPaymentMethod(id),
      sub: () => this.renderSubscription(id, apiVersion),
      in: () => this.renderInvoice(id, apiVersion),
      inpay: () => this.renderInvoicePayment(id),
      pi: () => this.renderPaymentIntent(id, apiVersion),
      ch: () => this.renderCharge(id, apiVersion),
      price: () => this.renderPrice(id),
      seti: () => this.renderSetupIntent(id),
    }
    return render[prefix]?.()
  }

  // --- events --------------------------------------------------------------------------------

  #emit(type: string, object: JsonObject, previousAttributes?: JsonObject, request: RequestRef = { id: null, idempotency_key: null }): StripeEvent {
    const event = eventObject({ apiVersion: this.eventApiVersion, type, object, created: this.now(), id: this.newId('evt'), request, ...(previousAttributes ? { previousAttributes } : {}) })
    this.events.push(event)
    this.onEvent(event)
    return event
  }

  // --- operations ----------------------------------------------------------------------------

  /** POST /v1/customers/:id — email, name, `invoice_settings[default_payment_method]`. */
  updateCustomer(id: string, params: FormParams, request: RequestRef): JsonObject {
    const c = this.#customer(id)
    const previous: JsonObject = {}
    const settings = params.invoice_settings
    if (settings !== undefined) {
      if (typeof settings !== 'object' || Array.isArray(settings)) throw invalid('Invalid object', { param: 'invoice_settings' })
      const unknown = Object.keys(settings).find((k) => !['default_payment_method', 'custom_fields', 'footer', 'rendering_options'].includes(k))
      if (unknown) throw invalid(`Received unknown parameter: invoice_settings[${unknown}]`, { code: 'parameter_unknown', param: `invoice_settings[${unknown}]` })
      const pm = settings.default_payment_method
      if (pm !== undefined) {
        const next = pm === '' ? null : String(pm)
        if (next !== null) this.#requireAttached(next, c.id, 'invoice_settings[default_payment_method]')
        if (next !== c.defaultPaymentMethod) previous.invoice_settings = { default_payment_method: c.defaultPaymentMethod }
        c.defaultPaymentMethod = next
      }
    }
    for (const field of ['email', 'name'] as const) {
      if (typeof params[field] === 'string' && params[field] !== c[field]) {
        previous[field] = c[field]
        c[field] = params[field] === '' ? null : (params[field] as string)
      }
    }
    if (Object.keys(previous).length > 0) this.#emit('customer.updated', this.renderCustomer(id), previous, request)
    return this.renderCustomer(id)
  }

  #requireAttached(pm: string, customer: string, param: string): void {
    const card = this.#cards.get(pm)
    if (!card) throw notFound('PaymentMethod', pm, param)
    if (card.customer !== customer) {
      throw invalid(`The customer does not have a payment method with the ID ${pm}. The payment method must be attached to the customer.`, { param })
    }
  }

  /** POST /v1/subscriptions/:id — default_payment_method, pause_collection, cancel_at_period_end. */
  updateSubscription(id: string, params: FormParams, request: RequestRef, apiVersion: string): JsonObject {
    const sub = this.#subscription(id)
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalid('A canceled subscription can only update its cancellation_details and metadata.')
    }
    const previous: JsonObject = {}
    if (params.default_payment_method !== undefined) {
      const next = params.default_payment_method === '' ? null : String(params.default_payment_method)
      if (next !== null) this.#requireAttached(next, sub.customer, 'default_payment_method')
      if (next !== sub.defaultPaymentMethod) previous.default_payment_method = sub.defaultPaymentMethod
      sub.defaultPaymentMethod = next
    }
    if (params.pause_collection !== undefined) {
      const pause = params.pause_collection
      let next: SubscriptionRec['pauseCollection'] = null
      if (pause !== '') {
        if (typeof pause !== 'object' || Array.isArray(pause)) throw invalid('Invalid object', { param: 'pause_collection' })
        const behavior = pause.behavior
        if (behavior === undefined) throw missingParam('pause_collection[behavior]')
        if (typeof behavior !== 'string' || !['keep_as_draft', 'mark_uncollectible', 'void'].includes(behavior)) {
          throw invalid(`Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, or void`, { param: 'pause_collection[behavior]' })
        }
        next = { behavior, resumes_at: typeof pause.resumes_at === 'string' ? Number(pause.resumes_at) : null }
      }
      previous.pause_collection = sub.pauseCollection
      sub.pauseCollection = next
    }
    if (params.cancel_at_period_end !== undefined) {
      const value = params.cancel_at_period_end
      if (value !== 'true' && value !== 'false') throw invalid('Invalid boolean: ' + String(value), { param: 'cancel_at_period_end' })
      if ((value === 'true') !== sub.cancelAtPeriodEnd) {
        previous.cancel_at_period_end = sub.cancelAtPeriodEnd
        previous.cancel_at = sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : null
      }
      sub.cancelAtPeriodEnd = value === 'true'
    }
    if (Object.keys(previous).length > 0) this.#emit('customer.subscription.updated', this.renderSubscription(id, this.eventApiVersion), previous, request)
    return this.renderSubscription(id, apiVersion)
  }

  /** DELETE /v1/subscriptions/:id — ends it now. */
  cancelSubscription(id: string, request: RequestRef, apiVersion: string): JsonObject {
    const sub = this.#subscription(id)
    // Stripe's exact wording for a second cancel was not found in its reference; this one is ours.
    if (sub.status === 'canceled') throw invalid(`The subscription ${id} has already been canceled.`)
    const now = this.now()
    Object.assign(sub, { status: 'canceled', canceledAt: now, endedAt: now, cancellationReason: 'cancellation_requested' })
    this.#emit('customer.subscription.deleted', this.renderSubscription(id, this.eventApiVersion), undefined, request)
    return this.renderSubscription(id, apiVersion)
  }

  /**
   * POST /v1/invoices/:id/pay. Charges the card Stripe would pick (the `payment_method` param, the
   * invoice's, the subscription's, then the customer's default) through the invoice's default
   * PaymentIntent: every attempt is a new Charge. A decline throws the 402 card error Stripe
   * answers, after recording the attempt and queuing its events.
   */
  payInvoice(id: string, params: FormParams, request: RequestRef, apiVersion: string): JsonObject {
    const inv = this.#invoice(id)
    if (inv.status === 'paid') throw invalid('Invoice is already paid', { beforeExecution: false })
    if (inv.status === 'void') throw invalid('Voided invoices cannot be paid.', { beforeExecution: false })
    const now = this.now()
    if (inv.status === 'draft') Object.assign(inv, { status: 'open', finalizedAt: now })
    if (params.paid_out_of_band === 'true') {
      Object.assign(inv, { status: 'paid', amountPaid: inv.amountDue, paidAt: now, nextPaymentAttempt: null })
      this.#emit('invoice.paid', this.renderInvoice(id, this.eventApiVersion), undefined, request)
      return this.renderInvoice(id, apiVersion)
    }
    const sub = inv.subscription ? this.#subscriptions.get(inv.subscription) : undefined
    const pmParam = typeof params.payment_method === 'string' ? params.payment_method : undefined
    const pmId = pmParam ?? inv.defaultPaymentMethod ?? sub?.defaultPaymentMethod ?? this.#customers.get(inv.customer)?.defaultPaymentMethod ?? null
    if (!pmId) {
      throw invalid('This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.')
    }
    if (pmParam) this.#requireAttached(pmParam, inv.customer, 'payment_method')
    const card = this.#card(pmId)
    const pi = this.#defaultPaymentIntent(inv)
    const charge: ChargeRec = { id: this.newId('ch'), amount: inv.amountDue - inv.amountPaid, currency: inv.currency, customer: inv.customer, paymentIntent: pi.id, card: card.id, invoice: inv.id, created: now }
    this.#charges.set(charge.id, charge)
    pi.charges.push(charge.id)
    pi.paymentMethod = card.id
    inv.charge = charge.id
    const previousInvoice: JsonObject = { attempt_count: inv.attemptCount, attempted: inv.attemptCount > 0 }
    inv.attemptCount++

    if (card.behaviour !== 'succeed') {
      const decline = fullDecline(card.behaviour)
      charge.decline = decline
      Object.assign(pi, { status: 'requires_payment_method', lastPaymentError: decline })
      const subPrevious = sub && sub.status === 'active' ? { status: sub.status } : undefined
      if (sub && subPrevious) sub.status = 'past_due'
      this.#emit('charge.failed', this.renderCharge(charge.id, this.eventApiVersion), undefined, request)
      this.#emit('payment_intent.payment_failed', this.renderPaymentIntent(pi.id, this.eventApiVersion), undefined, request)
      this.#emit('invoice.payment_failed', this.renderInvoice(id, this.eventApiVersion), undefined, request)
      this.#emit('invoice.updated', this.renderInvoice(id, this.eventApiVersion), previousInvoice, request)
      if (sub && subPrevious) this.#emit('customer.subscription.updated', this.renderSubscription(sub.id, this.eventApiVersion), subPrevious, request)
      throw new StandInError(
        402,
        sortKeys({
          ...lastPaymentErrorObject(decline, charge.id, null),
          payment_intent: this.renderPaymentIntent(pi.id, apiVersion),
          payment_method: this.renderPaymentMethod(card.id),
          request_log_url: `https://dashboard.stripe.com/test/logs/${request.id ?? 'req_standin'}`,
        }),
      )
    }

    Object.assign(pi, { status: 'succeeded', lastPaymentError: null })
    Object.assign(inv, { status: 'paid', amountPaid: inv.amountDue, paidAt: now, nextPaymentAttempt: null })
    for (const p of this.invoicePayments(id) as InvoicePaymentRec[]) if (p.paymentIntent === pi.id) Object.assign(p, { status: 'paid', paidAt: now })
    const subPrevious = sub && (sub.status === 'past_due' || sub.status === 'unpaid') ? { status: sub.status } : undefined
    if (sub && subPrevious) sub.status = 'active'
    this.#emit('charge.succeeded', this.renderCharge(charge.id, this.eventApiVersion), undefined, request)
    this.#emit('payment_intent.succeeded', this.renderPaymentIntent(pi.id, this.eventApiVersion), undefined, request)
    this.#emit('invoice.paid', this.renderInvoice(id, this.eventApiVersion), undefined, request)
    this.#emit('invoice.payment_succeeded', this.renderInvoice(id, this.eventApiVersion), undefined, request)
    if (sub && subPrevious) this.#emit('customer.subscription.updated', this.renderSubscription(sub.id, this.eventApiVersion), subPrevious, request)
    return this.renderInvoice(id, apiVersion)
  }

  /** The invoice's default PaymentIntent and its InvoicePayment, made on first use. */
  #defaultPaymentIntent(inv: InvoiceRec): PaymentIntentRec {
    if (inv.paymentIntent) return this.#paymentIntents.get(inv.paymentIntent) as PaymentIntentRec
    const now = this.now()
    const pi: PaymentIntentRec = { id: this.newId('pi'), amount: inv.amountDue, currency: inv.currency, customer: inv.customer, status: 'requires_payment_method', invoice: inv.id, created: now, paymentMethod: null, charges: [], lastPaymentError: null }
    this.#paymentIntents.set(pi.id, pi)
    const payment: InvoicePaymentRec = { id: this.newId('inpay'), invoice: inv.id, paymentIntent: pi.id, amountRequested: inv.amountDue, currency: inv.currency, status: 'open', isDefault: true, created: now, paidAt: null }
    this.#invoicePayments.set(payment.id, payment)
    inv.payments.push(payment.id)
    inv.paymentIntent = pi.id
    return pi
  }

  /** POST /v1/invoices/:id/void (open or uncollectible invoices only). */
  voidInvoice(id: string, request: RequestRef, apiVersion: string): JsonObject {
    const inv = this.#invoice(id)
    if (inv.status !== 'open' && inv.status !== 'uncollectible') {
      throw invalid(`You can only void invoices that are open or uncollectible; invoice ${id} is ${inv.status}.`, { beforeExecution: false })
    }
    const previous = { status: inv.status }
    Object.assign(inv, { status: 'void', voidedAt: this.now(), nextPaymentAttempt: null })
    for (const p of this.invoicePayments(id) as InvoicePaymentRec[]) if (p.status === 'open') p.status = 'canceled'
    if (inv.paymentIntent) (this.#paymentIntents.get(inv.paymentIntent) as PaymentIntentRec).status = 'canceled'
    this.#emit('invoice.voided', this.renderInvoice(id, this.eventApiVersion), undefined, request)
    this.#emit('invoice.updated', this.renderInvoice(id, this.eventApiVersion), previous, request)
    return this.renderInvoice(id, apiVersion)
  }

  /** POST /v1/invoices/:id/mark_uncollectible (open invoices only). */
  markUncollectible(id: string, request: RequestRef, apiVersion: string): JsonObject {
    const inv = this.#invoice(id)
    if (inv.status !== 'open') throw invalid(`You can only mark open invoices as uncollectible; invoice ${id} is ${inv.status}.`, { beforeExecution: false })
    Object.assign(inv, { status: 'uncollectible', markedUncollectibleAt: this.now(), nextPaymentAttempt: null })
    this.#emit('invoice.marked_uncollectible', this.renderInvoice(id, this.eventApiVersion), undefined, request)
    this.#emit('invoice.updated', this.renderInvoice(id, this.eventApiVersion), { status: 'open' }, request)
    return this.renderInvoice(id, apiVersion)
  }

  /** POST /v1/billing_portal/sessions. */
  createPortalSession(params: FormParams): JsonObject {
    if (typeof params.customer !== 'string' || params.customer === '') throw missingParam('customer')
    this.#customer(params.customer, 'customer')
    if (!this.#portalConfigured && params.configuration === undefined) {
      throw invalid(
        'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.',
      )
    }
    const flow = portalFlow(params.flow_data)
    const returnUrl = typeof params.return_url === 'string' ? params.return_url : this.#portalDefaultReturnUrl
    if (!returnUrl) throw invalid('Your PortalConfiguration does not have a `default_return_url`, and you did not provide a `return_url`.', { param: 'return_url' })
    const id = this.newId('bps')
    this.#portalSessions.set(id, { id, customer: params.customer, returnUrl, flow, created: this.now(), url: `${this.options.baseUrl}/portal_session/${id}` })
    return this.renderPortalSession(id)
  }

  /** POST /v1/checkout/sessions (setup mode only). */
  createCheckoutSession(params: FormParams, request: RequestRef): JsonObject {
    if (params.mode === undefined) throw missingParam('mode')
    if (params.mode !== 'setup') throw invalid(`The Stripe stand-in only implements mode=setup, not ${String(params.mode)}.`, { param: 'mode' })
    if (typeof params.customer !== 'string') throw invalid('The Stripe stand-in needs a customer for setup-mode sessions.', { param: 'customer' })
    this.#customer(params.customer, 'customer')
    if (typeof params.success_url !== 'string') throw missingParam('success_url')
    const types = Array.isArray(params.payment_method_types) ? params.payment_method_types.map(String) : null
    const currency = typeof params.currency === 'string' ? params.currency.toLowerCase() : null
    if (!types && !currency) throw invalid('You must provide `currency` when creating a setup-mode Checkout Session without `payment_method_types`.', { code: 'parameter_missing', param: 'currency' })
    const now = this.now()
    const si: SetupIntentRec = { id: this.newId('seti'), customer: params.customer, paymentMethod: null, status: 'requires_payment_method', created: now }
    this.#setupIntents.set(si.id, si)
    const id = this.newId('cs_test')
    this.#checkoutSessions.set(id, {
      id,
      customer: params.customer,
      currency,
      paymentMethodTypes: types ?? ['card'],
      setupIntent: si.id,
      successUrl: params.success_url,
      cancelUrl: typeof params.cancel_url === 'string' ? params.cancel_url : null,
      status: 'open',
      url: `${this.options.baseUrl}/checkout_session/${id}`,
      created: now,
      expiresAt: now + 86_400,
    })
    this.#emit('setup_intent.created', this.renderSetupIntent(si.id), undefined, request)
    return this.renderCheckoutSession(id)
  }

  /**
   * What happens when the customer enters a new card on a hosted page: the card is attached and
   * the events of that flow are queued. Billing portal (`bps_…`): the card becomes the customer's
   * default (`payment_method.attached`, `customer.updated` with the old default in
   * `previous_attributes`), and replaces a subscription's own default card where one is set
   * (`customer.subscription.updated`). Checkout setup mode (`cs_…`): `payment_method.attached`,
   * `setup_intent.succeeded`, `checkout.session.completed`; the customer's default is untouched,
   * as in Stripe (the integration sets it).
   */
  completeCardUpdate(sessionId: string, card: { paymentMethodId?: string; brand?: string; fingerprint?: string; last4?: string; behaviour?: CardBehaviour } = {}): CardUpdateResult {
    const before = this.events.length
    const portal = this.#portalSessions.get(sessionId)
    const checkout = this.#checkoutSessions.get(sessionId)
    const customerId = portal?.customer ?? checkout?.customer
    if (!customerId) throw notFound('session', sessionId)
    if (checkout && checkout.status !== 'open') throw invalid(`Checkout Session ${sessionId} is ${checkout.status}.`)
    const request: RequestRef = { id: this.newId('req'), idempotency_key: null }
    const pmId = this.addPaymentMethod({ id: card.paymentMethodId, customer: customerId, brand: card.brand ?? 'mastercard', fingerprint: card.fingerprint, last4: card.last4 ?? '4444', behaviour: card.behaviour ?? 'succeed' })
    const pm = this.#card(pmId)
    pm.created = this.now()
    this.#emit('payment_method.attached', this.renderPaymentMethod(pmId), undefined, request)
    if (portal) {
      const customer = this.#customer(customerId)
      const old = customer.defaultPaymentMethod
      customer.defaultPaymentMethod = pmId
      this.#emit('customer.updated', this.renderCustomer(customerId), { invoice_settings: { default_payment_method: old } }, request)
      if (this.portalUpdatesSubscriptionDefaults) {
        for (const sub of this.#subscriptions.values()) {
          if (sub.customer !== customerId || !sub.defaultPaymentMethod || sub.status === 'canceled') continue
          const previous = { default_payment_method: sub.defaultPaymentMethod }
          sub.defaultPaymentMethod = pmId
          this.#emit('customer.subscription.updated', this.renderSubscription(sub.id, this.eventApiVersion), previous, request)
        }
      }
      const redirect = portal.flow?.after_completion as { redirect?: { return_url?: string } | null } | undefined
      return { paymentMethodId: pmId, redirectUrl: redirect?.redirect?.return_url ?? portal.returnUrl ?? this.options.baseUrl, events: this.events.slice(before) }
    }
    const session = checkout as CheckoutSessionRec
    const si = this.#setupIntents.get(session.setupIntent) as SetupIntentRec
    Object.assign(si, { status: 'succeeded', paymentMethod: pmId })
    session.status = 'complete'
    this.#emit('setup_intent.succeeded', this.renderSetupIntent(si.id), undefined, request)
    this.#emit('checkout.session.completed', this.renderCheckoutSession(session.id))
    return { paymentMethodId: pmId, redirectUrl: session.successUrl.replace('{CHECKOUT_SESSION_ID}', session.id), events: this.events.slice(before) }
  }
}

function throwError(error: Error): never {
  throw error
}

const FLOW_TYPES = ['payment_method_update', 'subscription_cancel', 'subscription_pause', 'subscription_update', 'subscription_update_confirm']

/** `flow` of a portal session from `flow_data` (BillingPortal.Session.flow). */
function portalFlow(flowData: FormValue | undefined): JsonObject | null {
  if (flowData === undefined) return null
  if (typeof flowData !== 'object' || Array.isArray(flowData)) throw invalid('Invalid object', { param: 'flow_data' })
  const type = flowData.type
  if (type === undefined) throw missingParam('flow_data[type]')
  if (typeof type !== 'string' || !FLOW_TYPES.includes(type)) throw invalid(`Invalid flow_data[type]: must be one of ${FLOW_TYPES.join(', ')}`, { param: 'flow_data[type]' })
  const after = (typeof flowData.after_completion === 'object' && !Array.isArray(flowData.after_completion) ? flowData.after_completion : {}) as { [key: string]: FormValue }
  const afterType = typeof after.type === 'string' ? after.type : 'portal_homepage'
  const redirect = after.redirect as { return_url?: FormValue } | undefined
  if (afterType === 'redirect' && typeof redirect?.return_url !== 'string') throw missingParam('flow_data[after_completion][redirect][return_url]')
  const section = (name: string): Json => {
    const value = flowData[name]
    return typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null
  }
  return {
    after_completion: {
      hosted_confirmation: afterType === 'hosted_confirmation' ? { custom_message: null } : null,
      redirect: afterType === 'redirect' ? { return_url: String(redirect?.return_url) } : null,
      type: afterType,
    },
    customer_update: null,
    subscription_cancel: section('subscription_cancel'),
    subscription_pause: section('subscription_pause'),
    subscription_update: section('subscription_update'),
    subscription_update_confirm: section('subscription_update_confirm'),
    type,
  }
}

type Json = JsonObject[string]
