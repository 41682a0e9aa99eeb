import { describe, expect, it } from 'vitest'
import { SAMPLE_CASES, withCase } from './sample-cases'

const event = {
  id: 'evt', type: 'payment.failed', customer: { id: 'cus', name: 'Ada', locale: 'fr' },
  payment: { id: 'pay', amount: 4900, currency: 'USD', failure_code: 'x', decline_code: 'y', failure_message: 'z' },
}

describe('withCase', () => {
  it('sets the decline of the case and the customer locale, keeping the rest', () => {
    const out = withCase(event, 'insufficient_funds', 'de')
    expect(out.customer).toEqual({ id: 'cus', name: 'Ada', locale: 'de' })
    expect(out.payment).toEqual({ id: 'pay', amount: 4900, currency: 'USD', ...SAMPLE_CASES[1]!.payment })
  })
  it('drops the locale for the default, and leaves a plan event’s data alone', () => {
    expect((withCase(event, 'card_replaced', '').customer as Record<string, unknown>).locale).toBeUndefined()
    const plan = { id: 'evt', type: 'installment_plan.canceled', customer: { id: 'cus' }, installment_plan: { id: 'p' } }
    expect(withCase(plan, 'card_replaced', 'es')).toEqual({ ...plan, customer: { id: 'cus', locale: 'es' } })
  })
})
