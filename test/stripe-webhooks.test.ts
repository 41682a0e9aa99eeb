import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { errorHandler } from '../src/http/problem.js'
import { stripeWebhookRoutes } from '../src/ingest/providers/stripe-route.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { planWorkflow, recoveryWorkflow } from './helpers/fixtures.js'

const SECRET = 'whsec_test_recoup_suite_0123456789abcdef'
const PRO = 'prod_SPro00000001'
const COURSE = 'prod_SCourse000001'
const ADA = 'cus_SAda0000000001'

/** A fixture's exact bytes: the signature covers them, so they are sent untouched. */
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/stripe/${name}.json`, import.meta.url), 'utf8')
}

function signature(payload: string, o: { secret?: string; ageSeconds?: number } = {}): string {
  const timestamp = Math.floor(Date.now() / 1000) - (o.ageSeconds ?? 0)
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: o.secret ?? SECRET, timestamp })
}

for (const dialect of DIALECTS) {
  describe(`Stripe webhooks on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>
    let hooks: FastifyInstance
    let logged: { obj: object; msg: string }[]

    async function deliver(payload: string, headers: Record<string, string> = { 'stripe-signature': signature(payload) }) {
      const res = await hooks.inject({
        method: 'POST',
        url: '/v1/webhooks/stripe',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        payload,
      })
      return { status: res.statusCode, type: res.headers['content-type'], body: JSON.parse(res.body) }
    }

    async function runsOf(customer: string) {
      return (await app.inject('GET', `/v1/runs?customer_id=${customer}`)).body.data as { id: string; workflow_id: string }[]
    }

    beforeEach(async () => {
      // No worker: these tests look at what a delivery commits, not at what runs do next.
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
      // Recoup products named by their Stripe product ids, so invoices map to them as they are.
      expect((await app.inject('POST', '/v1/products', { id: PRO, name: 'Pro' })).status).toBe(201)
      expect((await app.inject('POST', '/v1/products', { id: COURSE, name: 'Data Science course' })).status).toBe(201)
      expect((await app.inject('POST', '/v1/workflows', recoveryWorkflow({ products: [PRO] }))).status).toBe(201)
      expect((await app.inject('POST', '/v1/workflows', planWorkflow({ products: [COURSE] }))).status).toBe(201)

      logged = []
      const log = (obj: object, msg: string) => void logged.push({ obj, msg })
      // The route is not wired into app.ts yet: mount it on its own server, as app.ts will.
      hooks = Fastify()
      hooks.setErrorHandler(errorHandler)
      stripeWebhookRoutes(hooks, { webhookSecret: SECRET, ingestor: app.ingestor, db: app.store.db, logger: { info: log, warn: log } })
      // A neighbour route proves the raw-body parser stays inside the webhook's scope.
      hooks.post('/echo', async (req) => ({ parsed: req.body }))
      await hooks.ready()
    })
    afterEach(async () => {
      await hooks.close()
      await app.close()
    })

    it('turns a failed invoice into payment.failed, stores it and starts the recovery', async () => {
      const res = await deliver(fixture('invoice.payment_failed'))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ event_id: 'stripe:evt_1SFail0Ada0000000000001', duplicate: false, runs: [{ workflow_id: 'wf_pro_recovery' }] })

      const event = await app.inject('GET', '/v1/events/stripe:evt_1SFail0Ada0000000000001')
      expect(event.status).toBe(200)
      expect(event.body).toMatchObject({
        type: 'payment.failed',
        occurred_at: '2026-11-21T10:00:00.000Z',
        customer: { id: ADA, email: 'ada@example.com', name: 'Ada Lovelace', phone: '+15555550100' },
        product_ids: [PRO],
        payment: {
          id: 'in_1SAda00000000000000001',
          amount: 4900,
          currency: 'USD',
          invoice_id: 'in_1SAda00000000000000001',
          subscription_id: 'sub_1SAda00000000000000001',
          failure_code: 'card_declined',
          attempt: 1,
          next_attempt_at: '2026-11-24T10:00:00.000Z',
        },
      })
      expect(event.body.runs).toEqual(res.body.runs)
      expect(await runsOf(ADA)).toHaveLength(1)
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SAda00000000000000001')).body).toMatchObject({ status: 'past_due', amount: 4900, customer_id: ADA })
      expect((await app.inject('GET', `/v1/customers/${ADA}`)).body).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' })
    })

    it('answers a redelivery as a duplicate and starts nothing new', async () => {
      const payload = fixture('invoice.payment_failed')
      const first = await deliver(payload)
      // Stripe's retry carries a new timestamp and signature over the same bytes.
      const again = await deliver(payload, { 'stripe-signature': signature(payload, { ageSeconds: 60 }) })
      expect(again.status).toBe(200)
      expect(again.body).toEqual({ event_id: first.body.event_id, duplicate: true, runs: first.body.runs })
      expect(await runsOf(ADA)).toHaveLength(1)
      expect((await app.inject('GET', `/v1/payments?customer_id=${ADA}`)).body.data).toHaveLength(1)
    })

    it('rejects unsigned, wrongly signed, tampered and stale deliveries and stores nothing', async () => {
      const payload = fixture('invoice.payment_failed')
      const tampered = payload.replace('"amount_due": 4900', '"amount_due": 1')
      const deliveries: { headers: Record<string, string>; payload?: string }[] = [
        { headers: {} },
        { headers: { 'stripe-signature': signature(payload, { secret: 'whsec_someone_else' }) } },
        { headers: { 'stripe-signature': signature(payload) }, payload: tampered },
        { headers: { 'stripe-signature': signature(payload, { ageSeconds: 600 }) } },
        { headers: { 'stripe-signature': 'not a signature' } },
      ]
      for (const d of deliveries) {
        const res = await deliver(d.payload ?? payload, d.headers)
        expect(res.status).toBe(400)
        expect(res.type).toContain('application/problem+json')
        expect(res.body).toMatchObject({ type: '/problems/invalid_signature', status: 400 })
      }
      expect((await app.inject('GET', '/v1/events/stripe:evt_1SFail0Ada0000000000001')).status).toBe(404)
      expect(await runsOf(ADA)).toEqual([])
      expect((await app.inject('GET', `/v1/payments?customer_id=${ADA}`)).body.data).toEqual([])
    })

    it('starts no run for a failure that arrives after its invoice was paid', async () => {
      const paid = await deliver(fixture('invoice.paid'))
      expect(paid.status).toBe(200)
      expect(paid.body).toMatchObject({ event_id: 'stripe:evt_1SPaid0Ada0000000000001', duplicate: false, runs: [] })
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SAda00000000000000001')).body.status).toBe('active')

      const late = await deliver(fixture('invoice.payment_failed'))
      expect(late.status).toBe(200)
      expect(late.body).toEqual({ ignored: 'invoice already paid' })
      expect(await runsOf(ADA)).toEqual([])
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SAda00000000000000001')).body.status).toBe('active')
      const payments = (await app.inject('GET', `/v1/payments?customer_id=${ADA}`)).body.data as { status: string }[]
      expect(payments.map((p) => p.status)).toEqual(['succeeded'])
      expect(logged).toContainEqual({ obj: expect.objectContaining({ stripe_event_id: 'evt_1SFail0Ada0000000000001', reason: 'invoice already paid' }), msg: 'stripe webhook ignored' })

      // Stripe also sends invoice.payment_succeeded for the same payment; it is not counted twice.
      const succeeded = fixture('invoice.paid').replace('evt_1SPaid0Ada0000000000001', 'evt_1SSucc0Ada0000000000001').replace('"type": "invoice.paid"', '"type": "invoice.payment_succeeded"')
      expect((await deliver(succeeded)).body).toEqual({ ignored: 'invoice already recorded as paid' })
      // ...while a redelivery of the paid event itself is still a plain duplicate.
      expect((await deliver(fixture('invoice.paid'))).body).toMatchObject({ duplicate: true })
    })

    it('ends the recovery when the invoice is paid after the failure', async () => {
      const failed = await deliver(fixture('invoice.payment_failed'))
      const paid = await deliver(fixture('invoice.paid'))
      expect(paid.body.exited_runs).toEqual([failed.body.runs[0].id])
      expect((await app.inject('GET', `/v1/runs/${failed.body.runs[0].id}`)).body.status).toBe('exited')
    })

    it('turns a canceled installment subscription into installment_plan.canceled with its balance due', async () => {
      const res = await deliver(fixture('customer.subscription.deleted.installments'))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ event_id: 'stripe:evt_1SSubDel0Grace000000001', duplicate: false, runs: [{ workflow_id: 'wf_course_winback' }] })
      const plan = await app.inject('GET', '/v1/installment-plans/sub_1SGrace0000000000000001')
      expect(plan.body).toMatchObject({
        status: 'canceled',
        customer_id: 'cus_SGrace000000001',
        installments_total: 6,
        installments_paid: 2,
        installment_amount: 10000,
        currency: 'USD',
        balance_due: 40000,
        reason: 'cancellation_requested',
      })
    })

    it('keeps the subscription record in line with customer.subscription.updated', async () => {
      await deliver(fixture('invoice.payment_failed'))
      const res = await deliver(fixture('customer.subscription.updated'))
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ subscription_id: 'sub_1SAda00000000000000001', status: 'active' })
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SAda00000000000000001')).body).toMatchObject({ status: 'active', amount: 4900, currency: 'USD' })
    })

    it('answers 200 to event types it does not use, and logs them', async () => {
      const res = await deliver(fixture('customer.created'))
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ ignored: 'event type customer.created is not used by Recoup' })
      expect((await app.inject('GET', '/v1/events/stripe:evt_1SCustCreated000000001')).status).toBe(404)
      expect(logged).toContainEqual({ obj: expect.objectContaining({ stripe_event_type: 'customer.created' }), msg: 'stripe webhook ignored' })
    })

    it('leaves JSON parsing of other routes alone', async () => {
      const res = await hooks.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })
      expect(JSON.parse(res.body)).toEqual({ parsed: { a: 1 } })
    })
  })
}
