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
    expect(mapStripeEvent(bad)).toEqual({ kind: 'ignored', reason: expect.stringContaining('metadata.recoup_installments_total'), malformed: true })
    const unpriced = withObject('subscription_schedule.canceled.installments', (o) => {
      o.metadata = { recoup_installments_total: '4' }
    })
    expect(mapStripeEvent(unpriced)).toEqual({ kind: 'ignored', reason: expect.stringContaining('recoup_installment_amount'), malformed: true })
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

  it('says which field makes an event unusable, without its value', () => {
    const noCurrency = withObject('invoice.payment_failed', (o) => {
      delete o.currency
    })
    expect(mapStripeEvent(noCurrency)).toEqual({ kind: 'ignored', reason: 'invoice in_1SAda00000000000000001 is unusable: data.object.currency is missing', malformed: true })
    const badTypes = withObject('customer.subscription.updated', (o) => {
      o.status = 42
      o.customer = ['cus_SAda0000000001']
    })
    expect(mapStripeEvent(badTypes)).toEqual({
      kind: 'ignored',
      reason: 'subscription sub_1SAda00000000000000001 is unusable: data.object.customer must be a customer id or an expanded customer with an id; data.object.status must be a subscription status (a string)',
      malformed: true,
    })
    const secretPhone = withObject('invoice.payment_failed', (o) => {
      o.amount_due = 'forty-nine dollars'
    })
    expect(JSON.stringify(mapStripeEvent(secretPhone))).not.toContain('forty-nine')
    expect(mapStripeEvent(null)).toEqual({ kind: 'ignored', reason: 'the body is null, not a Stripe event object', malformed: true })
    expect(mapStripeEvent({ ...fixture('invoice.paid'), created: 1e20 })).toMatchObject({ reason: 'event evt_1SPaid0Ada0000000000001 is unusable: created must not be after the year 9999' })
  })

  it('keeps an event whose enriching fields are unusable, without them', () => {
    const odd = withObject('invoice.payment_failed', (o) => {
      o.customer_email = 42
      o.next_payment_attempt = -1
      o.attempt_count = 'one'
      o.lines = { data: [null, { pricing: 'x' }, { pricing: { price_details: { price: 'price_1SPro0000000000000001', product: 'prod_SPro00000001' } } }] }
    })
    const event = mappedEvent(odd)
    expect(event).toMatchObject({ customer: { id: 'cus_SAda0000000001', name: 'Ada Lovelace' }, product_ids: ['prod_SPro00000001'], payment: { amount: 4900, currency: 'USD' } })
    expect(event.customer).not.toHaveProperty('email')
    expect('payment' in event && event.payment).not.toHaveProperty('next_attempt_at')
    expect('payment' in event && event.payment).not.toHaveProperty('attempt')
  })

  it('accepts the customer as an id or an expanded object, and keeps an expanded one\'s contact details', () => {
    const expanded = withObject('customer.subscription.updated', (o) => {
      o.customer = { id: 'cus_SAda0000000001', object: 'customer', email: 'ada@example.com', phone: '030 1234567', name: 'Ada Lovelace' }
    })
    expect(mapStripeEvent(expanded)).toMatchObject({ kind: 'subscription', customer: 'cus_SAda0000000001', contact: { email: 'ada@example.com', name: 'Ada Lovelace' } })
    const deleted = withObject('invoice.payment_failed', (o) => {
      o.customer = { id: 'cus_SAda0000000001', object: 'customer', deleted: true }
    })
    expect(mappedEvent(deleted).customer).toMatchObject({ id: 'cus_SAda0000000001' })
  })

  it('reads a 2020-03-02 installment subscription: currency and amount from the item price, else its plan', () => {
    const old = mappedEvent(fixture('customer.subscription.deleted.installments.2020-03-02'))
    expect(old).toMatchObject({
      type: 'installment_plan.canceled',
      customer: { id: 'cus_HOld000000001' },
      product_ids: ['prod_SCourse000001'],
      installment_plan: { id: 'sub_1HOld0000000000000000001', installments_total: 4, installments_paid: 3, installment_amount: 12500, currency: 'USD', balance_due: 12500 },
    })
    const planOnly = withObject('customer.subscription.deleted.installments.2020-03-02', (o) => {
      const item = (o.items as { data: Record<string, unknown>[] }).data[0]
      delete item.price
      ;(item.plan as Record<string, unknown>).currency = 'eur'
    })
    expect(mappedEvent(planOnly)).toMatchObject({ product_ids: ['prod_SCourse000001'], installment_plan: { currency: 'EUR', installment_amount: 12500 } })
  })
})
