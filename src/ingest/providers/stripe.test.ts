import { readFileSync } from 'node:fs'
import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { eventSchema } from '../../domain/events.js'
import { mapStripeEvent } from './stripe.js'

function fixture(name: string): Stripe.Event {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/stripe/${name}.json`, import.meta.url), 'utf8')) as Stripe.Event
}

/** A fixture with its data.object changed, for cases one field decides. */
function withObject(name: string, change: (o: Record<string, unknown>) => void): Stripe.Event {
  const event = fixture(name)
  change(event.data.object as unknown as Record<string, unknown>)
  return event
}

function mappedEvent(event: Stripe.Event, options = {}) {
  const mapped = mapStripeEvent(event, options)
  if (mapped.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(mapped)}`)
  // Whatever the mapper makes must pass the same schema POST /v1/events applies.
  return eventSchema.parse(mapped.event)
}

describe('mapStripeEvent', () => {
  it('reads invoices in the API shape before 2025 (price on lines, subscription and payment intent on the invoice)', () => {
    const event = mappedEvent(fixture('invoice.payment_failed.legacy'))
    expect(event).toMatchObject({
      id: 'stripe:evt_1PFailLegacy0000000001',
      type: 'payment.failed',
      product_ids: ['prod_PBasic0000001'],
      payment: {
        amount: 2500,
        currency: 'EUR',
        subscription_id: 'sub_1PLegacy00000000000001',
        invoice_id: 'in_1PLegacy00000000000001',
        failure_code: 'insufficient_funds',
        failure_message: 'Your card has insufficient funds.',
        attempt: 3,
      },
    })
    // No next_payment_attempt: Stripe has given up retrying on its own.
    expect('payment' in event && 'next_attempt_at' in event.payment).toBe(false)
    // Stripe's free-form phone is not E.164; the event keeps everything else.
    expect(event.customer).toEqual({ id: 'cus_PLegacy00000001', email: 'lin@example.com', name: 'Lin Chen' })
  })

  it('takes the failure code from the decline code, then the error code, else card_declined', () => {
    const codeOnly = withObject('invoice.payment_failed', (o) => {
      o.last_finalization_error = { code: 'payment_intent_authentication_failure', message: 'Authentication failed.', type: 'card_error' }
    })
    expect(mappedEvent(codeOnly)).toMatchObject({ payment: { failure_code: 'payment_intent_authentication_failure', failure_message: 'Authentication failed.' } })
    expect(mappedEvent(fixture('invoice.payment_failed'))).toMatchObject({ payment: { failure_code: 'card_declined' } })
  })

  it('maps Stripe prices to Recoup products when told how', () => {
    const event = mappedEvent(fixture('invoice.payment_failed'), { productIdFromPrice: (p: { price?: string }) => `recoup_${p.price}` })
    expect(event.product_ids).toEqual(['recoup_price_1SPro0000000000000001'])
  })

  it('uses amount_paid for payment.succeeded and carries no failure fields', () => {
    const event = mappedEvent(fixture('invoice.paid'))
    expect(event).toMatchObject({ type: 'payment.succeeded', payment: { amount: 4900, invoice_id: 'in_1SAda00000000000000001' } })
    expect(event.type === 'payment.succeeded' && Object.keys(event.payment).sort()).toEqual(['amount', 'currency', 'id', 'invoice_id', 'subscription_id'])
  })

  it('turns a canceled installment schedule into installment_plan.canceled from its metadata', () => {
    const event = mappedEvent(fixture('subscription_schedule.canceled.installments'))
    expect(event).toMatchObject({
      type: 'installment_plan.canceled',
      customer: { id: 'cus_SHopper00000001' },
      product_ids: ['prod_course'],
      installment_plan: { id: 'sub_sched_1SHopper00000000001', installments_total: 4, installments_paid: 1, installment_amount: 7500, currency: 'USD', balance_due: 22500 },
    })
  })

  it('treats a fully paid installment subscription as an ordinary ending', () => {
    const done = withObject('customer.subscription.deleted.installments', (o) => {
      o.metadata = { recoup_installments_total: '6', recoup_installments_paid: '6' }
    })
    expect(mapStripeEvent(done)).toMatchObject({ kind: 'subscription', id: 'sub_1SGrace0000000000000001', status: 'canceled' })
  })

  it('ignores installment metadata it cannot read, saying which key', () => {
    const bad = withObject('customer.subscription.deleted.installments', (o) => {
      o.metadata = { recoup_installments_total: 'six' }
    })
    expect(mapStripeEvent(bad)).toEqual({ kind: 'ignored', reason: expect.stringContaining('metadata.recoup_installments_total') })
    const unpriced = withObject('subscription_schedule.canceled.installments', (o) => {
      o.metadata = { recoup_installments_total: '4' }
    })
    expect(mapStripeEvent(unpriced)).toEqual({ kind: 'ignored', reason: expect.stringContaining('recoup_installment_amount') })
  })

  it('reports subscription updates with status, products and recurring amount', () => {
    expect(mapStripeEvent(fixture('customer.subscription.updated'))).toEqual({
      kind: 'subscription',
      id: 'sub_1SAda00000000000000001',
      customer: 'cus_SAda0000000001',
      status: 'active',
      product_ids: ['prod_SPro00000001'],
      amount: 4900,
      currency: 'USD',
    })
  })

  it('ignores event types Recoup does not use, and schedules that are not plans', () => {
    expect(mapStripeEvent(fixture('customer.created'))).toEqual({ kind: 'ignored', reason: 'event type customer.created is not used by Recoup' })
    const plain = withObject('subscription_schedule.canceled.installments', (o) => {
      o.metadata = {}
    })
    expect(mapStripeEvent(plain).kind).toBe('ignored')
  })
})
