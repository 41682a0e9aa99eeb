/**
 * Stripe API objects as Stripe renders them in a given API version, for the Stripe stand-in
 * (stripe-standin.ts) and the webhook fixtures (stripe-events.ts). Written by hand from Stripe's
 * API reference, its changelog and the type definitions of the `stripe` package (which list the
 * fields of the version it pins); never copied from a live account.
 *
 * Stripe adds fields to every API version (additive changes are not versioned), so an old version
 * mostly differs by what a breaking change later removed or moved. The differences these
 * renderers know, by the version that made them (see `shapeOf`):
 * - 2022-08-01: Subscription loses the top-level `plan`/`quantity` it kept for single-item
 *   subscriptions (items still carry `plan` and `price` in every version).
 * - 2022-11-15: PaymentIntent loses the `charges` list (use `latest_charge`); Charge no longer
 *   embeds its `refunds` list.
 * - 2025-03-31.basil: Invoice loses `payment_intent`, `charge`, `paid`, `paid_out_of_band`,
 *   `subscription`, `subscription_details` and `quote` (replaced by `parent` and the includable
 *   `payments` list of InvoicePayment objects); PaymentIntent and Charge lose `invoice`;
 *   Subscription loses `current_period_start/end` (now on each item); invoice line items use
 *   `parent` and `pricing` instead of `type`/`subscription`/`price`/`plan`; embedded lists lose
 *   `total_count`.
 * - 2025-09-30.clover and later: no further change to these objects' shapes.
 *
 * Nothing here is random: every id and timestamp comes from the caller.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

/** What differs between API versions for the objects rendered here. */
export interface Shape {
  /** Before 2022-08-01: single-item subscriptions repeat `plan` and `quantity` at the top. */
  readonly subscriptionPlan: boolean
  /** Before 2022-11-15: PaymentIntent embeds `charges`, Charge embeds `refunds`. */
  readonly embeddedCharges: boolean
  /** Before basil: Invoice has `payment_intent`/`charge`/`paid`/`subscription`, PI and Charge have `invoice`. */
  readonly invoicePointers: boolean
}

/** The shape of objects in `apiVersion` (`2020-08-27`, `2025-03-31.basil`, …). */
export function shapeOf(apiVersion: string): Shape {
  const date = apiVersion.slice(0, 10)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a Stripe API version: ${apiVersion}`)
  return { subscriptionPlan: date < '2022-08-01', embeddedCharges: date < '2022-11-15', invoicePointers: date < '2025-03-31' }
}

/** A list as Stripe embeds it in an object (`total_count` only before basil). */
export function listOf(shape: Shape, url: string, data: Json[]): JsonObject {
  return { object: 'list', data, has_more: false, ...(shape.invoicePointers ? { total_count: data.length } : {}), url }
}

// --- declines --------------------------------------------------------------------------------

/**
 * A card decline as Stripe reports it (field names as in `last_payment_error` and the card error).
 * `code` defaults to what Stripe uses for the decline code (`card_declined` for most).
 */
export interface Decline {
  readonly decline_code: string
  readonly code?: string
  readonly advice_code?: string
  readonly network_advice_code?: string
  readonly network_decline_code?: string
  readonly message?: string
}

/** Decline codes that Stripe reports under an error code of the same name, not `card_declined`. */
const OWN_ERROR_CODE = new Set(['expired_card', 'incorrect_cvc', 'incorrect_number', 'processing_error', 'authentication_required'])

/** The customer-facing messages Stripe gives for common declines. */
const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  incorrect_number: 'Your card number is incorrect.',
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
  card_velocity_exceeded: 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
}

/** A decline with Stripe's defaults filled in. */
export function fullDecline(decline: Decline): Required<Pick<Decline, 'decline_code' | 'code' | 'message'>> & Decline {
  const code = decline.code ?? (OWN_ERROR_CODE.has(decline.decline_code) ? decline.decline_code : 'card_declined')
  return { ...decline, code, message: decline.message ?? DECLINE_MESSAGES[decline.decline_code] ?? DECLINE_MESSAGES.generic_decline }
}

/** Stripe's documentation page for an error code. */
export function docUrl(code: string): string {
  return `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`
}

/** The optional advice fields, present only when Stripe has them (as in `last_payment_error`). */
function adviceOf(decline: Decline): JsonObject {
  const out: JsonObject = {}
  if (decline.advice_code) out.advice_code = decline.advice_code
  if (decline.network_advice_code) out.network_advice_code = decline.network_advice_code
  if (decline.network_decline_code) out.network_decline_code = decline.network_decline_code
  return out
}

// --- inputs ----------------------------------------------------------------------------------

/** A card payment method. */
export interface CardInput {
  readonly id: string
  readonly customer: string | null
  readonly brand: string
  readonly fingerprint: string
  readonly last4: string
  readonly expMonth: number
  readonly expYear: number
  readonly created: number
}

export interface ChargeInput {
  readonly id: string
  readonly amount: number
  readonly currency: string
  readonly customer: string
  readonly paymentIntent: string
  readonly card: CardInput
  readonly invoice: string | null
  readonly created: number
  /** Absent: the charge succeeded. */
  readonly decline?: Decline
}

export interface PaymentIntentInput {
  readonly id: string
  readonly amount: number
  readonly currency: string
  readonly customer: string
  readonly status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled'
  readonly invoice: string | null
  readonly created: number
  /** The card last tried (expanded into `last_payment_error.payment_method`). */
  readonly card: CardInput | null
  /** Every charge of this PaymentIntent, oldest first; the last is `latest_charge`. */
  readonly charges: readonly ChargeInput[]
  readonly lastPaymentError: Decline | null
}

export interface LineInput {
  readonly price: string
  readonly product: string
  readonly amount: number
  readonly subscriptionItem: string | null
  readonly description?: string
}

export interface InvoiceInput {
  readonly id: string
  readonly customer: string
  readonly customerEmail?: string | null
  readonly customerName?: string | null
  readonly subscription: string | null
  readonly amountDue: number
  readonly amountPaid: number
  readonly currency: string
  readonly status: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void'
  readonly attemptCount: number
  readonly nextPaymentAttempt: number | null
  readonly defaultPaymentMethod: string | null
  readonly billingReason: string
  readonly number: string
  readonly created: number
  readonly periodStart: number
  readonly periodEnd: number
  readonly lines: readonly LineInput[]
  /** The invoice's default PaymentIntent and its latest charge (only rendered before basil). */
  readonly paymentIntent: string | null
  readonly charge: string | null
  readonly finalizedAt: number | null
  readonly paidAt: number | null
  readonly voidedAt: number | null
  readonly markedUncollectibleAt: number | null
}

export interface InvoicePaymentInput {
  readonly id: string
  readonly invoice: string
  readonly paymentIntent: string
  readonly amountRequested: number
  readonly currency: string
  readonly status: 'open' | 'paid' | 'canceled'
  readonly isDefault: boolean
  readonly created: number
  readonly paidAt: number | null
}

export interface ItemInput {
  readonly id: string
  readonly price: string
  readonly product: string
  readonly currency: string
  readonly unitAmount: number
  readonly interval: 'day' | 'week' | 'month' | 'year'
  readonly quantity: number
}

export interface SubscriptionInput {
  readonly id: string
  readonly customer: string
  readonly status: 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused'
  readonly defaultPaymentMethod: string | null
  readonly items: readonly ItemInput[]
  readonly cancelAtPeriodEnd: boolean
  readonly pauseCollection: { readonly behavior: string; readonly resumes_at: number | null } | null
  readonly created: number
  readonly currentPeriodStart: number
  readonly currentPeriodEnd: number
  readonly canceledAt: number | null
  readonly endedAt: number | null
  readonly latestInvoice: string | null
  readonly cancellationReason?: 'cancellation_requested' | 'payment_disputed' | 'payment_failed' | null
}

export interface CustomerInput {
  readonly id: string
  readonly email: string | null
  readonly name: string | null
  readonly defaultPaymentMethod: string | null
  readonly created: number
  readonly delinquent?: boolean
}

// --- renderers -------------------------------------------------------------------------------

/** PaymentMethod (type card). */
export function paymentMethodObject(card: CardInput): JsonObject {
  return {
    id: card.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: card.fingerprint,
      funding: 'credit',
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: card.created,
    customer: card.customer,
    livemode: false,
    metadata: {},
    type: 'card',
  }
}

function chargeOutcome(decline: Decline | undefined): JsonObject {
  if (!decline) {
    return { advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 21, seller_message: 'Payment complete.', type: 'authorized' }
  }
  const d = fullDecline(decline)
  return {
    advice_code: d.advice_code ?? null,
    network_advice_code: d.network_advice_code ?? null,
    network_decline_code: d.network_decline_code ?? null,
    network_status: 'declined_by_network',
    reason: d.decline_code,
    risk_level: 'normal',
    risk_score: 21,
    seller_message: d.decline_code === 'generic_decline' ? 'The bank did not return any further details with this decline.' : `The bank returned the decline code \`${d.decline_code}\`.`,
    type: 'issuer_declined',
  }
}

/** Charge: `failure_code`, `outcome` and `payment_method_details.card` carry the decline. */
export function chargeObject(shape: Shape, ch: ChargeInput): JsonObject {
  const failed = ch.decline ? fullDecline(ch.decline) : undefined
  return {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: failed ? 0 : ch.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failed ? null : `txn_${ch.id.slice(3)}`,
    billing_details: { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'RECOUP TEST',
    captured: !failed,
    created: ch.created,
    currency: ch.currency,
    customer: ch.customer,
    description: 'Subscription update',
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failed?.code ?? null,
    failure_message: failed?.message ?? null,
    fraud_details: {},
    ...(shape.invoicePointers ? { invoice: ch.invoice } : {}),
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: chargeOutcome(ch.decline),
    paid: !failed,
    payment_intent: ch.paymentIntent,
    payment_method: ch.card.id,
    payment_method_details: {
      card: {
        amount_authorized: failed ? null : ch.amount,
        brand: ch.card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: 'US',
        exp_month: ch.card.expMonth,
        exp_year: ch.card.expYear,
        fingerprint: ch.card.fingerprint,
        funding: 'credit',
        installments: null,
        last4: ch.card.last4,
        mandate: null,
        network: ch.card.brand,
        network_token: { used: false },
        three_d_secure: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    ...(shape.embeddedCharges ? { refunds: listOf(shape, `/v1/charges/${ch.id}/refunds`, []) } : {}),
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failed ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  }
}

/** `last_payment_error` of a PaymentIntent (the card error Stripe also answers `/pay` with). */
export function lastPaymentErrorObject(decline: Decline, charge: string | null, card: CardInput | null): JsonObject {
  const d = fullDecline(decline)
  return sortKeys({
    ...adviceOf(d),
    charge,
    code: d.code,
    decline_code: d.decline_code,
    doc_url: docUrl(d.code),
    message: d.message,
    ...(card ? { payment_method: paymentMethodObject(card) } : {}),
    type: 'card_error',
  })
}

/** PaymentIntent. */
export function paymentIntentObject(shape: Shape, pi: PaymentIntentInput): JsonObject {
  const latest = pi.charges.at(-1)
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.status === 'succeeded' ? pi.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    ...(shape.embeddedCharges ? { charges: listOf(shape, `/v1/charges?payment_intent=${pi.id}`, pi.charges.map((c) => chargeObject(shape, c)).reverse()) } : {}),
    client_secret: `${pi.id}_secret_standin`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    description: 'Subscription update',
    ...(shape.invoicePointers ? { invoice: pi.invoice } : {}),
    last_payment_error: pi.lastPaymentError ? lastPaymentErrorObject(pi.lastPaymentError, latest?.id ?? null, pi.card) : null,
    latest_charge: latest?.id ?? null,
    livemode: false,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.status === 'requires_payment_method' ? null : (pi.card?.id ?? null),
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: 'off_session',
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  }
}

function recurring(item: Pick<ItemInput, 'interval'>): JsonObject {
  return { interval: item.interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' }
}

/** Price (product as an id, as Stripe sends it unless expanded). */
export function priceObject(p: { id: string; product: string; currency: string; unitAmount: number; interval: ItemInput['interval']; created: number }): JsonObject {
  return {
    id: p.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: p.created,
    currency: p.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: p.product,
    recurring: recurring(p),
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: p.unitAmount,
    unit_amount_decimal: String(p.unitAmount),
  }
}

/** The legacy Plan twin of a price (same id), kept on subscription items in every version. */
function planObject(item: ItemInput, created: number): JsonObject {
  return {
    id: item.price,
    object: 'plan',
    active: true,
    amount: item.unitAmount,
    amount_decimal: String(item.unitAmount),
    billing_scheme: 'per_unit',
    created,
    currency: item.currency,
    interval: item.interval,
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: item.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  }
}

/** Subscription, items with `price` (and `plan`), periods where the version keeps them. */
export function subscriptionObject(shape: Shape, sub: SubscriptionInput): JsonObject {
  const periods = { current_period_end: sub.currentPeriodEnd, current_period_start: sub.currentPeriodStart }
  const items = sub.items.map((item) => ({
    id: item.id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: sub.created,
    ...(shape.invoicePointers ? {} : periods),
    discounts: [],
    metadata: {},
    plan: planObject(item, sub.created),
    price: priceObject({ ...item, id: item.price, created: sub.created }),
    quantity: item.quantity,
    subscription: sub.id,
    tax_rates: [],
  }))
  const single = sub.items.length === 1 ? sub.items[0] : undefined
  return {
    id: sub.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: sub.currentPeriodStart,
    billing_cycle_anchor_config: null,
    billing_thresholds: null,
    cancel_at: sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : null,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    canceled_at: sub.canceledAt,
    cancellation_details: { comment: null, feedback: null, reason: sub.cancellationReason ?? null },
    collection_method: 'charge_automatically',
    created: sub.created,
    currency: sub.items[0]?.currency ?? 'usd',
    ...(shape.invoicePointers ? periods : {}),
    customer: sub.customer,
    days_until_due: null,
    default_payment_method: sub.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: sub.endedAt,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    items: listOf(shape, `/v1/subscription_items?subscription=${sub.id}`, items),
    latest_invoice: sub.latestInvoice,
    livemode: false,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: sub.pauseCollection ? { behavior: sub.pauseCollection.behavior, resumes_at: sub.pauseCollection.resumes_at } : null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    ...(shape.subscriptionPlan && single ? { plan: planObject(single, sub.created), quantity: single.quantity } : {}),
    schedule: null,
    start_date: sub.created,
    status: sub.status,
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: null,
  }
}

function lineObject(shape: Shape, inv: InvoiceInput, line: LineInput, index: number): JsonObject {
  const id = `il_${inv.id.slice(3)}${index}`
  const common = {
    id,
    object: 'line_item',
    amount: line.amount,
    currency: inv.currency,
    description: line.description ?? `1 × ${line.product} (at ${(line.amount / 100).toFixed(2)} ${inv.currency.toUpperCase()} / month)`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: inv.id,
    livemode: false,
    metadata: {},
    period: { end: inv.periodEnd, start: inv.periodStart },
  }
  if (shape.invoicePointers) {
    const item: ItemInput = { id: line.subscriptionItem ?? '', price: line.price, product: line.product, currency: inv.currency, unitAmount: line.amount, interval: 'month', quantity: 1 }
    return {
      ...common,
      plan: planObject(item, inv.created),
      price: priceObject({ ...item, id: line.price, created: inv.created }),
      proration: false,
      proration_details: { credited_items: null },
      quantity: 1,
      subscription: inv.subscription,
      subscription_item: line.subscriptionItem,
      tax_amounts: [],
      tax_rates: [],
      type: line.subscriptionItem ? 'subscription' : 'invoiceitem',
    }
  }
  return {
    ...common,
    parent: line.subscriptionItem
      ? {
          invoice_item_details: null,
          subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: inv.subscription, subscription_item: line.subscriptionItem },
          type: 'subscription_item_details',
        }
      : { invoice_item_details: { invoice_item: `ii_${inv.id.slice(3)}${index}`, proration: false, proration_details: { credited_items: null }, subscription: null }, subscription_item_details: null, type: 'invoice_item_details' },
    pretax_credit_amounts: [],
    pricing: { price_details: { price: line.price, product: line.product }, type: 'price_details', unit_amount_decimal: String(line.amount) },
    quantity: 1,
    taxes: [],
  }
}

/**
 * Invoice. `payments` is includable (basil and later): only rendered when given, as when a request
 * expands it; webhook events never carry it.
 */
export function invoiceObject(shape: Shape, inv: InvoiceInput, payments?: readonly InvoicePaymentInput[]): JsonObject {
  const remaining = inv.status === 'void' ? 0 : Math.max(inv.amountDue - inv.amountPaid, 0)
  const pointers: JsonObject = shape.invoicePointers
    ? {
        charge: inv.charge,
        paid: inv.status === 'paid',
        paid_out_of_band: false,
        payment_intent: inv.paymentIntent,
        quote: null,
        subscription: inv.subscription,
        subscription_details: inv.subscription ? { metadata: {} } : null,
        // Basil replaced these by `discounts`, `total_taxes` and the line items' `taxes`.
        discount: null,
        tax: null,
        total_tax_amounts: [],
      }
    : { amount_overpaid: 0, customer_account: null, total_pretax_credit_amounts: [], total_taxes: [] }
  const result: JsonObject = {
    id: inv.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Recoup Test Shop',
    account_tax_ids: null,
    amount_due: inv.amountDue,
    amount_paid: inv.amountPaid,
    amount_remaining: remaining,
    amount_shipping: 0,
    application: null,
    attempt_count: inv.attemptCount,
    attempted: inv.attemptCount > 0,
    auto_advance: inv.status === 'open' || inv.status === 'draft',
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: inv.billingReason,
    collection_method: 'charge_automatically',
    created: inv.created,
    currency: inv.currency,
    custom_fields: null,
    customer: inv.customer,
    customer_address: null,
    customer_email: inv.customerEmail ?? null,
    customer_name: inv.customerName ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: inv.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: inv.finalizedAt,
    ending_balance: inv.status === 'draft' ? null : 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_1StandIn/test_${inv.id}`,
    invoice_pdf: `https://pay.stripe.com/invoice/acct_1StandIn/test_${inv.id}/pdf`,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: listOf(shape, `/v1/invoices/${inv.id}/lines`, inv.lines.map((line, i) => lineObject(shape, inv, line, i + 1))),
    livemode: false,
    metadata: {},
    next_payment_attempt: inv.status === 'open' ? inv.nextPaymentAttempt : null,
    number: inv.number,
    on_behalf_of: null,
    ...(shape.invoicePointers
      ? {}
      : {
          parent: inv.subscription
            ? { quote_details: null, subscription_details: { metadata: {}, subscription: inv.subscription }, type: 'subscription_details' }
            : null,
        }),
    ...(payments ? { payments: listOf(shape, `/v1/invoice_payments?invoice=${inv.id}`, payments.map(invoicePaymentObject)) } : {}),
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: inv.periodEnd,
    period_start: inv.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: inv.status,
    status_transitions: { finalized_at: inv.finalizedAt, marked_uncollectible_at: inv.markedUncollectibleAt, paid_at: inv.paidAt, voided_at: inv.voidedAt },
    subtotal: inv.amountDue,
    subtotal_excluding_tax: inv.amountDue,
    test_clock: null,
    total: inv.amountDue,
    total_discount_amounts: [],
    total_excluding_tax: inv.amountDue,
    webhooks_delivered_at: inv.finalizedAt,
  }
  return sortKeys({ ...result, ...pointers })
}

/** InvoicePayment (basil and later): the link between an invoice and one PaymentIntent. */
export function invoicePaymentObject(p: InvoicePaymentInput): JsonObject {
  return {
    id: p.id,
    object: 'invoice_payment',
    amount_paid: p.status === 'paid' ? p.amountRequested : null,
    amount_requested: p.amountRequested,
    created: p.created,
    currency: p.currency,
    invoice: p.invoice,
    is_default: p.isDefault,
    livemode: false,
    payment: { payment_intent: p.paymentIntent, type: 'payment_intent' },
    status: p.status,
    status_transitions: { canceled_at: null, paid_at: p.paidAt },
  }
}

/** Customer (no `sources`/`subscriptions` lists: those need expanding since 2020-08-27). */
export function customerObject(c: CustomerInput): JsonObject {
  return {
    id: c.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: c.created,
    currency: null,
    default_source: null,
    delinquent: c.delinquent ?? false,
    description: null,
    discount: null,
    email: c.email,
    invoice_prefix: c.id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: c.defaultPaymentMethod, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: c.name,
    next_invoice_sequence: 2,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  }
}

export interface SetupIntentInput {
  readonly id: string
  readonly customer: string
  readonly paymentMethod: string | null
  readonly status: 'requires_payment_method' | 'succeeded' | 'canceled'
  readonly created: number
}

/** SetupIntent (off-session card saving, as Checkout setup mode and the portal create). */
export function setupIntentObject(si: SetupIntentInput): JsonObject {
  return {
    id: si.id,
    object: 'setup_intent',
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${si.id}_secret_standin`,
    created: si.created,
    customer: si.customer,
    description: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: si.status === 'succeeded' ? `setatt_${si.id.slice(5)}` : null,
    livemode: false,
    mandate: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: si.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: si.status,
    usage: 'off_session',
  }
}

export interface CheckoutSessionInput {
  readonly id: string
  readonly customer: string
  readonly currency: string | null
  readonly paymentMethodTypes: readonly string[]
  readonly setupIntent: string
  readonly successUrl: string
  readonly cancelUrl: string | null
  readonly status: 'open' | 'complete' | 'expired'
  readonly url: string | null
  readonly created: number
  readonly expiresAt: number
}

/** Checkout Session in setup mode. */
export function checkoutSessionObject(cs: CheckoutSessionInput): JsonObject {
  return {
    id: cs.id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: null,
    amount_total: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: cs.cancelUrl,
    client_reference_id: null,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created: cs.created,
    currency: cs.currency,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: cs.customer,
    customer_creation: null,
    customer_details: cs.status === 'complete' ? { address: null, email: null, name: null, phone: null, tax_exempt: 'none', tax_ids: null } : null,
    customer_email: null,
    expires_at: cs.expiresAt,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: {},
    mode: 'setup',
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [...cs.paymentMethodTypes],
    payment_status: 'no_payment_required',
    phone_number_collection: { enabled: false },
    recovered_from: null,
    setup_intent: cs.setupIntent,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: cs.status,
    submit_type: null,
    subscription: null,
    success_url: cs.successUrl,
    total_details: null,
    ui_mode: 'hosted',
    url: cs.status === 'open' ? cs.url : null,
  }
}

/** An object's keys in alphabetical order after `id` and `object`, as Stripe prints them. */
export function sortKeys(value: JsonObject): JsonObject {
  const { id, object, ...rest } = value
  const out: JsonObject = {}
  if (id !== undefined) out.id = id
  if (object !== undefined) out.object = object
  for (const key of Object.keys(rest).sort()) out[key] = rest[key]
  return out
}
