import { describe, expect, it } from 'vitest'
import { conditionsCurrency, describeCondition, describeConditions } from './condition-words'

describe('conditions in words', () => {
  it('says amounts in the currency', () => {
    expect(describeCondition({ field: 'payment.amount', op: 'gte', value: 1000 })).toBe('amount ≥ $10.00')
    expect(describeConditions([{ field: 'payment.currency', op: 'eq', value: 'EUR' }, { field: 'payment.amount', op: 'lt', value: 5000 }]))
      .toBe('currency is EUR and amount < €50.00')
    expect(describeCondition({ field: 'installment_plan.balance_due', op: 'gt', value: 40000 })).toBe('balance due > $400.00')
  })
  it('says other conditions plainly', () => {
    expect(describeCondition({ field: 'payment.failure_code', op: 'in', value: ['expired_card', 'card_declined'] })).toBe('failure code is one of expired_card, card_declined')
    expect(describeCondition({ field: 'customer.phone', op: 'exists' })).toBe('customer phone is set')
    expect(describeCondition({ field: 'customer.fields.plan', op: 'eq', value: 'gold' })).toBe('customer.fields.plan is gold')
    expect(describeConditions([])).toBe('')
  })
  it('finds the currency conditions pin, else USD', () => {
    expect(conditionsCurrency([{ field: 'payment.currency', op: 'eq', value: 'jpy' }])).toBe('JPY')
    expect(conditionsCurrency([])).toBe('USD')
  })
})
