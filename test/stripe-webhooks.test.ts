import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { errorHandler } from '../src/http/problem.js'
import { stripeWebhookRoutes } from '../src/http/webhooks/stripe.js'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { planWorkflow, recoveryWorkflow } from './helpers/fixtures.js'

const SECRET = 'whsec_test_recoup_suite_0123456789abcdef'
const PRO = 'prod_SPro00000001'
const COURSE = 'prod_SCourse000001'
const ADA = 'cus_SAda0000000001'

/** A fixture's exact bytes: the signature covers them, so they are sent untouched. */
function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/stripe/${name}.json`, import.meta.url), 'utf8')
}

function signature(payload: string, o: { secret?: string; ageSeconds?: number; nowMs?: number } = {}): string {
  const timestamp = Math.floor((o.nowMs ?? Date.now()) / 1000) - (o.ageSeconds ?? 0)
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: o.secret ?? SECRET, timestamp })
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = readonly (string | number)[]
/** Marks a field to delete in `changed`. */
const DELETE = Symbol('delete')

/** A fixture with one field replaced (or deleted), serialized again. */
function changed(name: string, path: Path, value: Json | typeof DELETE): string {
  return JSON.stringify(setAt(JSON.parse(fixture(name)) as Json, path, value))
}

function setAt(root: Json, path: Path, value: Json | typeof DELETE): Json {
  let parent = root as Record<string | number, Json>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>
  const last = path[path.length - 1]
  if (value !== DELETE) parent[last] = value
  else if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else delete parent[last]
  return root
}

/** Every path in a JSON document below its root, parents before children. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return []
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  return keys.flatMap((k) => [[...prefix, k], ...pathsOf((value as Record<string | number, Json>)[k], [...prefix, k])])
}

/** A value of another JSON type than `value`. */
function wrongType(value: Json): Json {
  if (typeof value === 'string') return 4900
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return 'true'
  if (Array.isArray(value)) return { data: value }
  if (value === null) return {}
  return 'in_1SAda00000000000000001'
}

for (const dialect of DIALECTS) {
  describe(`Stripe webhooks on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>
    let hooks: FastifyInstance
    let logged: { level: 'info' | 'warn'; obj: object; msg: string }[]

    async function deliver(payload: string, headers: Record<string, string> = { 'stripe-signature': signature(payload) }, server = hooks) {
      const res = await server.inject({
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
      hooks = await mount()
    })
    afterEach(async () => {
      await hooks.close()
      await app.close()
    })

    /** The route on its own server, as app.ts mounts it, so tests choose its clock. */
    async function mount(o: { now?: () => number } = {}) {
      const server = Fastify()
      server.setErrorHandler(errorHandler)
      const logger = {
        info: (obj: object, msg: string) => void logged.push({ level: 'info', obj, msg }),
        warn: (obj: object, msg: string) => void logged.push({ level: 'warn', obj, msg }),
      }
      stripeWebhookRoutes(server, { webhookSecret: SECRET, ingestor: app.ingestor, db: app.store.db, logger, now: o.now })
      // A neighbour route proves the raw-body parser stays inside the webhook's scope.
      server.post('/echo', async (req) => ({ parsed: req.body }))
      await server.ready()
      return server
    }

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
          // The webhook's invoice never says why; the reason comes in its own event.
          reason_pending: true,
          attempt: 1,
          next_attempt_at: '2026-11-24T10:00:00.000Z',
        },
      })
      expect(event.body.payment).not.toHaveProperty('failure_code')
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
      expect(logged).toContainEqual({ level: 'info', obj: expect.objectContaining({ stripe_event_id: 'evt_1SFail0Ada0000000000001', reason: 'invoice already paid' }), msg: 'stripe webhook ignored' })

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
      expect(logged).toContainEqual({ level: 'info', obj: expect.objectContaining({ stripe_event_type: 'customer.created' }), msg: 'stripe webhook ignored' })
    })

    it('refuses signatures dated too far in the past or the future, by the app clock', async () => {
      const payload = fixture('invoice.payment_failed')
      const future = await deliver(payload, { 'stripe-signature': signature(payload, { ageSeconds: -600 }) })
      expect(future.status).toBe(400)
      expect(future.type).toContain('application/problem+json')
      expect(future.body).toMatchObject({ type: '/problems/invalid_signature', detail: expect.stringMatching(/(599|600) s in the future/) })
      const past = await deliver(payload, { 'stripe-signature': signature(payload, { ageSeconds: 600 }) })
      expect(past.body).toMatchObject({ status: 400, detail: expect.stringMatching(/60[01] s old/) })
      for (const res of [future, past]) expect(JSON.stringify(res.body)).not.toContain(SECRET)
      expect((await app.inject('GET', '/v1/events/stripe:evt_1SFail0Ada0000000000001')).status).toBe(404)

      // A server whose clock is an hour ahead judges by its clock, not the machine's.
      const ahead = () => Date.now() + 3_600_000
      const skewed = await mount({ now: ahead })
      try {
        const byMachine = await deliver(payload, { 'stripe-signature': signature(payload) }, skewed)
        expect(byMachine.body).toMatchObject({ status: 400, detail: expect.stringMatching(/360[01] s old/) })
        const byClock = await deliver(payload, { 'stripe-signature': signature(payload, { nowMs: ahead(), ageSeconds: -200 }) }, skewed)
        expect(byClock.status).toBe(200)
        expect(byClock.body).toMatchObject({ event_id: 'stripe:evt_1SFail0Ada0000000000001', duplicate: false })
      } finally {
        await skewed.close()
      }
    })

    it('judges signatures by the clock the app was built with', async () => {
      const clock = new TestClock()
      clock.advance(3_600_000)
      const clocked = await testApp(dialect, { clock, env: { RECOUP_WORKER: 'false', RECOUP_STRIPE_WEBHOOK_SECRET: SECRET } })
      try {
        const payload = fixture('customer.created')
        const byMachine = await deliver(payload, { 'stripe-signature': signature(payload) }, clocked.http)
        expect(byMachine.body).toMatchObject({ status: 400, detail: expect.stringMatching(/360[01] s old/) })
        const byClock = await deliver(payload, { 'stripe-signature': signature(payload, { nowMs: clock.now() }) }, clocked.http)
        expect(byClock.status).toBe(200)
      } finally {
        await clocked.close()
      }
    })

    it('answers 200 ignored, naming the field, to signed events it cannot use, and stores nothing', async () => {
      const cases: { what: string; payload: string; reason: string }[] = [
        { what: 'data: null', payload: changed('invoice.payment_failed', ['data'], null), reason: 'data must be an object' },
        { what: 'a body that is JSON null', payload: 'null', reason: 'the body is null' },
        { what: 'a body that is a JSON array', payload: `[${fixture('invoice.payment_failed')}]`, reason: 'the body is an array' },
        { what: 'a body that is a JSON number', payload: '42', reason: 'the body is a number' },
        { what: 'a signed body that is not JSON', payload: '{"id": "evt_', reason: 'not JSON' },
        { what: 'no data.object', payload: changed('invoice.payment_failed', ['data', 'object'], DELETE), reason: 'data.object is missing' },
        { what: 'data.object a string', payload: changed('invoice.payment_failed', ['data', 'object'], 'in_1SAda00000000000000001'), reason: 'data.object must be an object' },
        { what: 'data.object an array', payload: changed('invoice.payment_failed', ['data', 'object'], []), reason: 'data.object must be an object' },
        { what: 'a failed invoice without currency', payload: changed('invoice.payment_failed', ['data', 'object', 'currency'], DELETE), reason: 'data.object.currency is missing' },
        { what: 'a paid invoice without currency', payload: changed('invoice.paid', ['data', 'object', 'currency'], DELETE), reason: 'data.object.currency is missing' },
        {
          what: 'invoice.payment_succeeded without currency',
          payload: changed('invoice.paid', ['data', 'object', 'currency'], DELETE).replace('"type":"invoice.paid"', '"type":"invoice.payment_succeeded"'),
          reason: 'data.object.currency is missing',
        },
        { what: 'a currency that is not a code', payload: changed('invoice.payment_failed', ['data', 'object', 'currency'], 'dollars'), reason: 'data.object.currency must be a three-letter ISO 4217 currency code' },
        { what: 'a subscription update without status', payload: changed('customer.subscription.updated', ['data', 'object', 'status'], DELETE), reason: 'data.object.status is missing' },
        { what: 'created: 1e20', payload: changed('invoice.payment_failed', ['created'], 1e20), reason: 'created must not be after the year 9999' },
        { what: 'a negative created', payload: changed('invoice.payment_failed', ['created'], -1795255200), reason: 'created must not be before 1970' },
        { what: 'a fractional created', payload: changed('invoice.payment_failed', ['created'], 1795255200.5), reason: 'created must be a whole number of seconds' },
        { what: 'created as a string', payload: changed('invoice.payment_failed', ['created'], '1795255200'), reason: 'created must be a Unix time in seconds' },
        { what: 'an event id that is a number', payload: changed('invoice.payment_failed', ['id'], 42), reason: 'id must be an id' },
        { what: 'an invoice id that is a number', payload: changed('invoice.payment_failed', ['data', 'object', 'id'], 42), reason: 'data.object.id must be an id' },
        { what: 'a fractional amount_due', payload: changed('invoice.payment_failed', ['data', 'object', 'amount_due'], 49.5), reason: 'data.object.amount_due must be a whole number of minor units' },
        { what: 'amount_paid as a string', payload: changed('invoice.paid', ['data', 'object', 'amount_paid'], '4900'), reason: 'data.object.amount_paid must be an amount in minor units' },
        { what: 'an invoice without customer', payload: changed('invoice.payment_failed', ['data', 'object', 'customer'], null), reason: 'data.object.customer must be a customer id' },
        { what: 'a subscription without customer', payload: changed('customer.subscription.updated', ['data', 'object', 'customer'], DELETE), reason: 'data.object.customer is missing' },
        {
          what: 'an installment plan without any currency',
          payload: JSON.stringify(
            setAt(setAt(JSON.parse(fixture('customer.subscription.deleted.installments.2020-03-02')) as Json, ['data', 'object', 'items', 'data', 0, 'price', 'currency'], DELETE), ['data', 'object', 'items', 'data', 0, 'plan', 'currency'], DELETE),
          ),
          reason: 'data.object.currency is missing',
        },
        // Mapped, but Recoup's event schema refuses it: ids are at most 255 characters.
        { what: 'an event id too long for Recoup', payload: changed('invoice.payment_failed', ['id'], `evt_${'x'.repeat(250)}`), reason: "does not pass Recoup's event schema: id" },
        {
          what: 'a product id too long for Recoup',
          payload: changed('customer.subscription.deleted.installments', ['data', 'object', 'metadata', 'recoup_product_ids'], 'p'.repeat(300)),
          reason: "does not pass Recoup's event schema: product_ids",
        },
      ]
      for (const c of cases) {
        logged = []
        const res = await deliver(c.payload)
        expect({ what: c.what, status: res.status, body: res.body }).toEqual({ what: c.what, status: 200, body: { ignored: expect.stringContaining(c.reason) } })
        expect(logged, c.what).toEqual([{ level: 'warn', obj: expect.objectContaining({ reason: res.body.ignored }), msg: 'stripe webhook ignored' }])
        expect(JSON.stringify(logged), c.what).not.toContain(SECRET)
      }
      expect(await runsOf(ADA)).toEqual([])
      expect((await app.inject('GET', `/v1/payments?customer_id=${ADA}`)).body.data).toEqual([])
      expect((await app.inject('GET', '/v1/installment-plans/sub_1SGrace0000000000000001')).status).toBe(404)
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SAda00000000000000001')).status).toBe(404)
    })

    it('answers 2xx to signed payloads with NUL characters where Recoup stores text', async () => {
      const nul = 'Ada\u0000Lovelace'
      const payloads = [
        changed('invoice.payment_failed', ['data', 'object', 'customer_name'], nul),
        changed('invoice.payment_failed', ['data', 'object', 'id'], nul),
        changed('invoice.payment_failed', ['data', 'object', 'customer'], nul),
        changed('invoice.payment_failed', ['id'], nul),
        changed('customer.subscription.updated', ['data', 'object', 'status'], nul),
        changed('customer.subscription.deleted.installments', ['data', 'object', 'cancellation_details', 'reason'], nul),
      ]
      for (const payload of payloads) {
        const res = await deliver(payload)
        expect(res.status, payload.slice(0, 80)).toBe(200)
      }
      // A product id that cannot be one is dropped; the plan keeps the others.
      const plan = setAt(JSON.parse(fixture('customer.subscription.deleted.installments')) as Json, ['data', 'object', 'metadata', 'recoup_product_ids'], `${COURSE},${nul}`)
      setAt(plan, ['id'], 'evt_1SSubDel0GraceNul00001')
      setAt(plan, ['data', 'object', 'id'], 'sub_1SGraceNul0000000000001')
      expect((await deliver(JSON.stringify(plan))).body).toMatchObject({ runs: [{ workflow_id: 'wf_course_winback' }] })
      expect((await app.inject('GET', '/v1/installment-plans/sub_1SGraceNul0000000000001')).body).toMatchObject({ product_ids: [COURSE] })
    })

    it('takes the customer id from an expanded customer object', async () => {
      const expanded = { id: ADA, object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace', phone: null }
      const res = await deliver(changed('invoice.payment_failed', ['data', 'object', 'customer'], expanded))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ event_id: 'stripe:evt_1SFail0Ada0000000000001', runs: [{ workflow_id: 'wf_pro_recovery' }] })
      expect((await app.inject('GET', '/v1/events/stripe:evt_1SFail0Ada0000000000001')).body.customer).toMatchObject({ id: ADA })

      const newcomer = { id: 'cus_SNew0000000001', object: 'customer', email: 'new@example.com', name: 'New Customer', phone: '+15555550111' }
      const update = setAt(JSON.parse(fixture('customer.subscription.updated')) as Json, ['data', 'object', 'customer'], newcomer)
      setAt(update, ['data', 'object', 'id'], 'sub_1SNew00000000000000001')
      const sub = await deliver(JSON.stringify(update))
      expect(sub.body).toEqual({ subscription_id: 'sub_1SNew00000000000000001', status: 'active' })
      expect((await app.inject('GET', '/v1/subscriptions/sub_1SNew00000000000000001')).body).toMatchObject({ customer_id: 'cus_SNew0000000001' })
      expect((await app.inject('GET', '/v1/customers/cus_SNew0000000001')).body).toMatchObject({ email: 'new@example.com', name: 'New Customer', phone: '+15555550111' })
    })

    it('creates the customer of a subscription Recoup has not heard of', async () => {
      expect((await app.inject('GET', `/v1/customers/${ADA}`)).status).toBe(404)
      const res = await deliver(fixture('customer.subscription.updated'))
      expect(res.status).toBe(200)
      expect((await app.inject('GET', `/v1/customers/${ADA}`)).body).toMatchObject({ id: ADA })
      // A later payment event fills in what the subscription did not say.
      await deliver(fixture('invoice.payment_failed'))
      expect((await app.inject('GET', `/v1/customers/${ADA}`)).body).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' })
    })

    it('reads the currency of a 2020-03-02 installment subscription from its items (price, else plan)', async () => {
      const res = await deliver(fixture('customer.subscription.deleted.installments.2020-03-02'))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ event_id: 'stripe:evt_1HSubDelOld000000000001', duplicate: false, runs: [{ workflow_id: 'wf_course_winback' }] })
      expect((await app.inject('GET', '/v1/installment-plans/sub_1HOld0000000000000000001')).body).toMatchObject({
        status: 'canceled',
        customer_id: 'cus_HOld000000001',
        installments_total: 4,
        installments_paid: 3,
        installment_amount: 12500,
        currency: 'USD',
        balance_due: 12500,
      })

      // Older still: items carry only a plan.
      const planOnly = setAt(JSON.parse(fixture('customer.subscription.deleted.installments.2020-03-02')) as Json, ['data', 'object', 'items', 'data', 0, 'price'], DELETE)
      setAt(planOnly, ['id'], 'evt_1HSubDelOlder00000000001')
      setAt(planOnly, ['data', 'object', 'id'], 'sub_1HOlder000000000000000001')
      setAt(planOnly, ['data', 'object', 'items', 'data', 0, 'plan', 'currency'], 'eur')
      const older = await deliver(JSON.stringify(planOnly))
      expect(older.body).toMatchObject({ event_id: 'stripe:evt_1HSubDelOlder00000000001', runs: [{ workflow_id: 'wf_course_winback' }] })
      expect((await app.inject('GET', '/v1/installment-plans/sub_1HOlder000000000000000001')).body).toMatchObject({ currency: 'EUR', installment_amount: 12500, balance_due: 12500 })
    })

    it('answers 2xx, never 5xx, to signed fixtures with any one field nulled, retyped or removed', async () => {
      const names = [
        'invoice.payment_failed',
        'invoice.payment_failed.legacy',
        'customer.subscription.updated',
        'customer.subscription.deleted.installments',
        'customer.subscription.deleted.installments.2020-03-02',
        'subscription_schedule.canceled.installments',
        'invoice.paid',
      ]
      const failures: string[] = []
      let sent = 0
      for (const name of names) {
        const original = JSON.parse(fixture(name)) as Json
        const seen = new Set([JSON.stringify(original)])
        const variants = pathsOf(original).flatMap((path) => {
          const value = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], original)
          const replacements: (Json | typeof DELETE)[] = [null, wrongType(value), DELETE]
          return replacements.flatMap((replacement) => {
            const payload = JSON.stringify(setAt(structuredClone(original), path, replacement))
            // Nulling a null changes nothing; each distinct payload is sent once.
            if (seen.has(payload)) return []
            seen.add(payload)
            return [{ label: `${path.join('.')} → ${replacement === DELETE ? '(deleted)' : JSON.stringify(replacement)}`, payload }]
          })
        })
        // Concurrent deliveries, as Stripe makes them; ingest applies them together.
        for (let i = 0; i < variants.length; i += 25) {
          await Promise.all(
            variants.slice(i, i + 25).map(async (v) => {
              const res = await hooks.inject({
                method: 'POST',
                url: '/v1/webhooks/stripe',
                headers: { 'content-type': 'application/json', 'stripe-signature': signature(v.payload) },
                payload: v.payload,
              })
              sent++
              if (res.statusCode < 200 || res.statusCode > 299) failures.push(`${name}: ${v.label}: ${res.statusCode} ${res.body.slice(0, 200)}`)
            }),
          )
        }
      }
      expect(failures).toEqual([])
      expect(sent).toBeGreaterThan(1000)
    })

    it('leaves JSON parsing of other routes alone', async () => {
      const res = await hooks.inject({ method: 'POST', url: '/echo', payload: { a: 1 } })
      expect(JSON.parse(res.body)).toEqual({ parsed: { a: 1 } })
    })
  })
}
