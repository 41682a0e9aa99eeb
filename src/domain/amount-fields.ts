// Fields that hold money, in integer minor units of the event's currency (4900 = $49.00). A
// condition on one compares minor units, so its value must be minor units too: "$10" would be
// saved and never match, and 10.5 is no amount at all.
import type { Condition } from './conditions.js'

/** Condition fields that are money amounts in minor units. */
export const AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'payment.amount',
  'installment_plan.balance_due',
  'installment_plan.installment_amount',
])

const isMinorUnits = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

/** Why a condition's value is not an amount (in words, for the value's field), or undefined when it is fine. */
export function amountValueProblem(cond: Condition): string | undefined {
  if (!AMOUNT_FIELDS.has(cond.field) || cond.op === 'exists') return undefined
  const values = cond.op === 'in' ? (Array.isArray(cond.value) ? cond.value : [cond.value]) : [cond.value]
  const bad = values.find((v) => !isMinorUnits(v))
  if (bad === undefined && values.length > 0) return undefined
  const hint = `${cond.field} is in minor units of the currency (cents): write 1000 for $10.00`
  if (typeof bad === 'string') return `"${bad}" is text, not an amount; ${hint}`
  if (typeof bad === 'number' && bad < 0) return `an amount cannot be negative; ${hint}`
  if (typeof bad === 'number') return `${bad} is not a whole number of minor units; ${hint}`
  return cond.op === 'in' ? `give a list of amounts; ${hint}` : `give an amount; ${hint}`
}
