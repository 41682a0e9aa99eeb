// What a decline asks of the customer, for the words of a message: four kinds a person can act on.
// Card networks and processors have dozens of codes; a customer needs to know only whether to wait,
// replace the card, approve the payment with their bank, or check with the bank.

/** What the customer should do about a declined payment. */
export type DeclineKind = 'insufficient_funds' | 'card_replaced' | 'needs_approval' | 'other'

/** Not enough money at the time: it clears once money arrives, so a later retry works. */
const INSUFFICIENT_FUNDS = new Set(['insufficient_funds', 'withdrawal_count_limit_exceeded'])
/** Only a new or corrected card helps: the card expired, was replaced, lost or mistyped. */
const CARD_REPLACED = new Set([
  'expired_card', 'invalid_expiry_month', 'invalid_expiry_year', 'incorrect_number', 'invalid_number', 'incorrect_cvc', 'invalid_cvc',
  'lost_card', 'stolen_card', 'pickup_card', 'new_account_information_available', 'card_not_supported', 'invalid_account',
])
/** The bank wants the customer to approve the payment themselves (3-D Secure, SCA). */
const NEEDS_APPROVAL = new Set(['authentication_required', 'payment_intent_authentication_failure', 'authentication_failure'])

/** The decline fields of a payment as template data and events carry them. */
export interface DeclineFields {
  readonly failure_code?: unknown
  readonly decline_code?: unknown
  readonly advice_code?: unknown
}

/** The code that says most: the issuer's decline code over the processor's generic failure code. */
export function declineReason(p: DeclineFields): string | null {
  for (const c of [p.decline_code, p.failure_code]) if (typeof c === 'string' && c !== '') return c
  return null
}

/** What the decline asks of the customer. */
export function declineKind(p: DeclineFields): DeclineKind {
  const codes = [p.decline_code, p.failure_code].filter((c): c is string => typeof c === 'string')
  if (codes.some((c) => NEEDS_APPROVAL.has(c))) return 'needs_approval'
  if (p.advice_code === 'confirm_card_data' || codes.some((c) => CARD_REPLACED.has(c))) return 'card_replaced'
  if (codes.some((c) => INSUFFICIENT_FUNDS.has(c))) return 'insufficient_funds'
  return 'other'
}

/** Template data `decline` of a payment run: `{ reason, kind }`; undefined without a payment. */
export function declineData(payment: unknown): { reason: string | null; kind: DeclineKind } | undefined {
  if (!payment || typeof payment !== 'object') return undefined
  const p = payment as DeclineFields
  return { reason: declineReason(p), kind: declineKind(p) }
}
