import { describe, expect, it } from 'vitest'
import type { RecoupEvent } from '../domain/events.js'
import { TRIGGERS } from './catalog.js'
import { installmentCanceled } from './installment-canceled.js'
import { paymentFailed } from './payment-failed.js'
import { newRecordBatch } from './record-batch.js'
import { carriesPayment, triggerOf } from './trigger.js'

const at = { occurredAt: '2026-11-21T10:00:00.000Z', now: '2026-11-21T10:00:05.000Z' }

describe('trigger record effects', () => {
  it('payment.failed records the failed attempt, its reason pending, and its subscription past due', () => {
    const sample = paymentFailed.sampleEvent as Extract<RecoupEvent, { payment: unknown }>
    const event: RecoupEvent = { ...sample, payment: { ...sample.payment, reason_pending: true, next_attempt_at: '2026-11-24T10:00:00+02:00' } }
    const batch = newRecordBatch()
    paymentFailed.records(event, batch, at)
    expect(batch.payments).toHaveLength(1)
    expect(batch.payments[0]).toMatchObject({
      id: event.id, payment_id: 'pay_sample', status: 'failed', amount: 4900, currency: 'USD', failure_code: 'card_declined',
      reason_status: 'pending', next_attempt_at: '2026-11-24T08:00:00.000Z', occurred_at: at.occurredAt, invoice_id: 'in_sample',
    })
    expect([...batch.subscriptions.values()]).toEqual([
      { id: 'sub_sample', customer_id: 'cus_sample', product_ids: '[]', status: 'past_due', amount: 4900, currency: 'USD', created_at: at.now, updated_at: at.now },
    ])
    expect(batch.canceledPlans.size + batch.endedSubscriptions.size).toBe(0)
  })

  it('installment_plan.canceled records the plan canceled with its balance due, the last cancellation of a plan winning', () => {
    const batch = newRecordBatch()
    const sample = installmentCanceled.sampleEvent as Extract<RecoupEvent, { type: 'installment_plan.canceled' }>
    installmentCanceled.records(sample, batch, at)
    installmentCanceled.records({ ...sample, installment_plan: { ...sample.installment_plan, installments_paid: 3, balance_due: 30000 } }, batch, at)
    expect([...batch.canceledPlans.values()]).toEqual([expect.objectContaining({ id: 'plan_sample', status: 'canceled', installments_paid: 3, balance_due: 30000 })])
    expect(batch.payments).toEqual([])
  })

  it('a trigger given an event of another type records nothing', () => {
    for (const spec of Object.values(TRIGGERS)) {
      for (const other of Object.values(TRIGGERS).filter((o) => o !== spec)) {
        const batch = newRecordBatch()
        spec.records(other.sampleEvent, batch, at)
        expect(batch, `${spec.type} given ${other.type}`).toEqual(newRecordBatch())
      }
    }
  })

  it('only a failed payment carries the payment a run recovers', () => {
    expect(carriesPayment(paymentFailed.sampleEvent)).toBe(true)
    expect(carriesPayment({ ...paymentFailed.sampleEvent, type: 'payment.succeeded' } as RecoupEvent)).toBe(false)
    expect(carriesPayment(installmentCanceled.sampleEvent)).toBe(false)
    expect(triggerOf('payment.succeeded')).toBeUndefined()
    expect(triggerOf('toString')).toBeUndefined()
  })
})
