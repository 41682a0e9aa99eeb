// Which declines are worth retrying, and when. Card networks separate "hard" declines (the card
// cannot be charged again: stolen, closed, wrong number) from "soft" ones (might work later).
// Retrying a hard decline only adds failed attempts and issuer risk flags, so the workflow moves
// straight on to asking for a new card.

/** Decline codes a retry cannot fix. */
export const HARD_DECLINES: ReadonlySet<string> = new Set([
  'stolen_card', 'lost_card', 'fraudulent', 'pickup_card', 'invalid_account', 'expired_card', 'incorrect_number',
  'incorrect_cvc', 'invalid_number', 'invalid_expiry_month', 'invalid_expiry_year', 'card_not_supported',
  'currency_not_supported', 'restricted_card', 'security_violation', 'revocation_of_authorization',
  'revocation_of_all_authorizations', 'stop_payment_order', 'new_account_information_available', 'merchant_blacklist',
  'transaction_not_allowed', 'invalid_pin', 'do_not_try_again',
])

/** Transient processing trouble: worth trying again within hours. */
const TRANSIENT = new Set(['processing_error', 'try_again_later', 'issuer_not_available', 'reenter_transaction', 'approve_with_id', 'call_issuer'])

/** True when retrying `code` cannot succeed. */
export function isHardDecline(code: string | undefined | null): boolean {
  return !!code && HARD_DECLINES.has(code)
}

const DAY = 86_400_000

/**
 * Delay until the next likely payday: the 1st or the 15th of the month, 14:00 UTC (after most
 * payroll deposits clear), at least a day away.
 */
export function untilNextPayday(now: number): number {
  const d = new Date(now)
  for (let i = 0; i < 3; i++) {
    for (const day of [1, 15]) {
      const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i, day, 14)
      if (t - now >= DAY) return t - now
    }
  }
  return DAY
}

/**
 * Delays (ms) between attempts when the workflow gives no schedule:
 * - insufficient funds: the next payday, then 3 and 5 days later (money arrives in steps);
 * - transient processing errors: 1 hour, 1 day, 3 days (the issuer was briefly unavailable);
 * - other soft declines (generic card_declined, do_not_honor): 1, 3, 5 and 7 days, spacing attempts
 *   out so the issuer's fraud models do not see a burst.
 */
export function defaultSchedule(code: string | undefined | null, now: number): number[] {
  if (code === 'insufficient_funds' || code === 'withdrawal_count_limit_exceeded') return [untilNextPayday(now), 3 * DAY, 5 * DAY]
  if (code && TRANSIENT.has(code)) return [3_600_000, DAY, 3 * DAY]
  return [DAY, 3 * DAY, 5 * DAY, 7 * DAY]
}
