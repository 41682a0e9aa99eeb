// The card update, end to end, in Chromium: a Stripe-configured Recoup listening on a real port,
// the Stripe stand-in (official SDK, signed webhooks) behind it. A renewal is declined; the email's
// update-payment link opens Recoup's page; "Update card" answers 303 to Stripe's hosted page (the
// Billing Portal's payment_method_update flow, or Checkout in setup mode when the portal is not
// configured); "Save card" comes back to Recoup's page; the card-change webhooks reach Recoup, the
// new card becomes the default and pays the open invoice at once, and the run ends recovered.
import { existsSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { eventually, freePort } from './helpers/server.js'
import { STANDIN_SECRET_KEY, startStripeStandIn, type StripeStandIn } from './helpers/stripe-standin.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const WEBHOOK_SECRET = 'whsec_cardUpdateE2E0123456789abcdef'

const ADA = 'cus_SAda0000000001'
const SUB = 'sub_1SAda00000000000000001'
const INVOICE = 'in_1SAda00000000000000001'
const OLD_CARD = 'pm_1SAdaVisa000000000001'
const PRICE = 'price_1SPro0000000000000001'
const PRODUCT = 'prod_SPro00000001'

type App = Awaited<ReturnType<typeof testApp>>

const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) console.warn(`card update e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)

/** Ada's Pro subscription; her card on file is out of funds. */
function seed(standin: StripeStandIn): void {
  const s = standin.state
  s.addCustomer({ id: ADA, email: 'ada@example.com', name: 'Ada Lovelace', default_payment_method: OLD_CARD })
  s.addPaymentMethod({ id: OLD_CARD, customer: ADA, brand: 'visa', behaviour: { decline_code: 'insufficient_funds', advice_code: 'try_again_later' } })
  s.addPrice({ id: PRICE, product: PRODUCT, currency: 'usd', unit_amount: 4900 })
  s.addSubscription({ id: SUB, customer: ADA, items: [{ price: PRICE, product: PRODUCT, currency: 'usd' }] })
  s.addInvoice({ id: INVOICE, customer: ADA, subscription: SUB, amount_due: 4900, currency: 'usd' })
}

const WORKFLOW = {
  id: 'wf_card_update', name: 'Failed renewal', status: 'active',
  trigger: { type: 'payment.failed', products: ['*'] },
  exit_on: ['payment.succeeded'],
  steps: [
    { id: 'ask-for-card', type: 'send_email', subject: 'Your payment did not go through', body: 'Please update your card: {{ links.update_payment }}' },
    { id: 'give-it-time', type: 'wait', duration: 'P7D' },
  ],
}

describe('hosted card update with Stripe', () => {
  let standin: StripeStandIn
  let app: App
  let appUrl: string

  beforeEach(async () => {
    standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY })
    seed(standin)
    const port = await freePort()
    app = await testApp(DIALECTS[0]!, {
      env: {
        RECOUP_HOST: '127.0.0.1',
        RECOUP_PORT: String(port),
        RECOUP_PUBLIC_URL: `http://127.0.0.1:${port}`,
        RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY,
        RECOUP_STRIPE_API_BASE: standin.url,
        RECOUP_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    })
    await app.listen()
    appUrl = `http://127.0.0.1:${port}`
    standin.setWebhook(`${appUrl}/v1/webhooks/stripe`, WEBHOOK_SECRET)
    expect((await app.inject('POST', '/v1/workflows', WORKFLOW)).status).toBe(201)
  })
  afterEach(async () => {
    await standin.close()
    await app.close()
  })

  /** Stripe's renewal attempt declines; returns Recoup's run for it once its email is out, and the email's link. */
  async function declinedRenewal(): Promise<{ runId: string; link: string }> {
    await expect(standin.stripe.invoices.pay(INVOICE, {}, { idempotencyKey: 'stripe-renewal-attempt-1' })).rejects.toMatchObject({ decline_code: 'insufficient_funds' })
    await standin.flushWebhooks()
    expect(standin.deliveries.filter((d) => d.status !== 200)).toEqual([])
    const email = await eventually(async () => (await app.inject('GET', '/v1/messages?channel=email')).body.data[0])
    const link = /https?:\/\/\S+\/l\/[0-9A-Za-z]{16}/.exec(email.body)?.[0]
    expect(link, email.body).toBeDefined()
    expect((await app.inject('GET', `/v1/runs/${email.run_id}`)).body.status).toBe('waiting')
    return { runId: email.run_id as string, link: link! }
  }

  /** Pays made after the renewal attempt (Recoup's), as Stripe received them. */
  const recoupPays = () => standin.requests.filter((r) => r.method === 'POST' && r.path === `/v1/invoices/${INVOICE}/pay` && r.idempotencyKey !== 'stripe-renewal-attempt-1')

  async function recovered(runId: string) {
    return eventually(async () => {
      const run = (await app.inject('GET', `/v1/runs/${runId}`)).body
      return run.status === 'exited' && run
    })
  }

  describe.skipIf(!haveChromium)('in Chromium', () => {
    let browser: Browser
    let page: Page
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      })
    })
    afterAll(async () => browser?.close())
    beforeEach(async () => {
      page = await browser.newPage({ viewport: { width: 390, height: 844 } })
      page.setDefaultTimeout(20_000)
    })
    afterEach(async () => page?.close())

    /** The customer's path: email link → Recoup's page → "Update card" → the hosted page → "Save card" → back. */
    async function updateCardFrom(link: string, hosted: RegExp): Promise<string> {
      await page.goto(link)
      await page.getByRole('heading', { name: /payment didn't go through/ }).waitFor()
      const portalPage = page.url()
      expect(portalPage).toMatch(new RegExp(`^${appUrl}/portal/update-payment/`))
      await page.getByRole('button', { name: 'Update card' }).click()
      await page.waitForURL(hosted)
      await page.getByRole('heading', { name: 'Update your payment method' }).waitFor()
      // "Later charges: succeed": the new card pays.
      expect(await page.getByLabel('Later charges').inputValue()).toBe('')
      await page.getByRole('button', { name: 'Save card' }).click()
      await page.waitForURL(portalPage)
      return portalPage
    }

    it('takes a new card on the Billing Portal and pays the invoice with it at once', async () => {
      const { runId, link } = await declinedRenewal()
      const portalPage = await updateCardFrom(link, new RegExp(`^${standin.url}/portal_session/bps_`))
      const session = [...standin.requests].reverse().find((r) => r.path === '/v1/billing_portal/sessions')!
      expect(session.params).toMatchObject({ customer: ADA, return_url: portalPage, flow_data: { type: 'payment_method_update' } })
      expect(session.idempotencyKey).toMatch(new RegExp(`^${runId}:card-session:`))

      const newCard = standin.state.paymentMethodsOf(ADA).find((pm) => pm.id !== OLD_CARD)!.id
      const run = await recovered(runId)
      expect(run.error).toContain('goal met: payment.succeeded')
      // One charge with the new card, under the key of this run and card; a repeat is Stripe's replay.
      const pays = recoupPays()
      expect(pays.filter((r) => !r.replayed).map((r) => r.params)).toEqual([{ payment_method: newCard }])
      expect(new Set(pays.map((r) => r.idempotencyKey))).toEqual(new Set([`${runId}:card:${newCard}:pay`]))
      expect(standin.state.chargesOf(INVOICE).map((c) => c.card)).toEqual([OLD_CARD, newCard])
      expect(standin.state.invoice(INVOICE)?.status).toBe('paid')
      expect(standin.state.customer(ADA)?.defaultPaymentMethod).toBe(newCard)
      expect(standin.writesWithoutCallerKey().filter((r) => r.idempotencyKey !== 'stripe-renewal-attempt-1')).toEqual([])

      // Back on Recoup's page, once the payment is in: nothing left to pay.
      await eventually(async () => {
        await page.reload()
        await page.getByRole('heading', { name: "You're all set" }).waitFor({ timeout: 500 })
        return true
      })
    })

    it('falls back to Checkout in setup mode when the portal is not configured, and makes the card the default itself', async () => {
      standin.state.setPortalConfigured(false)
      const { runId, link } = await declinedRenewal()
      const portalPage = await updateCardFrom(link, new RegExp(`^${standin.url}/checkout_session/cs_test_`))
      const checkout = [...standin.requests].reverse().find((r) => r.path === '/v1/checkout/sessions')!
      expect(checkout.params).toMatchObject({ mode: 'setup', customer: ADA, success_url: portalPage, cancel_url: portalPage, currency: 'usd' })

      const newCard = standin.state.paymentMethodsOf(ADA).find((pm) => pm.id !== OLD_CARD)!.id
      await recovered(runId)
      // Checkout only attaches the card: Recoup made it the customer's invoice default, then paid.
      expect(standin.state.customer(ADA)?.defaultPaymentMethod).toBe(newCard)
      const setDefault = standin.requests.find((r) => r.method === 'POST' && r.path === `/v1/customers/${ADA}`)
      expect(setDefault).toMatchObject({ params: { invoice_settings: { default_payment_method: newCard } }, idempotencyKey: `${runId}:card:${newCard}:default` })
      expect(recoupPays().filter((r) => !r.replayed).map((r) => r.params)).toEqual([{ payment_method: newCard }])
      expect(standin.state.invoice(INVOICE)?.status).toBe('paid')
    })
  })

  it('explains, on a page of its own, when Stripe cannot open the card page', async () => {
    const { link } = await declinedRenewal()
    const page = await fetch(link)
    const html = await page.text()
    expect(html).toContain('Update card')
    // The page allows its form to lead to Stripe's hosted page, and nothing else was widened.
    expect(page.headers.get('content-security-policy')).toBe(`default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: ${standin.url}; frame-ancestors 'none'`)
    const action = /action="([^"]+\/update-card)"/.exec(html)![1]!
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(new URL(action, appUrl), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })

    // Someone else's form, or a scanner's empty post: nothing is opened.
    expect((await post('action=retry')).status).toBe(400)
    expect((await post('action=update_card', { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect(standin.calls('POST', '/v1/billing_portal/sessions')).toBe(0)

    const ok = await post('action=update_card')
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toMatch(new RegExp(`^${standin.url}/portal_session/bps_`))

    // Stripe refuses (a customer it does not know, from an event sent to /v1/events): a page that says what to do.
    await app.inject('POST', '/v1/events', {
      id: 'evt_not_in_stripe', type: 'payment.failed', customer: { id: 'cus_not_in_stripe', email: 'grace@example.com' }, product_ids: [PRODUCT],
      payment: { id: 'pay_x', amount: 4900, currency: 'USD', subscription_id: 'sub_x', invoice_id: 'in_x', failure_code: 'expired_card' },
    })
    const other = await eventually(async () => (await app.inject('GET', '/v1/messages?channel=email&customer_id=cus_not_in_stripe')).body.data[0])
    const otherPage = await fetch(/https?:\/\/\S+\/l\/[0-9A-Za-z]{16}/.exec(other.body)![0])
    const otherAction = /action="([^"]+\/update-card)"/.exec(await otherPage.text())![1]!
    const refused = await fetch(new URL(otherAction, appUrl), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=update_card' })
    expect(refused.status).toBe(502)
    expect(await refused.text()).toContain('Please reply to our email and we will help you update your card.')

    // Stripe cannot be reached: try again later.
    await standin.close()
    const down = await post('action=update_card')
    expect(down.status).toBe(503)
    const text = await down.text()
    expect(text).toContain('We could not open the card page')
    expect(text).not.toContain(STANDIN_SECRET_KEY)
    standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY })
  })
})

describe('update-payment page without Stripe', () => {
  it('keeps "retry my payment now" and offers no card update', async () => {
    const app = await testApp(DIALECTS[0]!)
    try {
      await app.inject('POST', '/v1/workflows', WORKFLOW)
      await app.inject('POST', '/v1/events', {
        id: 'evt_manual', type: 'payment.failed', customer: { id: 'cus_manual', email: 'lin@example.com' }, product_ids: ['prod_any'],
        payment: { id: 'pay_m', amount: 4900, currency: 'USD', subscription_id: 'sub_m', invoice_id: 'in_m', failure_code: 'insufficient_funds' },
      })
      const email = await eventually(async () => (await app.inject('GET', '/v1/messages?channel=email')).body.data[0])
      const code = /\/l\/([0-9A-Za-z]{16})/.exec(email.body)![1]
      const short = await app.http.inject({ method: 'GET', url: `/l/${code}` })
      const page = await app.http.inject({ method: 'GET', url: new URL(String(short.headers.location), 'http://recoup.test').pathname })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Retry my payment now')
      expect(page.body).not.toContain('Update card')
      expect(page.headers['content-security-policy']).toContain("form-action 'self';")
      const token = /\/portal\/update-payment\/([^"/]+)\/retry/.exec(page.body)![1]
      const post = await app.http.inject({ method: 'POST', url: `/portal/update-payment/${token}/update-card`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'action=update_card' })
      expect(post.statusCode).toBe(400)
    } finally {
      await app.close()
    }
  })
})
