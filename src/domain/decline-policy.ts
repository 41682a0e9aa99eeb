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
const PAYDAY_HOUR = 14

/** Whether `t` (ms, UTC) falls on a common payday: a Friday (weekly and biweekly pay), the 1st or the 15th. */
function isPayday(t: number): boolean {
  const d = new Date(t)
  return d.getUTCDay() === 5 || d.getUTCDate() === 1 || d.getUTCDate() === 15
}

/**
 * Delay until the next likely payday, 14:00 UTC (after most payroll deposits clear), at least a
 * day away. Paydays are Fridays (most US employees are paid weekly or every two weeks, per the
 * Bureau of Labor Statistics), and the 1st and 15th (monthly and semi-monthly pay).
 */
export function untilNextPayday(now: number): number {
  const start = new Date(now)
  for (let i = 0; i < 40; i++) {
    const t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + i, PAYDAY_HOUR)
    if (t - now >= DAY && isPayday(t)) return t - now
  }
  return DAY
}

/**
 * Delays (ms) between attempts when the workflow gives no schedule. Each is the least the policy
 * waits; the networks' rules (domain/retry-rules.ts) may push an attempt later, never earlier.
 * - insufficient funds: the next six likely paydays (money arrives with the pay);
 * - transient processing errors: 1 hour, then 1, 2, 2, 3 and 3 days (the issuer was briefly away);
 * - other soft declines (generic card_declined, do_not_honor): 8 attempts over about two weeks,
 *   a day then every two days, the cadence Stripe recommends (8 tries in 2 weeks) and within the
 *   card's budget.
 */
export function defaultSchedule(code: string | undefined | null, now: number): number[] {
  if (code === 'insufficient_funds' || code === 'withdrawal_count_limit_exceeded') {
    const delays: number[] = []
    let at = now
    for (let i = 0; i < 6; i++) {
      const d = untilNextPayday(at)
      delays.push(d)
      at += d
    }
    return delays
  }
  if (code && TRANSIENT.has(code)) return [3_600_000, DAY, 2 * DAY, 2 * DAY, 3 * DAY, 3 * DAY]
  return [DAY, 2 * DAY, 2 * DAY, 2 * DAY, 2 * DAY, 2 * DAY, 2 * DAY, 2 * DAY]
}
