// The update_subscription step: a recovery that did not work ends the way the business chose
// (cancel, pause collection, mark the invoice uncollectible), through Stripe's API (the stand-in,
// driven by the official SDK) under the step's idempotency key, or as a request to the billing
// team without Stripe. Save-time checks and the preview too.
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStripeRetryProvider } from '../src/providers/stripe/payments.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { eventually } from './helpers/server.js'
import { STANDIN_SECRET_KEY, startStripeStandIn, type StripeStandIn } from './helpers/stripe-standin.js'

type App = Awaited<ReturnType<typeof testApp>>

const ADA = 'cus_SAda0000000001'
const SUB = 'sub_1SAda00000000000000001'
const INVOICE = 'in_1SAda00000000000000001'
const CARD = 'pm_1SAdaVisa000000000001'
const PRICE = 'price_1SPro0000000000000001'

function seed(standin: StripeStandIn): void {
  const s = standin.state
  s.addCustomer({ id: ADA, email: 'ada@example.com', name: 'Ada Lovelace', default_payment_method: CARD })
  s.addPaymentMethod({ id: CARD, customer: ADA, behaviour: { decline_code: 'insufficient_funds' } })
  s.addPrice({ id: PRICE, product: 'prod_pro', currency: 'usd', unit_amount: 4900 })
  s.addSubscription({ id: SUB, customer: ADA, status: 'past_due', items: [{ price: PRICE, product: 'prod_pro', currency: 'usd' }] })
  s.addInvoice({ id: INVOICE, customer: ADA, subscription: SUB, amount_due: 4900, currency: 'usd', attempt_count: 1 })
}

const failed = (id: string) => ({
  id, type: 'payment.failed', occurred_at: '2026-11-21T10:00:00Z',
  customer: { id: ADA, email: 'ada@example.com', name: 'Ada Lovelace' },
  product_ids: ['prod_pro'],
  payment: { id: `pay_${id}`, amount: 4900, currency: 'USD', subscription_id: SUB, invoice_id: INVOICE, failure_code: 'insufficient_funds', attempt: 4 },
})

const ending = (action: string, extra: Record<string, unknown> = {}) => ({
  id: `wf_end_${action}`, name: `End: ${action}`, status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
  steps: [{ id: 'end', type: 'update_subscription', action, ...extra }],
})

/**
 * Forwards to the stand-in; `dropResponse(method, path)` makes the next such request reach Stripe
 * and then cuts the connection before the answer, as a network failure after the write would.
 */
async function startFlakyProxy(target: string): Promise<{ url: string; dropResponse(method: string, path: string): void; close(): Promise<void> }> {
  let drop: string | undefined
  const server: Server = createServer((req, res) => {
    const upstream = new URL(req.url ?? '/', target)
    const key = `${req.method} ${upstream.pathname}`
    const out = httpRequest(upstream, { method: req.method, headers: req.headers }, (answer) => {
      if (drop === key) {
        drop = undefined
        answer.resume()
        answer.on('end', () => res.socket?.destroy())
        return
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    req.pipe(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropResponse: (method, path) => void (drop = `${method} ${path}`),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

for (const dialect of DIALECTS) {
  describe(`update_subscription on ${dialect.name}`, () => {
    let standin: StripeStandIn
    let app: App | undefined
    beforeEach(async () => {
      standin = await startStripeStandIn({ apiKey: STANDIN_SECRET_KEY })
      seed(standin)
    })
    afterEach(async () => {
      await app?.close()
      app = undefined
      await standin.close()
    })

    async function setup(env: Record<string, string> = { RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY, RECOUP_STRIPE_API_BASE: standin.url }) {
      app = await testApp(dialect, { env })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      return app
    }
    async function finished(a: App, eventId: string) {
      const id = (await a.inject('POST', '/v1/events', failed(eventId))).body.runs[0].id as string
      const run = await eventually(async () => {
        const r = (await a.inject('GET', `/v1/runs/${id}`)).body
        return ['completed', 'failed'].includes(r.status) && r
      })
      return { id, run }
    }

    it('cancels the subscription in Stripe under the step key, and a replay changes nothing', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', ending('cancel'))
      const { id, run } = await finished(a, 'evt_cancel')
      expect(run.status).toBe('completed')
      expect(run.steps[0].output).toMatchObject({ action: 'cancel', status: 'canceled', subscription_id: SUB, done: `cancel subscription ${SUB} now` })
      expect(standin.state.subscription(SUB)?.status).toBe('canceled')
      const cancels = standin.requests.filter((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${SUB}`)
      expect(cancels.map((r) => r.idempotencyKey)).toEqual([`${id}:end`])
      expect(standin.writesWithoutCallerKey()).toEqual([])
      // The step again with its key (a crash before its result was stored): nothing more is ended.
      const provider = createStripeRetryProvider({ secretKey: STANDIN_SECRET_KEY, apiBase: standin.url })
      expect(await provider.endSubscription!({ subscriptionId: SUB, invoiceId: INVOICE, action: 'cancel', idempotencyKey: `${id}:end` })).toEqual({ status: 'already_canceled' })
      expect(standin.calls('DELETE', `/v1/subscriptions/${SUB}`)).toBe(1)
      expect(standin.state.events.filter((e) => e.type === 'customer.subscription.deleted')).toHaveLength(1)
    })

    it('pauses collection, marking new invoices uncollectible', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', ending('pause_collection'))
      const { id, run } = await finished(a, 'evt_pause')
      expect(run.steps[0].output).toMatchObject({ action: 'pause_collection', status: 'paused' })
      expect(standin.state.subscription(SUB)?.pauseCollection).toMatchObject({ behavior: 'mark_uncollectible' })
      const update = standin.requests.find((r) => r.method === 'POST' && r.path === `/v1/subscriptions/${SUB}`)
      expect(update).toMatchObject({ params: { pause_collection: { behavior: 'mark_uncollectible' } }, idempotencyKey: `${id}:end` })
      expect(standin.writesWithoutCallerKey()).toEqual([])
      // The same write again under the step's key is Stripe's replay, not a second change.
      await standin.stripe.subscriptions.update(SUB, { pause_collection: { behavior: 'mark_uncollectible' } }, { idempotencyKey: `${id}:end` })
      expect(standin.requests.at(-1)?.replayed).toBe(true)
    })

    it('marks the failed invoice uncollectible', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', ending('mark_uncollectible'))
      const { id, run } = await finished(a, 'evt_uncollectible')
      expect(run.steps[0].output).toMatchObject({ action: 'mark_uncollectible', status: 'uncollectible', invoice_id: INVOICE })
      expect(standin.state.invoice(INVOICE)?.status).toBe('uncollectible')
      expect(standin.requests.find((r) => r.path === `/v1/invoices/${INVOICE}/mark_uncollectible`)?.idempotencyKey).toBe(`${id}:end`)
      expect(standin.state.subscription(SUB)?.status).toBe('past_due')
      expect(standin.writesWithoutCallerKey()).toEqual([])
      await standin.stripe.invoices.markUncollectible(INVOICE, {}, { idempotencyKey: `${id}:end` })
      expect(standin.requests.at(-1)?.replayed).toBe(true)
      expect(standin.state.events.filter((e) => e.type === 'invoice.marked_uncollectible')).toHaveLength(1)
    })

    it('counts an ending already done as done', async () => {
      await standin.stripe.subscriptions.cancel(SUB, {}, { idempotencyKey: 'canceled-in-the-dashboard' })
      await standin.stripe.invoices.markUncollectible(INVOICE, {}, { idempotencyKey: 'marked-in-the-dashboard' })
      const a = await setup()
      await a.inject('POST', '/v1/workflows', ending('cancel'))
      const canceled = await finished(a, 'evt_again')
      expect(canceled.run.steps[0]).toMatchObject({ status: 'completed', output: { status: 'already_canceled', done: 'nothing to do: already canceled' } })
      await a.inject('PUT', '/v1/workflows/wf_end_cancel', { ...ending('mark_uncollectible'), id: undefined, status: 'paused' })
      await a.inject('POST', '/v1/workflows', ending('mark_uncollectible'))
      const marked = await finished(a, 'evt_again_2')
      expect(marked.run.steps[0]).toMatchObject({ status: 'completed', output: { status: 'already_uncollectible' } })
      expect(standin.calls('DELETE', `/v1/subscriptions/${SUB}`)).toBe(1)
      expect(standin.calls('POST', `/v1/invoices/${INVOICE}/mark_uncollectible`)).toBe(1)
    })

    it('repeats a step whose answer was lost without ending anything twice', async () => {
      const proxy = await startFlakyProxy(standin.url)
      try {
        const a = await setup({ RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY, RECOUP_STRIPE_API_BASE: proxy.url })
        proxy.dropResponse('DELETE', `/v1/subscriptions/${SUB}`)
        await a.inject('POST', '/v1/workflows', ending('cancel'))
        const { run } = await finished(a, 'evt_lost')
        expect(run.error ?? null).toBeNull()
        expect(run.status).toBe('completed')
        expect(run.steps[0].output.status).toBe('canceled')
        expect(standin.state.events.filter((e) => e.type === 'customer.subscription.deleted')).toHaveLength(1)
      } finally {
        await proxy.close()
      }
    })

    it('fails the run, saying why, when the payment names no subscription', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', ending('cancel'))
      const event = failed('evt_nosub')
      const id = (await a.inject('POST', '/v1/events', { ...event, payment: { ...event.payment, subscription_id: undefined } })).body.runs[0].id
      const run = await eventually(async () => {
        const r = (await a.inject('GET', `/v1/runs/${id}`)).body
        return r.status === 'failed' && r
      })
      expect(run.error).toContain('update_subscription cancel needs a subscription')
      expect(standin.calls('DELETE', `/v1/subscriptions/${SUB}`)).toBe(0)
    })

    it('without Stripe, asks the billing team through the outbox', async () => {
      const a = await setup({})
      await a.inject('POST', '/v1/workflows', ending('cancel', { notify: 'billing@example.com' }))
      const { id, run } = await finished(a, 'evt_manual')
      expect(run.steps[0].output).toMatchObject({ action: 'cancel', status: 'requested', requested_from: 'billing@example.com' })
      const team = (await a.inject('GET', `/v1/messages?run_id=${id}&channel=team`)).body.data
      expect(team).toHaveLength(1)
      expect(team[0]).toMatchObject({ to: 'billing@example.com', status: 'outbox' })
      expect(team[0].body).toContain(`Please cancel subscription ${SUB} now`)
      expect(standin.requests).toEqual([])
    })

    it('is checked on save and previewed without side effects', async () => {
      const a = await setup()
      const bad = await a.inject('POST', '/v1/workflows', ending('delete'))
      expect(bad.status).toBe(422)
      expect(bad.body.errors).toEqual([{ path: 'steps[0].action', message: 'must be one of cancel, pause_collection, mark_uncollectible' }])
      const plan = await a.inject('POST', '/v1/workflows', {
        ...ending('cancel'), id: 'wf_plan', trigger: { type: 'installment_plan.canceled', products: ['prod_pro'] },
      })
      expect(plan.status).toBe(422)
      expect(plan.body.errors).toEqual([{ path: 'steps[0].action', message: "update_subscription ends a failed payment's subscription: use it in a payment.failed workflow" }])
      const extra = await a.inject('POST', '/v1/workflows', ending('cancel', { when: 'now' }))
      expect(extra.status).toBe(422)
      expect(JSON.stringify(extra.body.errors)).toContain('when')

      await a.inject('POST', '/v1/workflows', { ...ending('mark_uncollectible'), status: 'draft' })
      const preview = await a.inject('POST', '/v1/workflows/wf_end_mark_uncollectible/test', { event: failed('evt_preview') })
      expect(preview.status).toBe(200)
      expect(preview.body.steps[0]).toMatchObject({ id: 'end', type: 'update_subscription', action: 'mark_uncollectible' })
      expect(preview.body.steps[0].would).toContain(`mark invoice ${INVOICE} uncollectible`)
      expect(standin.requests).toEqual([])
    })
  })
}
