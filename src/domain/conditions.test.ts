import { describe, expect, it } from 'vitest'
import { evaluateAll, evaluateCondition, readPath } from './conditions.js'

const data = { payment: { amount: 4900, failure_code: 'insufficient_funds' }, customer: { tags: ['vip'], fields: { tier: 'gold' } } }

describe('conditions', () => {
  it('compares numbers and strings', () => {
    expect(evaluateCondition({ field: 'payment.amount', op: 'gte', value: 4900 }, data)).toBe(true)
    expect(evaluateCondition({ field: 'payment.amount', op: 'gt', value: 4900 }, data)).toBe(false)
    expect(evaluateCondition({ field: 'payment.amount', op: 'lt', value: '5000' }, data)).toBe(false)
    expect(evaluateCondition({ field: 'payment.failure_code', op: 'eq', value: 'insufficient_funds' }, data)).toBe(true)
    expect(evaluateCondition({ field: 'payment.failure_code', op: 'ne', value: 'insufficient_funds' }, data)).toBe(false)
  })
  it('handles in, contains and exists', () => {
    expect(evaluateCondition({ field: 'payment.failure_code', op: 'in', value: ['card_declined', 'insufficient_funds'] }, data)).toBe(true)
    expect(evaluateCondition({ field: 'customer.tags', op: 'contains', value: 'vip' }, data)).toBe(true)
    expect(evaluateCondition({ field: 'payment.failure_code', op: 'contains', value: 'funds' }, data)).toBe(true)
    expect(evaluateCondition({ field: 'customer.fields.tier', op: 'exists' }, data)).toBe(true)
    expect(evaluateCondition({ field: 'customer.fields.nope', op: 'exists' }, data)).toBe(false)
    expect(evaluateCondition({ field: 'customer.fields.nope', op: 'exists', value: false }, data)).toBe(true)
  })
  it('requires every condition and never walks prototypes', () => {
    expect(evaluateAll([], data)).toBe(true)
    expect(evaluateAll([{ field: 'payment.amount', op: 'gt', value: 1 }, { field: 'customer.tags', op: 'contains', value: 'x' }], data)).toBe(false)
    expect(readPath(data, 'customer.constructor.name')).toBeUndefined()
  })
})
