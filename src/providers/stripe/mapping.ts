/**
 * What the Stripe mappers share (stripe.ts dispatches to stripe-payments-map.ts,
 * stripe-lifecycle.ts and stripe-cards.ts): the result types and the few helpers each of them uses.
 * Pure, like the mappers.
 */
import type { z } from 'zod'
import { CARD_BRANDS, customerRefSchema, declineFields, type declineReasonSchema, type EventInput } from '../../domain/events.js'
import type { StripePaymentError } from './shapes.js'

/** A price on an invoice line or subscription item, as handed to `productIdFromPrice`. */
export interface StripePriceRef {
  readonly price?: string
  readonly product: string
}

export interface StripeMapOptions {
  /** Turns a Stripe price into a Recoup product id; default: the Stripe product id (`prod_…`). */
  readonly productIdFromPrice?: (price: StripePriceRef) => string
}

/** What the route looked up through Stripe's API before mapping (bounded in time; may be empty). */
export interface StripeLookedUp {
  /** Stripe product ids of prices that arrived as bare ids (subscription schedule phases). */
  readonly priceProducts?: ReadonlyMap<string, string>
  /** The card saved by a Checkout Session's SetupIntent, when the session named it only by id. */
  readonly setupIntentPaymentMethod?: string
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

/**
 * What a Stripe event means to Recoup: a normalized event (with, for a subscription that ended, the
 * record update that goes with it), a subscription update alone, or a reason to ignore it.
 */
export type StripeMapping =
  | { readonly kind: 'event'; readonly event: EventInput; readonly subscription?: StripeSubscriptionUpdate }
  | StripeSubscriptionUpdate
  | StripeIgnored

/** The envelope fields a mapping uses. */
export interface EventHead {
  readonly id: string
  readonly type: string
  readonly created: number
}

export type ToProduct = (p: StripePriceRef) => string

/** The decline fields of Recoup's events, as the mappers fill them. */
export type DeclineInput = Omit<z.input<typeof declineReasonSchema>, 'invoice_id' | 'payment_intent_id' | 'amount' | 'currency'>

/** An event that is used, with its record update if any. */
export function mapped(event: EventInput, subscription?: StripeSubscriptionUpdate): StripeMapping {
  return { kind: 'event', event, ...(subscription ? { subscription } : {}) }
}

/** The fields every mapped event shares: its id, when it happened, where it came from. */
export function head(event: EventHead): { id: string; occurred_at: string; metadata: { source: 'stripe'; stripe_event_type: string } } {
  return { id: eventId(event), occurred_at: isoFromUnix(event.created), metadata: { source: 'stripe', stripe_event_type: event.type } }
}

export function malformed(what: string, object: Record<string, unknown>, reason: string): StripeIgnored {
  const id = typeof object.id === 'string' && object.id !== '' ? ` ${object.id.slice(0, 255)}` : ''
  return { kind: 'ignored', reason: `${what}${id} is unusable: ${reason}`, malformed: true }
}

export function ignored(reason: string): StripeIgnored {
  return { kind: 'ignored', reason }
}

interface ContactIn {
  readonly email?: string
  readonly name?: string
  readonly phone?: string
  readonly preferred_locales?: readonly string[]
}

/**
 * The customer as our schema accepts it. Stripe's own contact fields are looser than ours (a
 * phone need not be E.164), and one odd field must not cost us the event, so those are dropped.
 * The first of Stripe's `preferred_locales` becomes the customer's locale, when Recoup's customer
 * has one and the tag is a language tag.
 */
export function customerRef(id: string, contact: ContactIn): EventInput['customer'] {
  const shape = customerRefSchema.shape
  const email = shape.email.safeParse(contact.email)
  const phone = shape.phone.safeParse(contact.phone)
  const localeField = (shape as Record<string, z.ZodType | undefined>).locale
  const locale = localeField && contact.preferred_locales?.[0] ? localeField.safeParse(contact.preferred_locales[0]) : undefined
  return {
    id,
    ...(email.success && email.data ? { email: email.data } : {}),
    ...(phone.success && phone.data ? { phone: phone.data } : {}),
    ...(contact.name ? { name: contact.name.slice(0, 500) } : {}),
    ...(locale?.success && typeof locale.data === 'string' ? { locale: locale.data } : {}),
  }
}

/** Usable contact details of an expanded customer, if any. */
export function contactOf(customer: { readonly id: string } & ContactIn): StripeContact | undefined {
  const { id: _id, ...contact } = customerRef(customer.id, customer)
  return Object.keys(contact).length > 0 ? contact : undefined
}

/** Stripe's names for card brands that differ from the PaymentMethod's (older Charge `source.brand`). */
const BRAND_ALIASES: Readonly<Record<string, string>> = {
  'american express': 'amex',
  'diners club': 'diners',
  'master card': 'mastercard',
  'cartes bancaires': 'cartes_bancaires',
}

/** A card brand as Recoup names it; a brand Recoup does not list is `unknown`, never dropped. */
function brandOf(raw: string): string {
  const lower = raw.trim().toLowerCase()
  const brand = BRAND_ALIASES[lower] ?? lower
  return (CARD_BRANDS as readonly string[]).includes(brand) ? brand : 'unknown'
}

/**
 * Keeps the decline fields Recoup's schema accepts: codes and messages are cut to length, the
 * rest (an advice code Stripe added later, an odd network code) is dropped alone.
 */
export function cleanDecline(raw: { readonly [K in keyof typeof declineFields]?: string | undefined }): DeclineInput {
  const out: Record<string, string> = {}
  for (const key of Object.keys(declineFields) as (keyof typeof declineFields)[]) {
    let value = raw[key]?.trim()
    if (!value) continue
    if (key === 'failure_message') value = value.slice(0, 2000)
    else if (key === 'failure_code' || key === 'decline_code') value = value.slice(0, 100)
    else if (key === 'card_brand') value = brandOf(value)
    const parsed = declineFields[key].safeParse(value)
    if (parsed.success && typeof parsed.data === 'string') out[key] = parsed.data
  }
  return out as DeclineInput
}

/** The decline a payment error (`last_payment_error`) describes, card included. */
export function declineOfError(error: StripePaymentError): DeclineInput {
  return cleanDecline({
    failure_code: error.code,
    failure_message: error.message,
    decline_code: error.decline_code,
    advice_code: error.advice_code,
    network_advice_code: error.network_advice_code,
    network_decline_code: error.network_decline_code,
    payment_method_id: error.payment_method?.id,
    card_brand: error.payment_method?.card?.brand,
    card_fingerprint: error.payment_method?.card?.fingerprint,
  })
}

/** True when a decline says why the payment failed (not only which card). */
export function hasReason(decline: DeclineInput): boolean {
  return decline.failure_code !== undefined || decline.decline_code !== undefined
}

/** Our id for a Stripe event; the prefix keeps Stripe's ids apart from ids callers choose. */
export function eventId(event: { readonly id: string }): string {
  return `stripe:${event.id}`
}

export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
