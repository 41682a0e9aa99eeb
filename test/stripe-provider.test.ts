// The Stripe payment provider against the Stripe stand-in, through the official SDK: paying with a
// new card (made the default where the failure happened first), decline details, the hosted card
// update (portal, or Checkout in setup mode where the portal is not configured), and every write
// carrying Recoup's own idempotency key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStripeRetryProvider, type PaymentRetryProvider } from '../src/providers/stripe/payments.js'
import { PermanentError, RetryLaterError } from '../src/domain/errors.js'
import { STANDIN_SECRET_KEY, startStripeStandIn, type StripeStandIn } from './helpers/stripe-standin.js'

const ADA = 'cus_SAda0000000001'
const SUB = 'sub_1SAda00000000000000001'
const INVOICE = 'in_1SAda00000000000000001'
const OLD_CARD = 'pm_1SAdaVisa000000000001'
const NEW_CARD = 'pm_1SAdaMaster0000000001'
const PRICE = 'price_1SPro0000000000000001'

/** Ada: a Pro subscription whose renewal invoice is open; the card on file declines. */
function seed(standin: StripeStandIn, options: { subscriptionCard: boolean }): void {
  const s = standin.state
  s.addCustomer({ id: ADA, email: 'ada@example.com', name: 'Ada Lovelace', default_payment_method: OLD_CARD })
  s.addPaymentMethod({
    id: OLD_CARD, customer: ADA, brand: 'visa', fingerprint: 'Xt5EWLLDS7FJjR1c',
    behaviour: { decline_code: 'insufficient_funds', advice_code: 'try_again_later', network_advice_code: '01', network_decline_code: '51' },
  })
  s.addPaymentMethod({ id: NEW_CARD, customer: ADA, brand: 'mastercard', fingerprint: 'Mc9Ada00000000001' })
  s.addPrice({ id: PRICE, product: 'prod_SPro00000001', currency: 'usd', unit_amount: 4900 })
  s.addSubscription({ id: SUB, customer: ADA, default_payment_method: options.subscriptionCard ? OLD_CARD : null, items: [{ price: PRICE, product: 'prod_SPro00000001', currency: 'usd' }] })
  s.addInvoice({ id: INVOICE, customer: ADA, subscription: SUB, amount_due: 4900, currency: 'usd' })
}

const retryInput = (key: string, paymentMethodId?: string) => ({
  invoiceId: INVOICE, subscriptionId: SUB, customerId: ADA, amount: 4900, currency: 'usd', idempotencyKey: key,
  ...(paymentMethodId ? { paymentMethodId } : {}),
})

describe('Stripe provider against the stand-in', () => {
  let standin: StripeStandIn
  let provider: PaymentRetryProvider

  beforeEach(async () => {
    standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY })
    provider = createStripeRetryProvider({ secretKey: STANDIN_SECRET_KEY, apiBase: standin.url })
  })
  afterEach(async () => standin.close())

  it('is the stripe kind, with a hosted card update, endings and decline lookups', () => {
    expect(provider.kind).toBe('stripe')
    expect(typeof provider.cardUpdateUrl).toBe('function')
    expect(typeof provider.endSubscription).toBe('function')
    expect(typeof provider.declineOfInvoice).toBe('function')
  })

  it('reports a decline with every detail Stripe gives', async () => {
    seed(standin, { subscriptionCard: false })
    const result = await provider.retry(retryInput('run_1:retry'))
    expect(result).toMatchObject({ status: 'failed', providerId: INVOICE, failureCode: 'insufficient_funds' })
    expect(result.decline).toEqual({
      failure_code: 'card_declined',
      failure_message: expect.any(String),
      decline_code: 'insufficient_funds',
      advice_code: 'try_again_later',
      network_advice_code: '01',
      network_decline_code: '51',
      card_brand: 'visa',
      payment_method_id: OLD_CARD,
      card_fingerprint: 'Xt5EWLLDS7FJjR1c',
      payment_intent_id: expect.stringMatching(/^pi_/),
    })
  })

  it("pays with a new card after making it the subscription's card, when the subscription has its own", async () => {
    seed(standin, { subscriptionCard: true })
    const result = await provider.retry(retryInput(`run_1:card:${NEW_CARD}`, NEW_CARD))
    expect(result).toEqual({ status: 'succeeded', providerId: INVOICE })
    expect(standin.state.subscription(SUB)?.defaultPaymentMethod).toBe(NEW_CARD)
    // The customer's default is not where this subscription's payments come from: left alone.
    expect(standin.state.customer(ADA)?.defaultPaymentMethod).toBe(OLD_CARD)
    const pay = standin.requests.filter((r) => r.method === 'POST' && r.path === `/v1/invoices/${INVOICE}/pay`)
    expect(pay.map((r) => [r.params, r.idempotencyKey])).toEqual([[{ payment_method: NEW_CARD }, `run_1:card:${NEW_CARD}:pay`]])
    expect(standin.requests.find((r) => r.method === 'POST' && r.path === `/v1/subscriptions/${SUB}`)?.idempotencyKey).toBe(`run_1:card:${NEW_CARD}:default`)
    expect(standin.state.invoice(INVOICE)?.status).toBe('paid')
    expect(standin.writesWithoutCallerKey()).toEqual([])
  })

  it("pays with a new card after making it the customer's invoice default, when the subscription has none", async () => {
    seed(standin, { subscriptionCard: false })
    const result = await provider.retry(retryInput(`run_1:card:${NEW_CARD}`, NEW_CARD))
    expect(result).toEqual({ status: 'succeeded', providerId: INVOICE })
    expect(standin.state.customer(ADA)?.defaultPaymentMethod).toBe(NEW_CARD)
    expect(standin.state.subscription(SUB)?.defaultPaymentMethod).toBeNull()
    expect(standin.calls('POST', `/v1/subscriptions/${SUB}`)).toBe(0)
    expect(standin.requests.find((r) => r.method === 'POST' && r.path === `/v1/customers/${ADA}`)).toMatchObject({
      params: { invoice_settings: { default_payment_method: NEW_CARD } },
      idempotencyKey: `run_1:card:${NEW_CARD}:default`,
    })
    // The same request again (a repeated engine pass) charges nothing more.
    expect(await provider.retry(retryInput(`run_1:card:${NEW_CARD}`, NEW_CARD))).toEqual({ status: 'succeeded', providerId: INVOICE })
    expect(standin.state.chargesOf(INVOICE)).toHaveLength(1)
    expect(standin.writesWithoutCallerKey()).toEqual([])
  })

  it('reports the new card declining with its own reason', async () => {
    seed(standin, { subscriptionCard: false })
    standin.state.setCardBehaviour(NEW_CARD, { decline_code: 'expired_card' })
    const result = await provider.retry(retryInput(`run_1:card:${NEW_CARD}`, NEW_CARD))
    expect(result).toMatchObject({ status: 'failed', failureCode: 'expired_card', decline: { decline_code: 'expired_card', payment_method_id: NEW_CARD, card_brand: 'mastercard' } })
  })

  it('does nothing with a new card when the invoice was paid meanwhile', async () => {
    seed(standin, { subscriptionCard: false })
    standin.state.setCardBehaviour(OLD_CARD, 'succeed')
    await standin.stripe.invoices.pay(INVOICE, {}, { idempotencyKey: 'stripe-smart-retry' })
    const before = standin.requests.length
    expect(await provider.retry(retryInput(`run_1:card:${NEW_CARD}`, NEW_CARD))).toEqual({ status: 'succeeded', providerId: INVOICE })
    expect(standin.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/invoices/${INVOICE}`])
  })

  it('finds the decline of an invoice from its PaymentIntent, or from its payments when only the invoice is known', async () => {
    seed(standin, { subscriptionCard: false })
    expect(await provider.declineOfInvoice!({ invoiceId: INVOICE })).toBeUndefined()
    await provider.retry(retryInput('run_1:retry'))
    const pi = standin.state.invoice(INVOICE)!.paymentIntent!
    const expected = {
      failure_code: 'card_declined', decline_code: 'insufficient_funds', advice_code: 'try_again_later', network_advice_code: '01',
      network_decline_code: '51', card_brand: 'visa', payment_method_id: OLD_CARD, card_fingerprint: 'Xt5EWLLDS7FJjR1c', payment_intent_id: pi,
    }
    expect(await provider.declineOfInvoice!({ invoiceId: INVOICE, paymentIntentId: pi })).toMatchObject(expected)
    expect(await provider.declineOfInvoice!({ invoiceId: INVOICE })).toMatchObject(expected)
    expect(standin.requests.some((r) => r.path === `/v1/invoices/${INVOICE}` && JSON.stringify(r.params.expand).includes('payments.data.payment.payment_intent'))).toBe(true)
  })

  it('fails for good on an unknown invoice, and asks for later when Stripe is down', async () => {
    const missing = await provider.declineOfInvoice!({ invoiceId: 'in_nope' }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(PermanentError)
    expect((missing as Error).message).toContain('Stripe has no invoice in_nope')
    const port = Number(new URL(standin.url).port)
    await standin.close()
    const down = createStripeRetryProvider({ secretKey: STANDIN_SECRET_KEY, apiBase: `http://127.0.0.1:${port}` })
    await expect(down.declineOfInvoice!({ invoiceId: INVOICE })).rejects.toBeInstanceOf(RetryLaterError)
    await expect(down.cardUpdateUrl!({ customerId: ADA, returnUrl: 'https://recoup.example/p', idempotencyKey: 'k' })).rejects.toBeInstanceOf(RetryLaterError)
    standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY })
  })

  it('opens a portal session for a card update that returns to the given page', async () => {
    seed(standin, { subscriptionCard: false })
    const returnUrl = 'https://recoup.example/portal/update-payment/tok'
    const url = await provider.cardUpdateUrl!({ customerId: ADA, returnUrl, idempotencyKey: 'run_1:card-session:2026-11-21T10:4' })
    const id = new URL(url).pathname.split('/').pop()!
    expect(standin.state.portalSession(id)).toMatchObject({ customer: ADA, returnUrl, flow: { type: 'payment_method_update', after_completion: { type: 'redirect', redirect: { return_url: returnUrl } } } })
    // A double click: the same session.
    expect(await provider.cardUpdateUrl!({ customerId: ADA, returnUrl, idempotencyKey: 'run_1:card-session:2026-11-21T10:4' })).toBe(url)
    expect(standin.calls('POST', '/v1/checkout/sessions')).toBe(0)
    expect(standin.writesWithoutCallerKey()).toEqual([])
  })

  it('falls back to Checkout in setup mode when the portal is not configured', async () => {
    seed(standin, { subscriptionCard: false })
    standin.state.setPortalConfigured(false)
    const returnUrl = 'https://recoup.example/portal/update-payment/tok'
    const url = await provider.cardUpdateUrl!({ customerId: ADA, returnUrl, idempotencyKey: 'run_1:card-session:d', currency: 'USD' })
    const id = new URL(url).pathname.split('/').pop()!
    expect(standin.state.checkoutSession(id)).toMatchObject({ customer: ADA, successUrl: returnUrl, cancelUrl: returnUrl, currency: 'usd', status: 'open' })
    // Without a currency: cards.
    const cards = await provider.cardUpdateUrl!({ customerId: ADA, returnUrl, idempotencyKey: 'run_2:card-session:d' })
    expect(standin.state.checkoutSession(new URL(cards).pathname.split('/').pop()!)).toMatchObject({ paymentMethodTypes: ['card'] })
    expect(standin.writesWithoutCallerKey()).toEqual([])
  })

  it('does not hide other portal refusals behind the fallback', async () => {
    const err = await provider.cardUpdateUrl!({ customerId: 'cus_nobody', returnUrl: 'https://recoup.example/p', idempotencyKey: 'k' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PermanentError)
    expect((err as Error).message).toContain('customer cus_nobody')
    expect(standin.calls('POST', '/v1/checkout/sessions')).toBe(0)
  })
})
