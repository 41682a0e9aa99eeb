import Stripe from 'stripe'
import { ConfigError, PermanentError, RetryLaterError } from '../../domain/errors.js'
import { declineOf, idOf } from './decline.js'

/** What the `retry_payment` step asks of a payment provider. */
export interface PaymentRetryInput {
  readonly invoiceId?: string
  readonly subscriptionId?: string
  readonly customerId: string
  readonly amount: number
  readonly currency: string
  /** Stable per step (`run_id:step_id`), so a repeated attempt charges at most once. */
  readonly idempotencyKey: string
  /**
   * A new card to pay with (the customer just gave it). The provider makes it the default where
   * the failure happened first: the subscription's own default card when it has one, else the
   * customer's invoice default. Absent: the card on file.
   */
  readonly paymentMethodId?: string
}

/** Why a card was declined, as the processor and the network said (every field optional). */
export interface DeclineDetails {
  readonly failure_code?: string
  readonly failure_message?: string
  readonly decline_code?: string
  readonly advice_code?: 'try_again_later' | 'do_not_try_again' | 'confirm_card_data'
  readonly network_advice_code?: string
  readonly network_decline_code?: string
  readonly card_brand?: string
  readonly payment_method_id?: string
  readonly card_fingerprint?: string
  readonly payment_intent_id?: string
}

/** Where to send a customer to enter a new card (a processor-hosted page). */
export interface CardUpdateInput {
  readonly customerId: string
  /** The page to come back to afterwards (Recoup's portal page). */
  readonly returnUrl: string
  /** Stable per run and day, so a double click opens one session. */
  readonly idempotencyKey: string
  readonly currency?: string
}

/** How a workflow ends a subscription that was not recovered (Stripe's own end-of-dunning choices). */
export type SubscriptionEnding = 'cancel' | 'pause_collection' | 'mark_uncollectible'

/**
 * The outcome of one retry: a decline is an answer, not an error. `requested` means the provider
 * only passed the request on (the built-in provider): the outcome arrives later as an event.
 */
export interface PaymentRetryResult {
  readonly status: 'succeeded' | 'failed' | 'requested'
  readonly providerId?: string
  readonly failureCode?: string
  readonly failureMessage?: string
  /** The decline's full reason, when the processor gave one. */
  readonly decline?: DeclineDetails
}

/**
 * Retries a payment. Throws RetryLaterError when the provider could not answer (network, 5xx,
 * rate limit) and PermanentError when asking again cannot help (bad key, unknown invoice).
 */
export interface PaymentRetryProvider {
  /** `stripe` when the processor runs its own retries and can host a card update; `manual` otherwise. */
  readonly kind?: 'stripe' | 'manual'
  retry(input: PaymentRetryInput): Promise<PaymentRetryResult>
  /** The URL of a hosted page where the customer enters a new card; absent when the provider has none. */
  cardUpdateUrl?(input: CardUpdateInput): Promise<string>
  /** Ends a subscription (or its invoice) the way the workflow chose; idempotent per key. */
  endSubscription?(input: { subscriptionId: string; invoiceId?: string; action: SubscriptionEnding; idempotencyKey: string }): Promise<{ status: string }>
  /** The decline reason of an invoice's latest failed attempt, read from the processor's API. */
  declineOfInvoice?(input: { invoiceId: string; paymentIntentId?: string }): Promise<DeclineDetails | undefined>
}

export interface StripeRetryOptions {
  /** `sk_…` or a restricted `rk_…` key with write access to invoices. */
  readonly secretKey: string
  /** Another Stripe API host, e.g. `http://127.0.0.1:12111` (stripe-mock or a test server). */
  readonly apiBase?: string
  /** Per-request timeout in ms (default 30 s). */
  readonly timeoutMs?: number
}

/** A retry provider that pays the open Stripe invoice (`POST /v1/invoices/:id/pay`). */
export function createStripeRetryProvider(options: StripeRetryOptions): PaymentRetryProvider {
  if (!options.secretKey) throw new ConfigError('RECOUP_STRIPE_SECRET_KEY is empty')
  const stripe = new Stripe(options.secretKey, {
    ...(options.apiBase ? stripeHost(options.apiBase) : {}),
    // The engine owns retries and their backoff; one schedule is easier to reason about than two.
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 30_000,
    telemetry: false,
  })
  const redact = redactor(options.secretKey)
  /** Runs one API call; a failure becomes RetryLaterError or PermanentError saying what was being done. */
  const call = async <T>(what: string, subject: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (err) {
      throw apiError(err, { what, subject }, redact)
    }
  }

  /** Makes `paymentMethodId` the default where the invoice's payment failed (see PaymentRetryInput). */
  async function makeDefault(invoice: Stripe.Invoice, paymentMethodId: string, key: string): Promise<void> {
    const subscriptionId = subscriptionOf(invoice)
    if (subscriptionId) {
      const sub = await call('read', `subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId))
      const own = idOf(sub.default_payment_method)
      if (own) {
        if (own !== paymentMethodId) {
          await call('set the card of', `subscription ${subscriptionId}`, () =>
            stripe.subscriptions.update(subscriptionId, { default_payment_method: paymentMethodId }, { idempotencyKey: `${key}:default` }),
          )
        }
        return
      }
    }
    const customerId = idOf(invoice.customer)
    if (!customerId) throw new PermanentError(`Stripe invoice ${invoice.id} has no customer whose card could be set`)
    const customer = await call('read', `customer ${customerId}`, () => stripe.customers.retrieve(customerId))
    const current = 'deleted' in customer && customer.deleted ? undefined : idOf((customer as Stripe.Customer).invoice_settings?.default_payment_method)
    if (current === paymentMethodId) return
    await call('set the default card of', `customer ${customerId}`, () =>
      stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } }, { idempotencyKey: `${key}:default` }),
    )
  }

  return {
    kind: 'stripe',

    async retry(input) {
      const invoiceId = input.invoiceId
      if (!invoiceId) {
        throw new PermanentError(
          'retry_payment needs an invoice id: Stripe retries invoices, and this event carries no payment.invoice_id. Send events from the Stripe webhook, or include invoice_id.',
        )
      }
      const pm = input.paymentMethodId
      if (pm) {
        const invoice = await call('read', `invoice ${invoiceId}`, () => stripe.invoices.retrieve(invoiceId))
        // Paid meanwhile (Stripe's own retry, or the customer): nothing to set, nothing to charge.
        if (invoice.status === 'paid') return { status: 'succeeded', providerId: invoice.id }
        await makeDefault(invoice, pm, input.idempotencyKey)
      }
      try {
        const invoice = pm
          ? await stripe.invoices.pay(invoiceId, { payment_method: pm }, { idempotencyKey: `${input.idempotencyKey}:pay` })
          : await stripe.invoices.pay(invoiceId, {}, { idempotencyKey: input.idempotencyKey })
        if (invoice.status === 'paid') return { status: 'succeeded', providerId: invoice.id }
        // E.g. the payment needs 3-D Secure: nothing was collected, the customer must act.
        return {
          status: 'failed',
          providerId: invoice.id,
          failureCode: 'payment_incomplete',
          failureMessage: `Stripe left invoice ${invoice.id} ${invoice.status ?? 'unpaid'} after the payment attempt`,
        }
      } catch (err) {
        return outcomeOfError(err, invoiceId, redact)
      }
    },

    async declineOfInvoice({ invoiceId, paymentIntentId }) {
      if (paymentIntentId) {
        const pi = await call('read', `payment ${paymentIntentId}`, () => stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['payment_method'] }))
        return declineOfIntent(pi)
      }
      const invoice = await call('read', `invoice ${invoiceId}`, () =>
        stripe.invoices.retrieve(invoiceId, { expand: ['payments.data.payment.payment_intent'] }),
      )
      // Before basil the invoice names its PaymentIntent itself (never expanded here).
      const legacy = idOf((invoice as unknown as { payment_intent?: unknown }).payment_intent)
      if (legacy) {
        const pi = await call('read', `payment ${legacy}`, () => stripe.paymentIntents.retrieve(legacy, { expand: ['payment_method'] }))
        return declineOfIntent(pi)
      }
      const payments = invoice.payments?.data ?? (await call('list the payments of', `invoice ${invoiceId}`, () => stripe.invoicePayments.list({ invoice: invoiceId, limit: 10 }))).data
      // The newest attempt whose PaymentIntent failed: an earlier failure's reason is stale.
      for (const payment of [...payments].sort((a, b) => b.created - a.created)) {
        const ref = payment.payment?.payment_intent
        if (!ref) continue
        const pi = typeof ref === 'string' ? await call('read', `payment ${ref}`, () => stripe.paymentIntents.retrieve(ref)) : ref
        const decline = declineOfIntent(pi)
        if (decline) return decline
      }
      return undefined
    },

    async cardUpdateUrl({ customerId, returnUrl, idempotencyKey, currency }) {
      try {
        const session = await stripe.billingPortal.sessions.create(
          {
            customer: customerId,
            return_url: returnUrl,
            // Straight back to Recoup's page once the card is saved, not to the portal's home.
            flow_data: { type: 'payment_method_update', after_completion: { type: 'redirect', redirect: { return_url: returnUrl } } },
          },
          { idempotencyKey: `${idempotencyKey}:portal` },
        )
        return session.url
      } catch (err) {
        if (!portalNotConfigured(err)) throw apiError(err, { what: 'open a card update for', subject: `customer ${customerId}` }, redact)
      }
      // No saved portal settings: a Checkout Session in setup mode collects a card just as well.
      const session = await call('open a card update for', `customer ${customerId}`, () =>
        stripe.checkout.sessions.create(
          {
            mode: 'setup',
            customer: customerId,
            success_url: returnUrl,
            cancel_url: returnUrl,
            ...(currency ? { currency: currency.toLowerCase() } : { payment_method_types: ['card'] }),
          },
          { idempotencyKey: `${idempotencyKey}:checkout` },
        ),
      )
      if (!session.url) throw new PermanentError(`Stripe gave no page for Checkout Session ${session.id}`)
      return session.url
    },

    async endSubscription({ subscriptionId, invoiceId, action, idempotencyKey }) {
      const options = { idempotencyKey }
      if (action === 'mark_uncollectible') {
        if (!invoiceId) throw new PermanentError('mark_uncollectible needs the failed invoice id (payment.invoice_id)')
        const invoice = await call('read', `invoice ${invoiceId}`, () => stripe.invoices.retrieve(invoiceId))
        if (invoice.status === 'uncollectible') return { status: 'already_uncollectible' }
        if (invoice.status === 'paid' || invoice.status === 'void') return { status: `invoice_${invoice.status}` }
        await call('mark uncollectible', `invoice ${invoiceId}`, () => stripe.invoices.markUncollectible(invoiceId, {}, options))
        return { status: 'uncollectible' }
      }
      const sub = await call('read', `subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId))
      if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return { status: 'already_canceled' }
      if (action === 'cancel') {
        try {
          // Stripe ignores idempotency keys on DELETE; the key still names the request in its logs.
          await stripe.subscriptions.cancel(subscriptionId, {}, options)
        } catch (err) {
          // The SDK repeats a request whose connection dropped, so a cancel that went through can
          // come back as "already canceled": what counts is the subscription's state now.
          if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) throw apiError(err, { what: 'cancel', subject: `subscription ${subscriptionId}` }, redact)
          const now = await call('read', `subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId))
          if (now.status !== 'canceled') throw apiError(err, { what: 'cancel', subject: `subscription ${subscriptionId}` }, redact)
        }
        return { status: 'canceled' }
      }
      if (sub.pause_collection?.behavior === 'mark_uncollectible') return { status: 'already_paused' }
      await call('pause collection of', `subscription ${subscriptionId}`, () =>
        stripe.subscriptions.update(subscriptionId, { pause_collection: { behavior: 'mark_uncollectible' } }, options),
      )
      return { status: 'paused' }
    },
  }
}

/** The subscription an invoice belongs to, whatever the API version: `subscription` before basil, `parent.subscription_details` since. */
function subscriptionOf(invoice: Stripe.Invoice): string | undefined {
  const legacy = (invoice as unknown as { subscription?: unknown }).subscription
  return idOf(legacy) ?? idOf(invoice.parent?.subscription_details?.subscription)
}

/** The decline of a PaymentIntent's last failed attempt, with its id. */
function declineOfIntent(pi: Stripe.PaymentIntent): DeclineDetails | undefined {
  const error = pi.last_payment_error
  if (!error) return undefined
  // The error names the card tried; an expanded `payment_method` fills in when it does not.
  const card = error.payment_method ?? (typeof pi.payment_method === 'object' ? pi.payment_method : undefined)
  return declineOf({ ...error, payment_method: card ?? undefined }, undefined, pi.id)
}

/** Whether Stripe refused a portal session because the account saved no portal settings. */
function portalNotConfigured(err: unknown): boolean {
  return (
    err instanceof Stripe.errors.StripeInvalidRequestError &&
    /default configuration has not been created|save your customer portal settings|no configuration provided/i.test(err.message)
  )
}

/** Turns a Stripe error into a decline (returned) or an error for the engine (thrown). */
function outcomeOfError(err: unknown, invoiceId: string, redact: (text: string) => string): PaymentRetryResult {
  const E = Stripe.errors
  if (err instanceof E.StripeCardError) {
    const decline = declineOf(err, err.raw as Record<string, unknown> | undefined)
    const redacted = decline?.failure_message ? { ...decline, failure_message: redact(decline.failure_message) } : decline
    return {
      status: 'failed',
      providerId: invoiceId,
      failureCode: err.decline_code || err.code || 'card_declined',
      failureMessage: redact(err.message),
      ...(redacted ? { decline: redacted } : {}),
    }
  }
  if (err instanceof E.StripeError && (err.code === 'invoice_already_paid' || /already paid/i.test(err.message))) {
    // Paid meanwhile (by Stripe's own retry or the customer): the goal is met.
    return { status: 'succeeded', providerId: invoiceId }
  }
  throw apiError(err, { what: 'pay', subject: `invoice ${invoiceId}` }, redact)
}

/**
 * The error for the engine when a Stripe call failed (to `what` the `subject`, e.g. "pay" "invoice
 * in_1"): RetryLaterError when asking again may help, else PermanentError. Never the key.
 */
function apiError(err: unknown, call: { what: string; subject: string }, redact: (text: string) => string): Error {
  const E = Stripe.errors
  if (err instanceof RetryLaterError || err instanceof PermanentError) return err
  const doing = `${call.what} ${call.subject}`
  if (!(err instanceof E.StripeError)) {
    return new RetryLaterError(`Stripe could not be reached to ${doing}: ${redact(String((err as Error)?.message ?? err))}`)
  }
  const message = redact(err.message)
  // A plain object, not the SDK error: ours must never carry the key, and this cannot.
  const cause = { type: err.type, code: err.code, statusCode: err.statusCode, requestId: err.requestId }
  if (err instanceof E.StripeConnectionError || err instanceof E.StripeAPIError || err instanceof E.StripeRateLimitError || (err.statusCode ?? 0) >= 500) {
    return new RetryLaterError(`Stripe did not answer when asked to ${doing}: ${message}`, { cause })
  }
  if (err.statusCode === 409) {
    // Another request with this idempotency key is still in flight.
    return new RetryLaterError(`Stripe is still processing a request to ${doing}`, { cause })
  }
  if (err instanceof E.StripeAuthenticationError || err instanceof E.StripePermissionError) {
    return new PermanentError(`Stripe refused the API key (RECOUP_STRIPE_SECRET_KEY): ${message}`, { cause })
  }
  if (err.code === 'resource_missing') {
    return new PermanentError(`Stripe has no ${call.subject} (is RECOUP_STRIPE_SECRET_KEY for the right account and mode?): ${message}`, { cause })
  }
  return new PermanentError(`Stripe refused to ${doing}: ${message}${err.code ? ` (${err.code})` : ''}`, { cause })
}

/** Host, port and protocol for the SDK from a base URL such as `http://127.0.0.1:12111`. */
export function stripeHost(apiBase: string): { host: string; port: number; protocol: 'http' | 'https' } {
  let url: URL
  try {
    url = new URL(apiBase)
  } catch {
    throw new ConfigError(`RECOUP_STRIPE_API_BASE must be a URL such as http://127.0.0.1:12111, not ${JSON.stringify(apiBase)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('RECOUP_STRIPE_API_BASE must start with http:// or https://')
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol }
}

/** Removes the secret key, and anything shaped like one, from text bound for errors and logs. */
function redactor(secretKey: string): (text: string) => string {
  return (text) => text.split(secretKey).join('[redacted]').replace(/\b(sk|rk)_(test|live)_[A-Za-z0-9]+/g, '$1_$2_[redacted]')
}
