// The Stripe side of the money loop, end to end: webhooks signed by the official SDK (through
// stripe-events' `signed`) in the API versions in use and in the orders Stripe delivers them,
// the app's Stripe API calls answered by the stand-in. A failed renewal must end with its true
// decline reason on the payment and in the recovery's first step; a subscription or invoice that
// can no longer be paid must stop everything; every way Stripe tells of a new card must ask the
// recovery for an attempt with it.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { REASON_WAIT_MS } from '../src/ingest/money-loop.js'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import {
  chargeFailed, customerUpdated, everyArrivalOrder, EXAMPLES, failedRenewalEvents, FIXTURE_API_VERSIONS, invoicePaymentFailed, invoiceVoided,
  paymentIntentPaymentFailed, paymentMethodAttached, paymentMethodAutomaticallyUpdated, setupIntentSucceeded, signed, subscriptionDeleted,
  type RenewalOptions, type StripeEvent,
} from './helpers/stripe-events.js'
import { STANDIN_SECRET_KEY, startStripeStandIn, type StripeStandIn } from './helpers/stripe-standin.js'
import { eventually } from './helpers/server.js'

const SECRET = 'whsec_test_recoup_money_loop_0123456789abcdef'
const PRO = 'prod_SPro00000001'
const PRICE = 'price_1SPro0000000000000001'
const ADA = 'cus_SAda0000000001'
const ADA_SUB = 'sub_1SAda00000000000000001'
const ADA_INVOICE = 'in_1SAda00000000000000001'
const ADA_CARD = 'pm_1SAdaVisa000000000001'
const BOB = 'cus_SBob0000000001'
const BOB_SUB = 'sub_1SBob00000000000000001'
const BOB_INVOICE = 'in_1SBob00000000000000001'
const BOB_CARD = 'pm_1SBobVisa000000000001'
const BASIL = '2025-03-31.basil'

/** Bob's renewal: same shape as Ada's, his own ids. */
const bob = (apiVersion: string): RenewalOptions => ({
  apiVersion, customerId: BOB, customerEmail: 'bob@example.com', customerName: 'Bob Babbage', subscriptionId: BOB_SUB, invoiceId: BOB_INVOICE,
  paymentIntentId: 'pi_1SBob00000000000000001', chargeId: 'ch_1SBob00000000000000001', paymentMethodId: BOB_CARD,
})

/** The recovery's first step writes down the reason it was started with. */
const noteReason = {
  id: 'wf_reason',
  name: 'Note the decline reason',
  status: 'active',
  trigger: { type: 'payment.failed', products: [PRO] },
  steps: [
    {
      id: 'note',
      type: 'update_customer',
      set_fields: {
        failure: '{{ payment.failure_code }}', decline: '{{ payment.decline_code }}', advice: '{{ payment.advice_code }}',
        network: '{{ payment.network_decline_code }}', brand: '{{ payment.card_brand }}',
      },
    },
    { id: 'later', type: 'wait', duration: 'P30D' },
  ],
}

/** Recoup retries itself (Smart Retries off) an hour after the failure. */
const retryInAnHour = {
  id: 'wf_retry',
  name: 'Retry',
  status: 'active',
  trigger: { type: 'payment.failed', products: [PRO] },
  steps: [{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }],
}

type App = Awaited<ReturnType<typeof testApp>>

for (const dialect of DIALECTS) {
  describe(`Stripe money loop on ${dialect.name}`, () => {
    let app: App | undefined
    let standin: StripeStandIn | undefined
    let clock: TestClock

    afterEach(async () => {
      await app?.close()
      await standin?.close()
      app = undefined
      standin = undefined
    })

    async function start(o: { api?: boolean; apiVersion?: string } = {}): Promise<App> {
      clock = new TestClock()
      if (o.api) standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY, eventApiVersion: o.apiVersion ?? BASIL })
      app = await testApp(dialect, {
        clock,
        env: {
          RECOUP_STRIPE_WEBHOOK_SECRET: SECRET,
          RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true',
          ...(standin ? { RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY, RECOUP_STRIPE_API_BASE: standin.url } : {}),
        },
      })
      expect((await app.inject('POST', '/v1/products', { id: PRO, name: 'Pro' })).status).toBe(201)
      return app
    }

    /** POSTs a Stripe Event as Stripe would: exact bytes, signed at the app's time. */
    async function deliver(event: StripeEvent | object): Promise<{ status: number; body: any }> {
      const { payload, signature } = signed(event as StripeEvent, SECRET, Math.floor(clock.now() / 1000))
      const res = await app!.http.inject({ method: 'POST', url: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload })
      return { status: res.statusCode, body: JSON.parse(res.body) }
    }

    async function failureOf(customer: string) {
      const rows = await app!.store.db.selectFrom('payments').selectAll().where('customer_id', '=', customer).where('status', '=', 'failed').execute()
      expect(rows).toHaveLength(1)
      return rows[0]!
    }

    async function runOf(id: string) {
      return (await app!.inject('GET', `/v1/runs/${id}`)).body
    }

    /** The fields the first step wrote, once it has run. */
    async function notedReason(runId: string): Promise<Record<string, unknown>> {
      const run = await eventually(async () => {
        const r = await runOf(runId)
        return r.steps?.[0]?.status === 'completed' && r
      })
      const customer = (await app!.inject('GET', `/v1/customers/${run.customer_id}`)).body
      return { ...customer.fields, first_step_at: run.steps[0].started_at }
    }

    /** Ada's (and Bob's) Stripe account in the stand-in: a Pro subscription with an open renewal invoice. */
    function seed(o: { adaDecline?: { decline_code: string; advice_code?: string; network_advice_code?: string; network_decline_code?: string } } = {}) {
      const s = standin!.state
      s.addPrice({ id: PRICE, product: PRO, currency: 'usd', unit_amount: 4900 })
      for (const [customer, card, sub, invoice, decline] of [
        [ADA, ADA_CARD, ADA_SUB, ADA_INVOICE, o.adaDecline ?? { decline_code: 'insufficient_funds', advice_code: 'try_again_later' }],
        [BOB, BOB_CARD, BOB_SUB, BOB_INVOICE, undefined],
      ] as const) {
        s.addCustomer({ id: customer, email: `${customer}@example.com`, default_payment_method: card })
        s.addPaymentMethod({ id: card, customer, brand: 'visa', behaviour: decline ?? 'succeed' })
        s.addSubscription({ id: sub, customer, status: 'past_due', items: [{ price: PRICE, product: PRO, currency: 'usd' }] })
        s.addInvoice({ id: invoice, customer, subscription: sub, amount_due: 4900, currency: 'usd' })
      }
    }

    const payCalls = (invoice: string) => standin!.calls('POST', `/v1/invoices/${invoice}/pay`)

    for (const apiVersion of FIXTURE_API_VERSIONS) {
      for (const order of ['reason-first', 'reason-last'] as const) {
        it(`${apiVersion}, ${order}: the failure carries the true reason, and the recovery starts once it is known`, async () => {
          await start()
          await app!.inject('POST', '/v1/workflows', noteReason)
          const answers = []
          for (const event of failedRenewalEvents({ apiVersion }, order)) answers.push(await deliver(event))
          expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
          const runs = answers.flatMap((a) => a.body.runs ?? [])
          expect(runs).toHaveLength(1)

          const failure = await failureOf(ADA)
          expect(failure).toMatchObject({
            invoice_id: ADA_INVOICE, subscription_id: ADA_SUB, reason_status: 'known', failure_code: 'card_declined', decline_code: 'insufficient_funds',
            advice_code: 'try_again_later', network_advice_code: '01', network_decline_code: '51', card_brand: 'visa', payment_method_id: ADA_CARD,
            card_fingerprint: 'Xt5EWLLDS7FJjR1c', payment_intent_id: 'pi_1SAda00000000000000001', failure_message: 'Your card has insufficient funds.',
          })
          expect(new Date(failure.next_attempt_at!).toISOString()).toBe('2026-11-24T10:00:00.000Z')

          const noted = await notedReason(runs[0].id)
          expect(noted).toMatchObject({ failure: 'card_declined', decline: 'insufficient_funds', advice: 'try_again_later', network: '51', brand: 'visa' })
          // Started by the reason, not by the bound: the clock stood still.
          expect(Date.parse(String(noted.first_step_at)) - Date.parse(failure.created_at)).toBeLessThan(REASON_WAIT_MS)
          // The reason came twice (charge and payment intent); no copy is left for a later failure.
          expect(await app!.store.db.selectFrom('decline_reasons').selectAll().execute()).toEqual([])
        })
      }
    }

    it('basil, in every order of the charge, payment intent and invoice events: each failure has its own true reason', async () => {
      await start()
      const orders = everyArrivalOrder(['charge', 'intent', 'invoice'] as const)
      const codes = ['insufficient_funds', 'expired_card', 'do_not_honor', 'card_velocity_exceeded', 'lost_card', 'generic_decline']
      for (const [i, order] of orders.entries()) {
        const o: RenewalOptions = {
          apiVersion: BASIL, customerId: `cus_SOrder${i}00000000`, subscriptionId: `sub_1SOrder${i}0000000000000`, invoiceId: `in_1SOrder${i}0000000000000`,
          paymentIntentId: `pi_1SOrder${i}0000000000000`, chargeId: `ch_1SOrder${i}0000000000000`, decline: { decline_code: codes[i]!, advice_code: 'try_again_later' },
        }
        const build = { charge: chargeFailed, intent: paymentIntentPaymentFailed, invoice: invoicePaymentFailed }
        for (const kind of order) expect((await deliver(build[kind](o))).status).toBe(200)
        expect(await failureOf(o.customerId!), order.join(' → ')).toMatchObject({ reason_status: 'known', decline_code: codes[i], payment_intent_id: o.paymentIntentId })
      }
      expect(await app!.store.db.selectFrom('decline_reasons').selectAll().execute()).toEqual([])
    })

    for (const apiVersion of FIXTURE_API_VERSIONS) {
      it(`${apiVersion}, only invoice.payment_failed sent: the reason is read from Stripe's API after the webhook is answered`, async () => {
        await start({ api: true, apiVersion })
        seed({ adaDecline: { decline_code: 'do_not_honor', advice_code: 'do_not_try_again', network_advice_code: '03', network_decline_code: '05' } })
        await standin!.stripe.invoices.pay(ADA_INVOICE).then(
          () => expect.fail('the card should decline'),
          (err: { statusCode?: number }) => expect(err.statusCode).toBe(402),
        )
        const failed = standin!.state.events.find((e) => e.type === 'invoice.payment_failed')!
        await app!.inject('POST', '/v1/workflows', noteReason)
        const before = standin!.requests.length
        const answer = await deliver(failed)
        expect(answer.body.runs).toHaveLength(1)
        // Answered without a call to Stripe: the lookup is the enricher's, outside the request.
        expect(standin!.requests.length).toBe(before)
        expect(await failureOf(ADA)).toMatchObject({ reason_status: 'pending', failure_code: null })

        // Stripe's own charge.failed gets a few seconds first.
        clock.advance(4000)
        await app!.stripeEnricher!.drain()
        expect(standin!.requests.length).toBeGreaterThan(before)
        expect(await failureOf(ADA)).toMatchObject({
          reason_status: 'known', failure_code: 'card_declined', decline_code: 'do_not_honor', advice_code: 'do_not_try_again',
          network_advice_code: '03', network_decline_code: '05', card_brand: 'visa', payment_method_id: ADA_CARD, payment_intent_id: expect.stringMatching(/^pi_/),
        })
        expect(await notedReason(answer.body.runs[0].id)).toMatchObject({ failure: 'card_declined', decline: 'do_not_honor', advice: 'do_not_try_again', network: '05' })
      })
    }

    it('without a secret key and without a reason event, the reason is recorded as unknown after the bound, and a late one still lands', async () => {
      await start()
      await app!.inject('POST', '/v1/workflows', noteReason)
      const answer = await deliver(invoicePaymentFailed({ apiVersion: BASIL }))
      const runId = answer.body.runs[0].id
      clock.advance(10_000)
      await app!.stripeEnricher!.drain()
      expect(await failureOf(ADA)).toMatchObject({ reason_status: 'pending' })
      expect((await runOf(runId)).status).toBe('waiting')

      clock.advance(36_000)
      await app!.stripeEnricher!.drain()
      expect(await failureOf(ADA)).toMatchObject({ reason_status: 'unknown', failure_code: 'unknown', decline_code: null })
      expect(await notedReason(runId)).toMatchObject({ failure: 'unknown', decline: '' })
      expect((await app!.inject('GET', `/v1/events/${encodeURIComponent(`stripe:reason:${(await failureOf(ADA)).id}`)}`)).body).toMatchObject({ type: 'payment.decline_reason', decline: { failure_code: 'unknown', invoice_id: ADA_INVOICE } })

      expect((await deliver(chargeFailed({ apiVersion: BASIL }))).status).toBe(200)
      expect(await failureOf(ADA)).toMatchObject({ reason_status: 'known', decline_code: 'insufficient_funds' })
    })

    for (const ending of ['subscription deleted', 'invoice voided'] as const) {
      it(`${ending} mid-recovery: the run is canceled, recovery.ended says canceled, and nothing is charged after`, async () => {
        const apiVersion = ending === 'subscription deleted' ? BASIL : '2020-08-27'
        await start({ api: true, apiVersion })
        seed()
        const hook = await app!.inject('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/recoup-hooks', events: ['recovery.ended'] })
        expect(hook.status).toBe(201)
        await app!.inject('POST', '/v1/workflows', retryInAnHour)
        const runs: Record<string, string> = {}
        for (const [who, o] of [[ADA, { apiVersion }], [BOB, bob(apiVersion)]] as const) {
          const answers = []
          for (const event of failedRenewalEvents(o, 'reason-first')) answers.push(await deliver(event))
          runs[who] = answers.flatMap((a) => a.body.runs ?? [])[0].id
        }
        for (const id of Object.values(runs)) await eventually(async () => (await runOf(id)).waiting_reason?.includes('first payment retry'))

        const end = ending === 'subscription deleted' ? subscriptionDeleted({ apiVersion }) : invoiceVoided({ apiVersion })
        const answer = await deliver(end)
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ event_id: `stripe:${end.id}`, duplicate: false })
        const canceled = await runOf(runs[ADA]!)
        expect(canceled).toMatchObject({ status: 'canceled' })
        expect(canceled.error).toContain(ending === 'subscription deleted' ? 'the subscription ended (canceled)' : 'the invoice was voided')
        const ended = (await app!.store.db.selectFrom('deliveries').select('payload').where('event_type', '=', 'recovery.ended').execute()).map((d) => JSON.parse(d.payload).data)
        expect(ended).toEqual([expect.objectContaining({ run_id: runs[ADA], outcome: 'canceled', status: 'canceled' })])
        if (ending === 'subscription deleted') expect((await app!.inject('GET', `/v1/subscriptions/${ADA_SUB}`)).body).toMatchObject({ status: 'canceled', customer_id: ADA })

        // Past the retry: Bob's recovery pays his invoice, Ada's charges nothing.
        clock.advance(2 * 3_600_000)
        app!.scheduler!.wake()
        await eventually(async () => (await runOf(runs[BOB]!)).status === 'exited')
        expect(payCalls(BOB_INVOICE)).toBe(1)
        expect(payCalls(ADA_INVOICE)).toBe(0)
        expect((await runOf(runs[ADA]!)).status).toBe('canceled')
      })
    }

    it('every way Stripe tells of a new card becomes payment_method.updated; a Checkout card is read from the API and pays at once', async () => {
      await start({ api: true })
      seed()
      const newCard = 'pm_1SAdaMastercard000001'
      for (const event of [customerUpdated({ apiVersion: BASIL }), paymentMethodAttached({ apiVersion: BASIL }), setupIntentSucceeded({ apiVersion: BASIL }), paymentMethodAutomaticallyUpdated({ apiVersion: BASIL })]) {
        const answer = await deliver(event)
        expect(answer, event.type).toMatchObject({ status: 200, body: { event_id: `stripe:${event.id}`, duplicate: false } })
        const stored = (await app!.inject('GET', `/v1/events/stripe:${event.id}`)).body
        expect(stored, event.type).toMatchObject({ type: 'payment_method.updated', customer: { id: ADA }, payment_method_id: event.type === 'payment_method.automatically_updated' ? ADA_CARD : newCard })
      }

      // A recovery waiting a week for its retry; the customer saves a card through Checkout (setup mode).
      await app!.inject('POST', '/v1/workflows', { ...retryInAnHour, steps: [{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['P7D'] }] })
      const answers = []
      for (const event of failedRenewalEvents({ apiVersion: BASIL }, 'reason-first')) answers.push(await deliver(event))
      const runId = answers.flatMap((a) => a.body.runs ?? [])[0].id
      await eventually(async () => (await runOf(runId)).waiting_reason?.includes('first payment retry'))
      const session = await standin!.stripe.checkout.sessions.create({ mode: 'setup', customer: ADA, success_url: 'https://shop.example.com/done', currency: 'usd' })
      const saved = standin!.state.completeCardUpdate(session.id, { brand: 'mastercard' })
      const completed = saved.events.find((e) => e.type === 'checkout.session.completed')!
      expect(typeof completed.data.object.setup_intent).toBe('string')
      const answer = await deliver(completed)
      expect(answer.status).toBe(200)
      expect((await app!.inject('GET', `/v1/events/stripe:${completed.id}`)).body).toMatchObject({ type: 'payment_method.updated', payment_method_id: saved.paymentMethodId })

      const done = await eventually(async () => {
        const r = await runOf(runId)
        return r.status === 'exited' && r
      })
      expect(done.error).toContain('goal met: payment.succeeded')
      const pays = standin!.requests.filter((r) => r.method === 'POST' && r.path === `/v1/invoices/${ADA_INVOICE}/pay`)
      expect(pays.map((r) => r.params.payment_method)).toEqual([saved.paymentMethodId])
    })

    it('answers 2xx to every example event of every API version, recording what each means', async () => {
      await start()
      const byVersion: Record<string, Record<string, string>> = {}
      for (const [v, apiVersion] of FIXTURE_API_VERSIONS.entries()) {
        const kinds: Record<string, string> = (byVersion[apiVersion] = {})
        for (const [type, build] of Object.entries(EXAMPLES)) {
          // Each version's events name other objects, so one version's records do not answer the next.
          const event = build(apiVersion)
          const answer = await deliver(JSON.parse(JSON.stringify(event).replaceAll('SAda', `SV${v}a`)))
          expect(answer.status, `${apiVersion} ${type}`).toBe(200)
          kinds[type] = answer.body.ignored ? 'ignored' : answer.body.subscription_id ? 'record' : (await app!.inject('GET', `/v1/events/stripe:${event.id}`)).body.type
        }
      }
      const expected = {
        'invoice.payment_failed': 'payment.failed',
        'invoice.updated': 'ignored',
        'invoice.paid': 'payment.succeeded',
        'invoice.voided': 'invoice.closed',
        'invoice.marked_uncollectible': 'invoice.closed',
        'payment_intent.payment_failed': 'payment.decline_reason',
        'charge.failed': 'payment.decline_reason',
        'customer.subscription.updated': 'record',
        'customer.subscription.deleted': 'subscription.ended',
        'customer.updated': 'payment_method.updated',
        'payment_method.attached': 'payment_method.updated',
        'payment_method.automatically_updated': 'payment_method.updated',
        'setup_intent.succeeded': 'payment_method.updated',
        'checkout.session.completed': 'payment_method.updated',
      }
      expect(byVersion).toEqual(Object.fromEntries(FIXTURE_API_VERSIONS.map((v) => [v, expected])))
    })

    it("resolves a schedule's bare price ids to products through the API (cached), and maps without them when the API does not answer", async () => {
      await start({ api: true })
      standin!.state.addPrice({ id: 'price_1SCourse00000000000001', product: 'prod_SCourse000001', currency: 'usd', unit_amount: 7500 })
      const schedule = JSON.parse(readFileSync(new URL('./fixtures/stripe/subscription_schedule.canceled.installments.json', import.meta.url), 'utf8'))
      schedule.data.object.metadata = { recoup_installments_total: '4', recoup_installments_paid: '1', recoup_installment_amount: '7500' }
      schedule.data.object.phases[0].items = [{ price: 'price_1SCourse00000000000001', quantity: 1 }]
      for (const n of [1, 2]) {
        const event = { ...schedule, id: `evt_1SSchedCanceled00000000${n}`, data: { object: { ...schedule.data.object, id: `sub_sched_1SHopper0000000000${n}` } } }
        const answer = await deliver(event)
        expect(answer.status).toBe(200)
        expect((await app!.inject('GET', `/v1/events/stripe:${event.id}`)).body).toMatchObject({ type: 'installment_plan.canceled', product_ids: ['prod_SCourse000001'] })
      }
      expect(standin!.calls('GET', '/v1/prices/price_1SCourse00000000000001')).toBe(1)

      // An API that never answers: the delivery still maps, without the products.
      await standin!.close()
      standin = undefined
      const { createServer } = await import('node:http')
      const silent = createServer(() => {})
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
      try {
        await app!.close()
        app = await testApp(dialect, {
          clock,
          env: { RECOUP_STRIPE_WEBHOOK_SECRET: SECRET, RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY, RECOUP_STRIPE_API_BASE: `http://127.0.0.1:${(silent.address() as { port: number }).port}`, RECOUP_WORKER: 'false' },
        })
        const event = { ...schedule, id: 'evt_1SSchedCanceledSilent001' }
        const answer = await deliver(event)
        expect(answer.status).toBe(200)
        expect((await app!.inject('GET', `/v1/events/stripe:${event.id}`)).body).toMatchObject({ type: 'installment_plan.canceled', product_ids: [] })
      } finally {
        silent.closeAllConnections()
        await new Promise<void>((r) => silent.close(() => r()))
      }
    })
  })
}
