import { paymentEventSchema, subscriptionIdOf, type RecoupEvent } from '../domain/events.js'
import type { TriggerSpec } from './trigger.js'
import { COMMON_SUGGESTED, PAYMENT_VARIABLES } from './variables.js'

const sample: RecoupEvent = {
  id: 'evt_sample_payment_failed',
  type: 'payment.failed',
  occurred_at: '2026-11-21T10:00:00Z',
  customer: { id: 'cus_sample', email: 'ada@example.com', phone: '+15555550100', name: 'Ada Lovelace' },
  product_ids: [],
  payment: {
    id: 'pay_sample', amount: 4900, currency: 'USD', subscription_id: 'sub_sample', invoice_id: 'in_sample',
    failure_code: 'card_declined', failure_message: 'Your card was declined.', attempt: 1,
  },
}

/** A payment for a subscription of a selected product failed. */
export const paymentFailed: TriggerSpec = {
  type: 'payment.failed',
  title: 'Payment failed',
  event: paymentEventSchema,
  context(event) {
    if (!('payment' in event)) return {}
    const subscriptionId = subscriptionIdOf(event)
    // The subscription is past due while its payment is failing.
    return { payment: { ...event.payment }, ...(subscriptionId ? { subscription: { id: subscriptionId, status: 'past_due' } } : {}) }
  },
  variables: PAYMENT_VARIABLES,
  suggestedVariables: [
    ...COMMON_SUGGESTED,
    'payment.amount | money: payment.currency', 'payment.failure_code', 'payment.failure_message', 'payment.attempt', 'payment.invoice_id',
  ],
  sampleEvent: sample,
}
