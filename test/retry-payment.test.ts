import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type App = Awaited<ReturnType<typeof testApp>>

/** A local stand-in for the part of Stripe's API retry_payment uses: POST /v1/invoices/:id/pay. */
function fakeStripe() {
  const calls: { invoice: string; key: string | undefined; auth: string | undefined }[] = []
  const outcomes: ('paid' | 'insufficient_funds' | 'stolen_card')[] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const invoice = /^\/v1\/invoices\/([^/]+)\/pay$/.exec(req.url ?? '')?.[1] ?? ''
      calls.push({ invoice, key: req.headers['idempotency-key'] as string | undefined, auth: req.headers.authorization })
      const outcome = outcomes.shift() ?? 'paid'
      if (outcome === 'paid') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: invoice, object: 'invoice', status: 'paid', amount_paid: 4900, currency: 'usd' }))
        return
      }
      res.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({
        error: { type: 'card_error', code: 'card_declined', decline_code: outcome, message: 'Your card was declined.' },
      }))
    })
  })
  return {
    calls, outcomes,
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const recovery = (schedule?: string[]) => ({
  id: 'wf_retry', name: 'Retry', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
  steps: [
    { id: 'retry', type: 'retry_payment', ...(schedule ? { schedule } : {}) },
    { id: 'ask-new-card', type: 'send_email', subject: 'Please update your card', body: '{{ links.update_payment }}' },
  ],
})

async function runOf(app: App, id: string) {
  return (await app.inject('GET', `/v1/runs/${id}`)).body
}

for (const dialect of DIALECTS) {
  describe(`retry_payment on ${dialect.name}`, () => {
    const stripe = fakeStripe()
    let base = ''
    let app: App | undefined
    beforeAll(async () => {
      base = await stripe.start()
    })
    afterAll(async () => stripe.stop())
    afterEach(async () => {
      await app?.close()
      app = undefined
      stripe.calls.length = 0
      stripe.outcomes.length = 0
    })

    async function setup(clock: TestClock, env: Record<string, string> = { RECOUP_STRIPE_SECRET_KEY: 'sk_test_recoup', RECOUP_STRIPE_API_BASE: base }) {
      app = await testApp(dialect, { clock, env })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      return app
    }

    it('skips hard declines and goes straight to asking for a new card', async () => {
      const a = await setup(new TestClock())
      await a.inject('POST', '/v1/workflows', recovery())
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_h', { code: 'stolen_card' }))).body.runs[0].id
      const run = await eventually(async () => {
        const r = await runOf(a, id)
        return r.status === 'completed' && r
      })
      expect(run.steps[0]).toMatchObject({ id: 'retry', status: 'skipped' })
      expect(run.steps[0].output.reason).toContain('hard decline (stolen_card)')
      expect(run.steps[1].status).toBe('completed')
      expect(stripe.calls).toEqual([])
    })

    it('retries soft declines on the schedule and ends the run as recovered', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', recovery(['PT1H', 'PT2H']))
      stripe.outcomes.push('insufficient_funds', 'paid')
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_s', { code: 'insufficient_funds' }))).body.runs[0].id
      const first = await eventually(async () => {
        const r = await runOf(a, id)
        return r.status === 'waiting' && r
      })
      expect(first.waiting_reason).toContain('first payment retry')
      expect(stripe.calls).toEqual([])

      clock.advance(3_600_000 + 1000)
      a.scheduler!.wake()
      await eventually(async () => stripe.calls.length === 1 && (await runOf(a, id)).waiting_reason?.includes('retry 2 of 2'))
      // The schedule says 2 hours; the card's 24-hour spacing between Recoup's attempts wins.
      expect(Date.parse((await runOf(a, id)).waiting_until) - clock.now()).toBeGreaterThan(23 * 3_600_000)
      clock.advance(2 * 3_600_000 + 1000)
      a.scheduler!.wake()
      await new Promise((r) => setTimeout(r, 200))
      expect(stripe.calls).toHaveLength(1)
      clock.advance(22 * 3_600_000)
      a.scheduler!.wake()
      const done = await eventually(async () => {
        const r = await runOf(a, id)
        return r.status === 'exited' && r
      })
      expect(done.error).toContain('goal met: payment.succeeded')
      expect(done.steps[0]).toMatchObject({ status: 'completed', output: expect.objectContaining({ outcome: 'succeeded', attempts: 2 }) })
      expect(done.steps[1].status).not.toBe('completed')
      expect(stripe.calls.map((c) => c.invoice)).toEqual(['in_evt_s', 'in_evt_s'])
      expect(stripe.calls.map((c) => c.key)).toEqual([`${id}:retry`, `${id}:retry:2`])
      expect(stripe.calls[0].auth).toBe('Bearer sk_test_recoup')
      expect((await a.inject('GET', '/v1/subscriptions/sub_ada')).body.status).toBe('active')
      const payments = (await a.inject('GET', '/v1/payments?customer_id=cus_ada')).body.data
      expect(payments.map((p: { status: string }) => p.status).sort()).toEqual(['failed', 'failed', 'succeeded'])
    })

    it('retries at once when the customer updates their card', async () => {
      const a = await setup(new TestClock())
      await a.inject('POST', '/v1/workflows', recovery(['P7D']))
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_c', { code: 'card_declined' }))).body.runs[0].id
      await eventually(async () => (await runOf(a, id)).status === 'waiting')
      await a.inject('POST', '/v1/events', { id: 'evt_card', type: 'payment_method.updated', customer: { id: 'cus_ada' }, subscription_id: 'sub_ada' })
      const done = await eventually(async () => {
        const r = await runOf(a, id)
        return r.status === 'exited' && r
      })
      // The engine made the attempt (outside the 7-day schedule), keyed per run and card change.
      expect(stripe.calls).toHaveLength(1)
      expect(stripe.calls[0]!.key).toBe(`${id}:card:evt_card`)
      expect(done.error).toContain('goal met: payment.succeeded')
    })

    it('without Stripe, asks the billing team and waits for the payment event', async () => {
      const clock = new TestClock()
      const a = await setup(clock, {})
      await a.inject('POST', '/v1/workflows', recovery(['PT1H', 'PT1H']))
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_m'))).body.runs[0].id
      await eventually(async () => (await runOf(a, id)).status === 'waiting')
      clock.advance(3_600_000 + 1000)
      a.scheduler!.wake()
      const team = await eventually(async () => (await a.inject('GET', `/v1/messages?run_id=${id}&channel=team`)).body.data[0])
      expect(team.body).toContain('Please retry invoice in_evt_m')
      await a.inject('POST', '/v1/events', { id: 'evt_paid', type: 'payment.succeeded', customer: { id: 'cus_ada' }, product_ids: ['prod_pro'], payment: { id: 'pay_x', amount: 4900, currency: 'USD', subscription_id: 'sub_ada', invoice_id: 'in_evt_m' } })
      expect((await runOf(a, id)).status).toBe('exited')
    })
  })
}
