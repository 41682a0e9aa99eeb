import Stripe from 'stripe'
import { ConfigError, PermanentError, RetryLaterError } from '../domain/errors.js'

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
    ...(options.apiBase ? hostOptions(options.apiBase) : {}),
    // The engine owns retries and their backoff; one schedule is easier to reason about than two.
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 30_000,
    telemetry: false,
  })
  const redact = redactor(options.secretKey)

  return {
    async retry(input) {
      if (!input.invoiceId) {
        throw new PermanentError(
          'retry_payment needs an invoice id: Stripe retries invoices, and this event carries no payment.invoice_id. Send events from the Stripe webhook, or include invoice_id.',
        )
      }
      try {
        const invoice = await stripe.invoices.pay(input.invoiceId, {}, { idempotencyKey: input.idempotencyKey })
        if (invoice.status === 'paid') return { status: 'succeeded', providerId: invoice.id }
        // E.g. the payment needs 3-D Secure: nothing was collected, the customer must act.
        return {
          status: 'failed',
          providerId: invoice.id,
          failureCode: 'payment_incomplete',
          failureMessage: `Stripe left invoice ${invoice.id} ${invoice.status ?? 'unpaid'} after the payment attempt`,
        }
      } catch (err) {
        return outcomeOfError(err, input.invoiceId, redact)
      }
    },
  }
}

/** Turns a Stripe error into a decline (returned) or an error for the engine (thrown). */
function outcomeOfError(err: unknown, invoiceId: string, redact: (text: string) => string): PaymentRetryResult {
  const E = Stripe.errors
  if (!(err instanceof E.StripeError)) {
    throw new RetryLaterError(`Stripe could not be reached to pay invoice ${invoiceId}: ${redact(String((err as Error)?.message ?? err))}`)
  }
  const message = redact(err.message)
  // A plain object, not the SDK error: ours must never carry the key, and this cannot.
  const cause = { type: err.type, code: err.code, statusCode: err.statusCode, requestId: err.requestId }
  if (err instanceof E.StripeCardError) {
    return { status: 'failed', providerId: invoiceId, failureCode: err.decline_code || err.code || 'card_declined', failureMessage: message }
  }
  if (err.code === 'invoice_already_paid' || /already paid/i.test(err.message)) {
    // Paid meanwhile (by Stripe's own retry or the customer): the goal is met.
    return { status: 'succeeded', providerId: invoiceId }
  }
  if (err instanceof E.StripeConnectionError || err instanceof E.StripeAPIError || err instanceof E.StripeRateLimitError || (err.statusCode ?? 0) >= 500) {
    throw new RetryLaterError(`Stripe did not answer the payment of invoice ${invoiceId}: ${message}`, { cause })
  }
  if (err.statusCode === 409) {
    // Another request with this idempotency key is still in flight.
    throw new RetryLaterError(`Stripe is still processing a payment of invoice ${invoiceId}`, { cause })
  }
  if (err instanceof E.StripeAuthenticationError || err instanceof E.StripePermissionError) {
    throw new PermanentError(`Stripe refused the API key (RECOUP_STRIPE_SECRET_KEY): ${message}`, { cause })
  }
  if (err.code === 'resource_missing') {
    throw new PermanentError(`Stripe has no invoice ${invoiceId} (is RECOUP_STRIPE_SECRET_KEY for the right account and mode?): ${message}`, { cause })
  }
  throw new PermanentError(`Stripe refused to pay invoice ${invoiceId}: ${message}${err.code ? ` (${err.code})` : ''}`, { cause })
}

/** Host, port and protocol for the SDK from a base URL such as `http://127.0.0.1:12111`. */
function hostOptions(apiBase: string): { host: string; port: number; protocol: 'http' | 'https' } {
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
