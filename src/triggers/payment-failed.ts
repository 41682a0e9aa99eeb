import { paymentEventSchema, subscriptionIdOf, type RecoupEvent } from '../domain/events.js'
import { paymentRow, setSubscriptionOfPayment } from './record-batch.js'
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
  carriesPayment: true,
  // The attempt is recorded as failed, with why (or `pending` while Stripe's reason is on its way),
  // and its subscription is past due until a payment succeeds.
  records(event, batch, at) {
    if (event.type !== 'payment.failed') return
    const p = event.payment
    batch.payments.push(paymentRow(event, {
      status: 'failed', failure_code: p.failure_code ?? null, failure_message: p.failure_message ?? null,
      decline_code: p.decline_code ?? null, advice_code: p.advice_code ?? null, network_advice_code: p.network_advice_code ?? null,
      network_decline_code: p.network_decline_code ?? null, reason_status: p.reason_pending === true ? 'pending' : 'known',
      next_attempt_at: p.next_attempt_at ? new Date(p.next_attempt_at).toISOString() : null,
    }, at))
    setSubscriptionOfPayment(batch, event, 'past_due', at)
  },
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
