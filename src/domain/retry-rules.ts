// The card networks' rules for trying a declined card again. They bind every retry Recoup makes,
// whatever schedule a workflow gives: a schedule may only be stricter. Sources: Stripe's
// `advice_code`; Mastercard's Merchant Advice Codes (MAC 01 new account information, 03 do not try
// again, 21 stop recurring, 24–30 retry after a set time); Visa's decline categories (category 1:
// the issuer will never approve; category 3: the card data must be fixed first); and the limits on
// reattempts per card (Stripe stops after 15; Visa allows 15 in 30 days, Mastercard 35).

import { HARD_DECLINES } from './decline-policy.js'

/** What the processor and the network said about a decline (all optional). */
export interface DeclineFacts {
  readonly failure_code?: string | null
  readonly decline_code?: string | null
  readonly advice_code?: string | null
  readonly network_advice_code?: string | null
  readonly network_decline_code?: string | null
  readonly card_brand?: string | null
}

/** What the rules allow after a decline. */
export type RetryVerdict =
  /** The same card may be tried (on the schedule). */
  | { readonly kind: 'retry' }
  /** Not before `afterMs` from the decline (Mastercard MAC 24–30). */
  | { readonly kind: 'wait'; readonly afterMs: number; readonly reason: string }
  /** Never again on this card: ask the customer for another. */
  | { readonly kind: 'never'; readonly reason: string }
  /** The card's data must be updated before any retry (expired, wrong CVC, new account info). */
  | { readonly kind: 'update_card'; readonly reason: string }

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Mastercard MAC 24–30: retry after 1 hour, 24 hours, 2, 4, 6, 8 or 10 days. */
const MAC_WAIT: Readonly<Record<string, number>> = { '24': HOUR, '25': DAY, '26': 2 * DAY, '27': 4 * DAY, '28': 6 * DAY, '29': 8 * DAY, '30': 10 * DAY }
/** Visa category 1: the issuer will never approve this card. */
export const VISA_CATEGORY_1: ReadonlySet<string> = new Set(['04', '07', '12', '14', '15', '41', '43', '46', '57', 'R0', 'R1', 'R3'])
/** Visa category 3: the details were wrong (expired card, PIN, CVV2); fix them before retrying. */
export const VISA_CATEGORY_3: ReadonlySet<string> = new Set(['54', '55', '82', 'N7'])
/** Decline codes that mean the card's data is out of date rather than the card refused for good. */
const UPDATE_CARD_CODES: ReadonlySet<string> = new Set(['expired_card', 'incorrect_cvc', 'incorrect_number', 'invalid_expiry_month', 'invalid_expiry_year', 'new_account_information_available'])

/** Judges a decline by the networks' rules: the strictest of everything the issuer said wins. */
export function judgeDecline(f: DeclineFacts): RetryVerdict {
  const brand = f.card_brand ?? undefined
  const mac = f.network_advice_code ?? undefined
  const network = f.network_decline_code ?? undefined
  if (f.advice_code === 'do_not_try_again') return { kind: 'never', reason: 'the issuer said do not try again (advice do_not_try_again)' }
  if (mac === '03' && brand !== 'visa') return { kind: 'never', reason: 'the issuer said do not try again (Mastercard MAC 03)' }
  if (mac === '21' && brand !== 'visa') return { kind: 'never', reason: 'the cardholder stopped recurring payments (Mastercard MAC 21)' }
  if (network && brand === 'visa' && VISA_CATEGORY_1.has(network)) return { kind: 'never', reason: `the issuer will never approve this card (Visa response ${network}, category 1)` }
  for (const code of [f.decline_code, f.failure_code]) {
    if (code && HARD_DECLINES.has(code) && !UPDATE_CARD_CODES.has(code)) return { kind: 'never', reason: `hard decline (${code}): a retry cannot succeed; ask the customer for a new card` }
  }
  if (f.advice_code === 'confirm_card_data') return { kind: 'update_card', reason: 'the issuer asks for new card data (advice confirm_card_data)' }
  if (mac === '01' && brand !== 'visa') return { kind: 'update_card', reason: 'the issuer has new account information (Mastercard MAC 01): ask for the new card' }
  if (network && brand === 'visa' && VISA_CATEGORY_3.has(network)) return { kind: 'update_card', reason: `the card's data must be fixed first (Visa response ${network}, category 3)` }
  for (const code of [f.decline_code, f.failure_code]) {
    if (code && UPDATE_CARD_CODES.has(code)) return { kind: 'update_card', reason: `${code}: the card's data is out of date; ask the customer to update it` }
  }
  if (mac && MAC_WAIT[mac] !== undefined && brand !== 'visa') {
    return { kind: 'wait', afterMs: MAC_WAIT[mac]!, reason: `the issuer asked to wait ${describe(MAC_WAIT[mac]!)} (Mastercard MAC ${mac})` }
  }
  return { kind: 'retry' }
}

function describe(ms: number): string {
  return ms < DAY ? `${ms / HOUR} hour${ms === HOUR ? '' : 's'}` : `${ms / DAY} day${ms === DAY ? '' : 's'}`
}

/** The per-card limits, counted across every run, invoice and source (the processor's own included). */
export interface RetryBudget {
  /** Most attempts per card in a rolling 30 days (RECOUP_RETRY_BUDGET, default 15). */
  readonly perCard30Days: number
  /** At least this long between two of Recoup's own attempts on one card (24 h). */
  readonly minSpacingMs: number
}

export const DEFAULT_RETRY_BUDGET: RetryBudget = { perCard30Days: 15, minSpacingMs: DAY }

/** How attempts on one card stand, as counted from the payments table. */
export interface CardHistory {
  /** Attempts on the card in the last 30 days, every source. */
  readonly attempts30Days: number
  /** When Recoup itself last tried the card (ms), if it did. */
  readonly lastRecoupAttemptAt?: number
}

/**
 * Whether one more attempt on the card is within budget now; when not, why, and (for spacing)
 * when it will be. A customer's own request or a new card lifts the 24-hour spacing, never the
 * 30-day budget.
 */
export function budgetAllows(h: CardHistory, budget: RetryBudget, nowMs: number, options: { customerAsked?: boolean } = {}): { ok: true } | { ok: false; reason: string; notBefore?: number } {
  if (h.attempts30Days >= budget.perCard30Days) {
    return { ok: false, reason: `the card has had ${h.attempts30Days} attempts in 30 days (budget ${budget.perCard30Days}, RECOUP_RETRY_BUDGET)` }
  }
  if (!options.customerAsked && h.lastRecoupAttemptAt !== undefined && nowMs - h.lastRecoupAttemptAt < budget.minSpacingMs) {
    const notBefore = h.lastRecoupAttemptAt + budget.minSpacingMs
    return { ok: false, reason: 'Recoup tried this card less than 24 hours ago', notBefore }
  }
  return { ok: true }
}
