// A Stripe decline in Recoup's terms, from either place Stripe reports one: the 402 card error of a
// payment attempt, or a PaymentIntent's `last_payment_error`. Both carry the same field names.
import type { DeclineDetails } from './payments.js'

const ADVICE = new Set(['try_again_later', 'do_not_try_again', 'confirm_card_data'])

/** A card error or `last_payment_error`, as far as a decline needs it (every field may be missing). */
interface DeclineSource {
  readonly code?: unknown
  readonly message?: unknown
  readonly decline_code?: unknown
  readonly advice_code?: unknown
  readonly network_advice_code?: unknown
  readonly network_decline_code?: unknown
  readonly payment_method?: unknown
  readonly payment_intent?: unknown
}

/**
 * The decline of a card error or `last_payment_error`: each field from the object itself, else from
 * `raw` (the error body as Stripe sent it, for fields an older SDK would not copy). Undefined when
 * it names no reason at all.
 */
export function declineOf(source: DeclineSource, raw?: DeclineSource, paymentIntentId?: string): DeclineDetails | undefined {
  const pick = (name: keyof DeclineSource): string | undefined => text(source[name]) ?? (raw ? text(raw[name]) : undefined)
  const pm = objectOf(source.payment_method) ?? objectOf(raw?.payment_method)
  const card = objectOf(pm?.card)
  const advice = pick('advice_code')
  const details: DeclineDetails = compact({
    failure_code: pick('code'),
    failure_message: pick('message'),
    decline_code: pick('decline_code'),
    advice_code: advice && ADVICE.has(advice) ? (advice as DeclineDetails['advice_code']) : undefined,
    network_advice_code: pick('network_advice_code'),
    network_decline_code: pick('network_decline_code'),
    card_brand: text(card?.brand),
    payment_method_id: text(pm?.id) ?? text(source.payment_method),
    card_fingerprint: text(card?.fingerprint),
    payment_intent_id: paymentIntentId ?? idOf(source.payment_intent) ?? idOf(raw?.payment_intent),
  })
  return details.failure_code || details.decline_code ? details : undefined
}

/** The id of an expandable field: the string itself, or the object's `id`. */
export function idOf(value: unknown): string | undefined {
  return text(value) ?? text(objectOf(value)?.id)
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
