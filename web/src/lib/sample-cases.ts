// Sample cases for the builder's live preview: one per decline kind the starter workflow tells
// apart, in each language Recoup writes in, so every branch and translation can be read.

type Json = Record<string, unknown>

export interface SampleCase {
  readonly id: string
  readonly label: string
  /** Fields set on the sample event's payment (payment.failed only). */
  readonly payment: Json
}

export const SAMPLE_CASES: readonly SampleCase[] = [
  { id: 'declined', label: 'Card declined (other reasons)', payment: { failure_code: 'card_declined', decline_code: 'do_not_honor', failure_message: 'Your card was declined.' } },
  { id: 'insufficient_funds', label: 'Insufficient funds', payment: { failure_code: 'card_declined', decline_code: 'insufficient_funds', failure_message: 'Your card has insufficient funds.' } },
  { id: 'card_replaced', label: 'Expired or replaced card', payment: { failure_code: 'expired_card', failure_message: 'Your card has expired.' } },
  { id: 'needs_approval', label: 'Bank asks for approval', payment: { failure_code: 'card_declined', decline_code: 'authentication_required', failure_message: 'Your card was declined. This transaction requires authentication.' } },
]

export const SAMPLE_LOCALES: readonly { readonly id: string; readonly label: string }[] = [
  { id: '', label: 'Default (no locale)' },
  { id: 'de', label: 'German (de)' },
  { id: 'es', label: 'Spanish (es)' },
]

/** The sample event for a case and a customer locale ('' for none). */
export function withCase(event: Json, caseId: string, locale: string): Json {
  const customer = { ...(event.customer as Json | undefined) }
  delete customer.locale
  if (locale) customer.locale = locale
  const out: Json = { ...event, customer }
  const c = SAMPLE_CASES.find((x) => x.id === caseId)
  if (c && event.payment && typeof event.payment === 'object') {
    const { failure_code: _f, decline_code: _d, failure_message: _m, ...rest } = event.payment as Json
    out.payment = { ...rest, ...c.payment }
  }
  return out
}
