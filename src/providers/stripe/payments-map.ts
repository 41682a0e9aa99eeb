/**
 * Stripe's payment events → Recoup's: a failed or paid invoice, and the decline reason that
 * Stripe sends apart from the invoice failure (`charge.failed`, `payment_intent.payment_failed`).
 *
 * A webhook's `invoice.payment_failed` never says why the card failed: before API 2025-03-31
 * `invoice.payment_intent` is an unexpanded id, and from then on the Invoice has no payment intent
 * at all. So the failure is recorded with `reason_pending: true` (never a guessed `card_declined`)
 * and the reason joins it when the charge or payment intent event comes, in either order, or
 * when the enricher reads it from the API (stripe-enricher.ts). Fields are read by shape, never by
 * API version string.
 */
import type { EventInput } from '../../domain/events.js'
import type { StripeCharge, StripeInvoice, StripePaymentIntent } from './shapes.js'
import {
  cleanDecline, customerRef, declineOfError, hasReason, head, ignored, isoFromUnix, mapped, unique,
  type DeclineInput, type EventHead, type StripeMapping, type StripePriceRef, type ToProduct,
} from './mapping.js'

/** `invoice.payment_failed` → `payment.failed`; `invoice.paid` / `.payment_succeeded` → `payment.succeeded`. */
export function mapInvoicePayment(
  event: EventHead,
  invoice: StripeInvoice,
  payment: { readonly type: 'payment.failed' | 'payment.succeeded'; readonly amount: number },
  toProduct: ToProduct,
): StripeMapping {
  const failed = payment.type === 'payment.failed'
  const subscriptionId = invoice.parent?.subscription_details?.subscription ?? invoice.subscription
  return mapped({
    ...head(event),
    type: payment.type,
    customer: customerRef(invoice.customer.id, {
      email: invoice.customer_email ?? invoice.customer.email,
      name: invoice.customer_name ?? invoice.customer.name,
      phone: invoice.customer_phone ?? invoice.customer.phone,
      preferred_locales: invoice.customer.preferred_locales,
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
  })
}

function failureFields(invoice: StripeInvoice) {
  const pi = invoice.payment_intent
  // The payment intent's error is there only when an API caller expanded it; a finalization error
  // (no charge was even tried) is its own reason, and no charge event will follow it.
  const error = pi?.last_payment_error ?? invoice.last_finalization_error
  const decline = error ? declineOfError(error) : {}
  return {
    ...(pi?.id ? { payment_intent_id: pi.id } : {}),
    ...decline,
    ...(hasReason(decline) ? {} : { reason_pending: true }),
    ...(invoice.attempt_count ? { attempt: invoice.attempt_count } : {}),
    // Null once Stripe has no retry left (or Smart Retries are off): absent, so Recoup owns retries.
    ...(invoice.next_payment_attempt ? { next_attempt_at: isoFromUnix(invoice.next_payment_attempt) } : {}),
    // "Confirm the payment" (authentication_required) links here instead of the card update page.
    ...(invoice.hosted_invoice_url ? { confirm_url: invoice.hosted_invoice_url } : {}),
  }
}

/** Product ids of an invoice's lines: `pricing.price_details` (current API) or `price` (before 2025-03-31). */
export function invoiceProducts(invoice: { readonly lines?: StripeInvoice['lines'] }, toProduct: ToProduct): string[] {
  const refs: StripePriceRef[] = []
  for (const line of invoice.lines?.data ?? []) {
    const details = line.pricing?.price_details
    if (details) refs.push({ price: details.price, product: details.product })
    else if (line.price) refs.push({ price: line.price.id, product: line.price.product })
  }
  return unique(refs.map(toProduct))
}

/**
 * `charge.failed` → `payment.decline_reason`. Stripe's `failure_code` is its own (mostly
 * `card_declined`); the issuer's reason is `outcome.reason` when `outcome.type` is
 * `issuer_declined` (for Radar blocks it names a rule, not a decline code, so it is not used).
 */
export function mapChargeFailed(event: EventHead, charge: StripeCharge, raw: Record<string, unknown>): StripeMapping {
  if (!charge.customer) return ignored(`charge ${charge.id} has no customer, so it explains no invoice`)
  // Before API 2025-03-31 a charge names its invoice; null there means it paid none.
  if ('invoice' in raw && raw.invoice === null) return ignored(`charge ${charge.id} is not for an invoice`)
  const outcome = charge.outcome
  const card = charge.payment_method_details?.card
  const decline = cleanDecline({
    failure_code: charge.failure_code,
    failure_message: charge.failure_message,
    decline_code: outcome?.type === 'issuer_declined' ? outcome.reason : undefined,
    advice_code: outcome?.advice_code,
    network_advice_code: outcome?.network_advice_code,
    network_decline_code: outcome?.network_decline_code,
    payment_method_id: charge.payment_method,
    card_brand: card?.brand,
    card_fingerprint: card?.fingerprint,
  })
  return declineReason(event, charge.customer, decline, { invoice: charge.invoice, paymentIntent: charge.payment_intent, amount: charge.amount, currency: charge.currency })
}

/** `payment_intent.payment_failed` → `payment.decline_reason`, from `last_payment_error`. */
export function mapPaymentIntentFailed(event: EventHead, pi: StripePaymentIntent, raw: Record<string, unknown>): StripeMapping {
  if (!pi.customer) return ignored(`payment intent ${pi.id} has no customer, so it explains no invoice`)
  if ('invoice' in raw && raw.invoice === null) return ignored(`payment intent ${pi.id} is not for an invoice`)
  if (!pi.last_payment_error) return ignored(`payment intent ${pi.id} has no last_payment_error`)
  return declineReason(event, pi.customer, declineOfError(pi.last_payment_error), { invoice: pi.invoice, paymentIntent: pi.id, amount: pi.amount, currency: pi.currency })
}

function declineReason(
  event: EventHead,
  customer: string,
  decline: DeclineInput,
  o: { readonly invoice?: string; readonly paymentIntent?: string; readonly amount: number; readonly currency: string },
): StripeMapping {
  if (!hasReason(decline)) return ignored(`${event.type} carries no decline reason`)
  const reason: EventInput = {
    ...head(event),
    type: 'payment.decline_reason',
    customer: { id: customer },
    decline: {
      ...(o.invoice ? { invoice_id: o.invoice } : {}),
      ...(o.paymentIntent ? { payment_intent_id: o.paymentIntent } : {}),
      amount: o.amount,
      currency: o.currency,
      ...decline,
    },
  }
  return mapped(reason)
}
