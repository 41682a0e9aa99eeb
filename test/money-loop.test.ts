// The money loop through the generic event API, on every dialect: decline reasons that arrive
// apart from their failure, the processor's own retries respected, cancellations obeyed, and a new
// card or "retry now" attempted whatever step the run is in. A local server stands in for the
// one Stripe call made here (POST /v1/invoices/:id/pay) and counts it.
import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type App = Awaited<ReturnType<typeof testApp>>

function invoicePayer() {
  const calls: { invoice: string; key: string | undefined; body: string }[] = []
  const outcomes: ('paid' | 'insufficient_funds')[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      // Setting a new card first reads the invoice and sets the customer's default (answered here, not counted).
      const read = /^\/v1\/invoices\/([^/?]+)(\?|$)/.exec(req.url ?? '')?.[1]
      if (req.method === 'GET' && read) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: read, object: 'invoice', status: 'open', customer: 'cus_ada', subscription: null }))
        return
      }
      if (req.url?.startsWith('/v1/customers/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'cus_ada', object: 'customer', invoice_settings: { default_payment_method: null } }))
        return
      }
      const invoice = /^\/v1\/invoices\/([^/]+)\/pay$/.exec(req.url ?? '')?.[1] ?? ''
      calls.push({ invoice, key: req.headers['idempotency-key'] as string | undefined, body })
      if ((outcomes.shift() ?? 'paid') === 'paid') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: invoice, object: 'invoice', status: 'paid' }))
        return
      }
      res.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } }))
    })
  })
  return {
    calls, outcomes,
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const workflow = (steps: object[], id = 'wf_loop') => ({
  id, name: 'Loop', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] }, exit_on: ['payment.succeeded'], steps,
})

/** A payment.failed whose reason is still on its way (as Stripe's invoice.payment_failed). */
function pendingFailure(id: string, o: { invoice?: string; next?: string } = {}) {
  const e = paymentFailed(id, { invoice: o.invoice ?? `in_${id}` })
  const { failure_code: _c, failure_message: _m, ...payment } = e.payment
  return { ...e, payment: { ...payment, reason_pending: true, ...(o.next ? { next_attempt_at: o.next } : {}) } }
}

function reason(id: string, invoice: string, decline: Record<string, string>) {
  return { id, type: 'payment.decline_reason', customer: { id: 'cus_ada' }, product_ids: ['prod_pro'], decline: { invoice_id: invoice, amount: 4900, currency: 'USD', failure_code: 'card_declined', ...decline } }
}

for (const dialect of DIALECTS) {
  describe(`money loop on ${dialect.name}`, () => {
    const payer = invoicePayer()
    let base = ''
    let app: App | undefined
    beforeAll(async () => {
      base = await payer.start()
    })
    afterAll(async () => payer.stop())
    afterEach(async () => {
      await app?.close()
      app = undefined
      payer.calls.length = 0
      payer.outcomes.length = 0
    })

    async function setup(clock: TestClock, env: Record<string, string> = { RECOUP_STRIPE_SECRET_KEY: 'sk_test_recoup', RECOUP_STRIPE_API_BASE: base }) {
      app = await testApp(dialect, { clock, env })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      return app
    }
    const run = async (a: App, id: string) => (await a.inject('GET', `/v1/runs/${id}`)).body
    const payment = async (a: App, eventId: string) => a.store.db.selectFrom('payments').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow()

    for (const order of ['reason last', 'reason first'] as const) {
      it(`a failure waits for its reason and uses it (${order})`, async () => {
        const a = await setup(new TestClock())
        await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup' }, { id: 'ask', type: 'send_email', subject: 'New card please', body: '{{ payment.decline_code }}' }]))
        const why = reason('evt_reason', 'in_evt_f', { decline_code: 'stolen_card', network_decline_code: '43', card_brand: 'visa', payment_method_id: 'pm_old' })
        if (order === 'reason first') expect((await a.inject('POST', '/v1/events', why)).status).toBe(202)
        const started = await a.inject('POST', '/v1/events', pendingFailure('evt_f'))
        const id = started.body.runs[0].id as string
        if (order === 'reason last') {
          const gate = await run(a, id)
          expect(gate).toMatchObject({ status: 'waiting', waiting_reason: 'waiting for the decline reason' })
          expect(gate.steps.every((s: { status: string }) => s.status === 'pending')).toBe(true)
          expect((await payment(a, 'evt_f')).reason_status).toBe('pending')
          expect((await a.inject('POST', '/v1/events', why)).status).toBe(202)
        }
        const done = await eventually(async () => {
          const r = await run(a, id)
          return r.status === 'completed' && r
        })
        // Stolen (Visa 43, category 1): never retried; the message knows the true reason.
        expect(done.steps[0]).toMatchObject({ id: 'retry', status: 'skipped' })
        expect(done.steps[0].output.reason).toContain('the issuer will never approve this card (Visa response 43, category 1)')
        expect(payer.calls).toHaveLength(0)
        expect(await payment(a, 'evt_f')).toMatchObject({ reason_status: 'known', decline_code: 'stolen_card', network_decline_code: '43', card_brand: 'visa', payment_method_id: 'pm_old' })
        const email = (await a.inject('GET', `/v1/messages?run_id=${id}`)).body.data[0]
        expect(email.body).toContain('stolen_card')
        expect(await a.store.db.selectFrom('decline_reasons').selectAll().execute()).toEqual([])
      })
    }

    it('the issuer saying "do not try again" stops Recoup retrying', async () => {
      const a = await setup(new TestClock())
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup' }]))
      const e = paymentFailed('evt_dnt', { code: 'card_declined' })
      const id = (await a.inject('POST', '/v1/events', { ...e, payment: { ...e.payment, decline_code: 'do_not_honor', advice_code: 'do_not_try_again', network_advice_code: '03', card_brand: 'mastercard' } })).body.runs[0].id
      const done = await eventually(async () => {
        const r = await run(a, id)
        return r.status === 'completed' && r
      })
      expect(done.steps[0].output.reason).toContain('do not try again')
      expect(payer.calls).toHaveLength(0)
    })

    const withCard = (id: string, o: { invoice?: string; code?: string } & Record<string, string> = {}) => {
      const e = paymentFailed(id, { invoice: o.invoice ?? `in_${id}`, code: o.code ?? 'card_declined' })
      const { invoice: _i, code: _c, ...extra } = o
      return { ...e, payment: { ...e.payment, payment_method_id: 'pm_card1', card_brand: 'mastercard', ...extra } }
    }

    it('no attempt earlier than a Mastercard MAC 24–30 allows, whatever the schedule', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }]))
      const id = (await a.inject('POST', '/v1/events', withCard('evt_mac', { decline_code: 'insufficient_funds', network_advice_code: '27' }))).body.runs[0].id
      const waiting = await eventually(async () => {
        const r = await run(a, id)
        return r.status === 'waiting' && r
      })
      expect(waiting.waiting_reason).toContain('Mastercard MAC 27')
      expect(Date.parse(waiting.waiting_until) - clock.now()).toBeGreaterThanOrEqual(4 * 86_400_000 - 1000)
      clock.advance(2 * 86_400_000)
      a.scheduler!.wake()
      await new Promise((r) => setTimeout(r, 200))
      expect(payer.calls).toHaveLength(0)
    })

    it('the per-card budget holds across runs, invoices and sources; a new card starts afresh', async () => {
      const clock = new TestClock()
      const a = await setup(clock, { RECOUP_STRIPE_SECRET_KEY: 'sk_test_recoup', RECOUP_STRIPE_API_BASE: base, RECOUP_RETRY_BUDGET: '3' })
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }, { id: 'ask', type: 'send_email', subject: 'New card', body: 'x' }]))
      // Two earlier failures of the same card on other invoices (the processor's own attempts).
      await a.inject('POST', '/v1/events', { ...withCard('evt_b1', { invoice: 'in_old1' }), product_ids: ['prod_other'] })
      await a.inject('POST', '/v1/events', { ...withCard('evt_b2', { invoice: 'in_old2' }), product_ids: ['prod_other'] })
      const id = (await a.inject('POST', '/v1/events', withCard('evt_b3'))).body.runs[0].id
      await eventually(async () => (await run(a, id)).status === 'waiting')
      clock.advance(3_600_000 + 1000)
      a.scheduler!.wake()
      const done = await eventually(async () => {
        const r = await run(a, id)
        return r.status === 'completed' && r
      })
      expect(done.steps[0].output).toMatchObject({ outcome: 'budget_exhausted', reason: expect.stringContaining('3 attempts in 30 days (budget 3') })
      expect(payer.calls).toHaveLength(0)
      // A new card is another card: the customer's new card is tried at once.
      const id2 = (await a.inject('POST', '/v1/events', withCard('evt_b4', { invoice: 'in_b4' }))).body.runs[0].id
      await eventually(async () => (await run(a, id2)).status === 'waiting')
      await a.inject('POST', '/v1/events', { id: 'evt_newcard', type: 'payment_method.updated', customer: { id: 'cus_ada' }, payment_method_id: 'pm_card2' })
      await eventually(async () => (await run(a, id2)).status === 'exited')
      expect(payer.calls).toHaveLength(1)
      expect(payer.calls[0]!.body).toContain('payment_method=pm_card2')
    })

    it('"retry now" on a card the issuer refused for good is not attempted, and the run says why', async () => {
      const a = await setup(new TestClock())
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'pause', type: 'wait', duration: 'P3D' }]))
      const id = (await a.inject('POST', '/v1/events', withCard('evt_never', { network_advice_code: '03' }))).body.runs[0].id
      await eventually(async () => (await run(a, id)).status === 'waiting')
      await a.inject('POST', '/v1/events', { id: 'evt_press3', type: 'payment.retry_requested', customer: { id: 'cus_ada' } })
      const note = await eventually(async () => (await a.inject('GET', '/v1/customers/cus_ada')).body.notes.find((n: { body: string }) => n.body.startsWith('Not retried')))
      expect(note.body).toContain('Mastercard MAC 03')
      expect(payer.calls).toHaveLength(0)
    })

    it('analytics say what brought each payment back, and the figures reconcile with the payments table', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'pause', type: 'wait', duration: 'PT1H' }, { id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }]))
      const fail = (id: string, customer: string, amount: number) => ({ ...paymentFailed(id, { customer, amount, subscription: `sub_${customer}`, code: 'card_declined' }), occurred_at: new Date(clock.now()).toISOString() })
      const runs: Record<string, string> = {}
      for (const [id, customer, amount] of [['f_retry', 'c1', 1000], ['f_now', 'c2', 2000], ['f_card', 'c3', 3000], ['f_out', 'c4', 4000], ['f_stripe', 'c5', 5000]] as const) {
        runs[id] = (await a.inject('POST', '/v1/events', fail(id, customer, amount))).body.runs[0].id
      }
      for (const id of Object.values(runs)) await eventually(async () => (await run(a, id)).status === 'waiting')
      // The customer presses "retry now"; another gives a new card; a third pays elsewhere; Stripe's own retry pays a fourth.
      await a.inject('POST', '/v1/events', { id: 'e_now', type: 'payment.retry_requested', customer: { id: 'c2' } })
      await a.inject('POST', '/v1/events', { id: 'e_card', type: 'payment_method.updated', customer: { id: 'c3' } })
      const paid = (id: string, customer: string, amount: number, metadata?: object) => ({ id, type: 'payment.succeeded', customer: { id: customer }, product_ids: ['prod_pro'], payment: { id: `p_${id}`, amount, currency: 'USD', subscription_id: `sub_${customer}`, invoice_id: `in_f_${id.slice(2)}` }, ...(metadata ? { metadata } : {}) })
      await a.inject('POST', '/v1/events', paid('e_out', 'c4', 4000))
      await a.inject('POST', '/v1/events', paid('e_stripe', 'c5', 5000, { source: 'stripe' }))
      await eventually(async () => (await run(a, runs.f_card!)).status === 'exited' && (await run(a, runs.f_now!)).status === 'exited')
      // The one left to Recoup's own schedule: paid by its first retry.
      clock.advance(2 * 3_600_000 + 2000)
      a.scheduler!.wake()
      await eventually(async () => (await run(a, runs.f_retry!)).status === 'waiting' && (await run(a, runs.f_retry!)).steps[1].status === 'running')
      clock.advance(3_600_000 + 2000)
      a.scheduler!.wake()
      await eventually(async () => (await run(a, runs.f_retry!)).status === 'exited')
      const from = new Date(clock.now() - 86_400_000).toISOString()
      const to = new Date(clock.now() + 86_400_000).toISOString()
      const r = (await a.inject('GET', `/v1/analytics/recovery?from=${from}&to=${to}`)).body
      const by = Object.fromEntries(r.by_source.map((x: { source: string }) => [x.source, x]))
      expect(by.recoup_retry).toMatchObject({ recovered: 1, recovered_amount: 1000, by_attempt: { 1: 1 } })
      expect(by.customer_retry).toMatchObject({ recovered: 1, recovered_amount: 2000 })
      expect(by.card_update).toMatchObject({ recovered: 1, recovered_amount: 3000 })
      expect(by.external).toMatchObject({ recovered: 1, recovered_amount: 4000 })
      expect(by.processor).toMatchObject({ recovered: 1, recovered_amount: 5000 })
      expect(r.recovered_amount).toBe(15000)
      expect(r.by_source.reduce((sum: number, x: { recovered_amount: number }) => sum + x.recovered_amount, 0)).toBe(r.recovered_amount)
      expect(r.retries_spent).toBe(3)
      // Reconciles: every recovered failure has a success row in the payments table for its invoice.
      const rows = await a.store.db.selectFrom('payments').selectAll().where('status', '=', 'succeeded').execute()
      expect(new Set(rows.map((p) => p.invoice_id))).toEqual(new Set(['in_f_retry', 'in_f_now', 'in_f_card', 'in_f_out', 'in_f_stripe']))
    })

    it('an unknown card brand or advice code is a 422 naming the field', async () => {
      const a = await setup(new TestClock())
      const e = paymentFailed('evt_bad')
      const res = await a.inject('POST', '/v1/events', { ...e, payment: { ...e.payment, card_brand: 'visaa', advice_code: 'maybe' } })
      expect(res.status).toBe(422)
      expect(res.body.errors.map((x: { path: string }) => x.path).sort()).toEqual(['payment.advice_code', 'payment.card_brand'])
    })

    it('respects the processor\'s own retries: no charge of its own, a later failure updates the same run', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment' }, { id: 'ask', type: 'send_email', subject: 'Still due', body: 'x' }]))
      const next = new Date(clock.now() + 3 * 86_400_000).toISOString()
      const e = paymentFailed('evt_sr', { invoice: 'in_sr', code: 'card_declined' })
      const id = (await a.inject('POST', '/v1/events', { ...e, payment: { ...e.payment, next_attempt_at: next } })).body.runs[0].id
      const waiting = await eventually(async () => {
        const r = await run(a, id)
        return r.status === 'waiting' && r
      })
      expect(waiting.waiting_reason).toBe(`Stripe retries at ${next}`)
      // Stripe's retry fails again: same invoice, a later attempt announced. No second run starts.
      const later = new Date(clock.now() + 5 * 86_400_000).toISOString()
      const again = await a.inject('POST', '/v1/events', { ...paymentFailed('evt_sr2', { invoice: 'in_sr', code: 'insufficient_funds' }), payment: { ...paymentFailed('evt_sr2', { invoice: 'in_sr', code: 'insufficient_funds' }).payment, attempt: 2, next_attempt_at: later } })
      expect(again.body.runs).toEqual([])
      await eventually(async () => (await run(a, id)).waiting_reason === `Stripe retries at ${later}`)
      // Stripe's last attempt fails with no next attempt: the workflow goes on to its next step.
      await a.inject('POST', '/v1/events', { ...paymentFailed('evt_sr3', { invoice: 'in_sr' }), payment: { ...paymentFailed('evt_sr3', { invoice: 'in_sr' }).payment, attempt: 3 } })
      const done = await eventually(async () => {
        const r = await run(a, id)
        return r.status === 'completed' && r
      })
      expect(done.steps[0].output).toMatchObject({ outcome: 'processor_exhausted', owner: 'processor' })
      expect(payer.calls).toHaveLength(0)
      expect((await a.inject('GET', `/v1/runs?workflow_id=wf_loop`)).body.data).toHaveLength(1)
    })

    it('owner "recoup" retries on its own schedule even when the processor announced one', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }]))
      const e = paymentFailed('evt_own', { code: 'card_declined' })
      const id = (await a.inject('POST', '/v1/events', { ...e, payment: { ...e.payment, next_attempt_at: new Date(clock.now() + 86_400_000).toISOString() } })).body.runs[0].id
      await eventually(async () => (await run(a, id)).status === 'waiting')
      clock.advance(3_600_000 + 1000)
      a.scheduler!.wake()
      await eventually(async () => (await run(a, id)).status === 'exited')
      expect(payer.calls).toHaveLength(1)
    })

    it('"retry now" during a wait makes one attempt at once without using up the schedule', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      payer.outcomes.push('insufficient_funds')
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'pause', type: 'wait', duration: 'P3D' }, { id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['P1D'] }]))
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_now', { code: 'card_declined' }))).body.runs[0].id
      await eventually(async () => (await run(a, id)).status === 'waiting')
      await a.inject('POST', '/v1/events', { id: 'evt_press', type: 'payment.retry_requested', customer: { id: 'cus_ada' }, subscription_id: 'sub_ada' })
      await eventually(async () => payer.calls.length === 1)
      expect(payer.calls[0]!.key).toBe(`${id}:now:evt_press`)
      // Declined: the attempt is stored with its reason, the run keeps waiting where it was.
      const r = await eventually(async () => {
        const x = await run(a, id)
        return x.status === 'waiting' && x.steps[0].status === 'running' && x
      })
      expect(r.steps[1].status).toBe('pending')
      const attempt = await a.store.db.selectFrom('payments').selectAll().where('id', 'like', 'attempt:%').executeTakeFirstOrThrow()
      expect(attempt).toMatchObject({ status: 'failed', decline_code: 'insufficient_funds', source: 'customer_retry' })
      // The schedule is intact: after the wait, the retry step's own attempt still comes.
      // (First let the run settle back into its wait: its job is due at the wait's end again.)
      await eventually(async () => ((await a.jobs.dueAt(a.store.db, id)) ?? 0) > clock.now() + 86_400_000)
      clock.advance(4 * 86_400_000 + 1000)
      a.scheduler!.wake()
      await eventually(async () => (await run(a, id)).steps[1].status === 'running')
      clock.advance(86_400_000 + 1000)
      a.scheduler!.wake()
      await eventually(async () => (await run(a, id)).status === 'exited')
      expect(payer.calls).toHaveLength(2)
    })

    it('without Stripe, "retry now" asks the billing team in words about what the customer did', async () => {
      const a = await setup(new TestClock(), {})
      await a.inject('POST', '/v1/workflows', workflow([{ id: 'pause', type: 'wait', duration: 'P3D' }]))
      const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_manual'))).body.runs[0].id
      await eventually(async () => (await run(a, id)).status === 'waiting')
      await a.inject('POST', '/v1/events', { id: 'evt_press2', type: 'payment.retry_requested', customer: { id: 'cus_ada' } })
      const team = await eventually(async () => (await a.inject('GET', `/v1/messages?run_id=${id}&channel=team`)).body.data[0])
      expect(team.subject).toContain('asked for a retry')
      expect(team.body).not.toContain('payment method')
    })

    for (const [what, event] of [
      ['the subscription is canceled', { id: 'evt_end', type: 'subscription.ended', customer: { id: 'cus_ada' }, product_ids: ['prod_pro'], subscription_id: 'sub_ada', status: 'canceled' }],
      ['the invoice is voided', { id: 'evt_void', type: 'invoice.closed', customer: { id: 'cus_ada' }, product_ids: ['prod_pro'], invoice_id: 'in_evt_c', status: 'void' }],
    ] as const) {
      it(`ends the recovery as canceled when ${what}, and nothing is charged after`, async () => {
        const clock = new TestClock()
        const a = await setup(clock)
        await a.inject('POST', '/v1/workflows', workflow([{ id: 'retry', type: 'retry_payment', owner: 'recoup', schedule: ['PT1H'] }]))
        const id = (await a.inject('POST', '/v1/events', paymentFailed('evt_c', { code: 'card_declined' }))).body.runs[0].id
        await eventually(async () => (await run(a, id)).status === 'waiting')
        expect((await a.inject('POST', '/v1/events', event)).status).toBe(202)
        expect(await run(a, id)).toMatchObject({ status: 'canceled' })
        if (event.type === 'subscription.ended') expect((await a.inject('GET', '/v1/subscriptions/sub_ada')).body.status).toBe('canceled')
        clock.advance(2 * 3_600_000)
        a.scheduler!.wake()
        await new Promise((r) => setTimeout(r, 200))
        expect(payer.calls).toHaveLength(0)
        expect((await run(a, id)).status).toBe('canceled')
      })
    }
  })
}
