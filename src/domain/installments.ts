// Money arithmetic for re-engagement offers. Integer minor units only: a balance is split so the
// parts add up to it exactly, with no cent lost to (or invented by) rounding.

/** One installment of a restructured plan. */
export interface ScheduledInstallment {
  /** ISO 8601 UTC. */
  readonly due_at: string
  /** Integer minor units. */
  readonly amount: number
}

/**
 * Splits `balance` into `n` integer installments that sum exactly to it. The first `balance % n`
 * installments carry one extra minor unit, so the customer pays the odd cents early rather than
 * facing a larger last payment.
 */
export function spreadEvenly(balance: number, n: number): number[] {
  if (!Number.isSafeInteger(balance) || balance < 0) throw new RangeError(`balance must be a non-negative integer of minor units, got ${balance}`)
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`the number of installments must be an integer of at least 1, got ${n}`)
  const base = Math.floor(balance / n)
  const extra = balance % n
  return Array.from({ length: n }, (_, i) => (i < extra ? base + 1 : base))
}

/** The new schedule of a restructured plan: `installments` amounts from `startAt`, one every `every` ms. */
export function restructuredSchedule(options: { balance: number; installments: number; startAt: number; every: number }): ScheduledInstallment[] {
  const { balance, installments, startAt, every } = options
  if (!Number.isFinite(startAt) || !Number.isFinite(every) || every <= 0) throw new RangeError('startAt must be a time and every a positive interval in ms')
  return spreadEvenly(balance, installments).map((amount, i) => ({ due_at: new Date(startAt + i * every).toISOString(), amount }))
}
