// Conditions as people say them ("amount ≥ $10.00"), and which fields hold money. The API keeps
// amounts in minor units (1000 = $10.00); people read and type them in the currency.
import { formatMoney } from './money'

/** Condition fields that are money in minor units (the server's AMOUNT_FIELDS). */
export const AMOUNT_FIELDS: ReadonlySet<string> = new Set(['payment.amount', 'installment_plan.balance_due', 'installment_plan.installment_amount'])

const FIELD_WORDS: Record<string, string> = {
  'payment.amount': 'amount',
  'payment.currency': 'currency',
  'payment.failure_code': 'failure code',
  'payment.decline_code': 'decline code',
  'payment.attempt': 'attempt',
  'payment.card_brand': 'card brand',
  'decline.kind': 'decline kind',
  'customer.tags': 'customer tags',
  'customer.email': 'customer email',
  'customer.phone': 'customer phone',
  'installment_plan.balance_due': 'balance due',
  'installment_plan.installment_amount': 'installment amount',
  'installment_plan.installments_paid': 'installments paid',
  'installment_plan.reason': 'cancellation reason',
}

const OP_WORDS: Record<string, string> = { eq: 'is', ne: 'is not', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'is one of', contains: 'contains' }

interface ConditionLike {
  field: string
  op: string
  value?: unknown
}

/** The currency a list of conditions pins (`payment.currency` equals …), else USD. */
export function conditionsCurrency(conditions: readonly ConditionLike[]): string {
  const pinned = conditions.find((c) => (c.field === 'payment.currency' || c.field === 'installment_plan.currency') && c.op === 'eq' && typeof c.value === 'string')
  const code = typeof pinned?.value === 'string' ? pinned.value.trim().toUpperCase() : ''
  return /^[A-Z]{3}$/.test(code) ? code : 'USD'
}

function valueWords(field: string, v: unknown, currency: string): string {
  if (AMOUNT_FIELDS.has(field) && typeof v === 'number') return formatMoney(v, currency)
  if (typeof v === 'string') return v
  return JSON.stringify(v) ?? ''
}

/** One condition in words: `amount ≥ $10.00`, `decline code is one of insufficient_funds, expired_card`. */
export function describeCondition(c: ConditionLike, currency = 'USD'): string {
  const field = FIELD_WORDS[c.field] ?? c.field
  if (c.op === 'exists') return `${field} ${c.value === false ? 'is missing' : 'is set'}`
  const value = Array.isArray(c.value) ? c.value.map((v) => valueWords(c.field, v, currency)).join(', ') : valueWords(c.field, c.value, currency)
  return `${field} ${OP_WORDS[c.op] ?? c.op} ${value}`
}

/** Every condition in words, joined with "and"; empty when there are none. */
export function describeConditions(conditions: readonly ConditionLike[] | undefined): string {
  if (!conditions?.length) return ''
  const currency = conditionsCurrency(conditions)
  return conditions.map((c) => describeCondition(c, currency)).join(' and ')
}
