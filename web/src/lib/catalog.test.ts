import { describe, expect, it } from 'vitest'
import { sampleEvent, stepTitle, traitsOf, triggerTitle, variablesFor, type Catalog } from './catalog'

// A catalog as GET /v1/catalog answers, cut down by hand.
const CATALOG: Catalog = {
  trigger_types: [
    {
      type: 'payment.failed', title: 'Payment failed', carries_payment: true, variables: { payment: { amount: true } },
      suggested_variables: ['customer.name', 'payment.amount | money: payment.currency'],
      sample_event: { id: 'evt_sample', type: 'payment.failed', customer: { id: 'cus_sample' }, product_ids: [], payment: { amount: 4900 } },
    },
    {
      type: 'installment_plan.canceled', title: 'Installment plan canceled', carries_payment: false, variables: {},
      suggested_variables: ['customer.name', 'installment_plan.reason'],
      sample_event: { id: 'evt_plan', type: 'installment_plan.canceled', customer: { id: 'cus_sample' }, product_ids: [] },
    },
  ],
  step_types: [
    {
      type: 'notify_team', title: 'Alert the team', templates: ['message'], conditions: [], params: {},
      traits: { outside: true, customer_message: false, reads_records: false, continues_on_error: true, calls_url: true, arms: [] },
    },
  ],
  exit_events: [{ type: 'payment.succeeded', title: 'The customer paid' }],
  default_exit_on: ['payment.succeeded'],
  condition_ops: ['eq'],
}

describe('catalog helpers', () => {
  it('offers the variables and sample event of the trigger', () => {
    expect(variablesFor(CATALOG, 'installment_plan.canceled').some((v) => v.startsWith('payment.'))).toBe(false)
    expect(sampleEvent(CATALOG, 'payment.failed', ['*'])).toMatchObject({ product_ids: [], payment: { amount: 4900 } })
    expect(sampleEvent(CATALOG, 'installment_plan.canceled', ['p1', 'p2'])).toMatchObject({ product_ids: ['p1'] })
  })
  it('names step and trigger types from the catalog, and falls back to the type itself', () => {
    expect(stepTitle(CATALOG, 'notify_team')).toBe('Alert the team')
    expect(stepTitle(CATALOG, 'send_fax')).toBe('send_fax')
    expect(stepTitle(null, 'notify_team')).toBe('notify_team')
    expect(triggerTitle(CATALOG, 'payment.failed')).toBe('Payment failed')
    expect(traitsOf(CATALOG, 'notify_team')?.continues_on_error).toBe(true)
    expect(variablesFor(null, 'payment.failed')).toEqual([])
  })
})
