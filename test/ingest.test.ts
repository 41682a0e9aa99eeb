import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, paymentSucceeded, planCanceled, planWorkflow, recoveryWorkflow } from './helpers/fixtures.js'

for (const dialect of DIALECTS) {
  describe(`ingest on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>

    beforeEach(async () => {
      // No worker: these tests look at what ingest itself commits.
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      await app.inject('POST', '/v1/products', { id: 'prod_basic', name: 'Basic' })
      await app.inject('POST', '/v1/products', { id: 'prod_course', name: 'Course' })
      expect((await app.inject('POST', '/v1/workflows', recoveryWorkflow())).status).toBe(201)
      expect((await app.inject('POST', '/v1/workflows', planWorkflow())).status).toBe(201)
    })
    afterEach(async () => app.close())

    it('starts a run for a selected product and none for another', async () => {
      const hit = await app.inject('POST', '/v1/events', paymentFailed('evt_1'))
      expect(hit.status).toBe(202)
      expect(hit.body).toMatchObject({ event_id: 'evt_1', duplicate: false, runs: [{ workflow_id: 'wf_pro_recovery' }] })
      const miss = await app.inject('POST', '/v1/events', paymentFailed('evt_2', { product: 'prod_basic', customer: 'cus_b', subscription: 'sub_b' }))
      expect(miss.status).toBe(202)
      expect(miss.body.runs).toEqual([])
    })

    it('honours trigger conditions', async () => {
      const small = await app.inject('POST', '/v1/events', paymentFailed('evt_small', { amount: 999 }))
      expect(small.body.runs).toEqual([])
      const big = await app.inject('POST', '/v1/events', paymentFailed('evt_big', { amount: 1000, customer: 'cus_x', subscription: 'sub_x' }))
      expect(big.body.runs).toHaveLength(1)
    })

    it('treats the same event id twice as one event with the same runs', async () => {
      const first = await app.inject('POST', '/v1/events', paymentFailed('evt_dup'))
      const second = await app.inject('POST', '/v1/events', paymentFailed('evt_dup'))
      expect(second.status).toBe(200)
      expect(second.body).toEqual({ event_id: 'evt_dup', duplicate: true, runs: first.body.runs })
      const payments = await app.inject('GET', '/v1/payments?customer_id=cus_ada')
      expect(payments.body.data).toHaveLength(1)
      const runs = await app.inject('GET', '/v1/runs?customer_id=cus_ada')
      expect(runs.body.data).toHaveLength(1)
    })

    it('dedupes concurrent deliveries of one event id', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject('POST', '/v1/events', paymentFailed('evt_race'))))
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1)
      expect(answers.filter((a) => a.status === 200)).toHaveLength(19)
      const runIds = new Set(answers.flatMap((a) => a.body.runs.map((r: { id: string }) => r.id)))
      expect(runIds.size).toBe(1)
    })

    it('keeps the records in line with events', async () => {
      await app.inject('POST', '/v1/events', paymentFailed('evt_f'))
      expect((await app.inject('GET', '/v1/subscriptions/sub_ada')).body).toMatchObject({ status: 'past_due', amount: 4900, currency: 'USD', customer_id: 'cus_ada' })
      const customer = await app.inject('GET', '/v1/customers/cus_ada')
      expect(customer.body).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' })
      await app.inject('POST', '/v1/events', paymentSucceeded('evt_s'))
      expect((await app.inject('GET', '/v1/subscriptions/sub_ada')).body.status).toBe('active')
      const payments = await app.inject('GET', '/v1/payments?customer_id=cus_ada')
      expect(payments.body.data.map((p: { status: string }) => p.status).sort()).toEqual(['failed', 'succeeded'])

      const plan = await app.inject('POST', '/v1/events', planCanceled('evt_p'))
      expect(plan.body.runs).toMatchObject([{ workflow_id: 'wf_course_winback' }])
      expect((await app.inject('GET', '/v1/installment-plans/plan_grace')).body).toMatchObject({ status: 'canceled', balance_due: 40000, installments_paid: 2 })
      expect((await app.inject('GET', '/v1/installment-plans?customer_id=cus_grace')).body.data.map((p: { id: string }) => p.id)).toEqual(['plan_grace'])
      expect((await app.inject('GET', '/v1/subscriptions?customer_id=cus_ada')).body.data).toMatchObject([{ id: 'sub_ada', status: 'active', product_ids: ['prod_pro'] }])
      expect((await app.inject('GET', '/v1/subscriptions?customer_id=nobody')).body.data).toEqual([])
    })

    it('ends a running recovery when the customer pays (exit_on)', async () => {
      const failed = await app.inject('POST', '/v1/events', paymentFailed('evt_a'))
      const runId = failed.body.runs[0].id
      const other = await app.inject('POST', '/v1/events', paymentFailed('evt_other', { customer: 'cus_other', subscription: 'sub_other' }))
      const paid = await app.inject('POST', '/v1/events', paymentSucceeded('evt_paid'))
      expect(paid.body.exited_runs).toEqual([runId])
      const run = await app.inject('GET', `/v1/runs/${runId}`)
      expect(run.body.status).toBe('exited')
      expect(run.body.error).toContain('payment.succeeded')
      // Another customer's run is untouched.
      expect((await app.inject('GET', `/v1/runs/${other.body.runs[0].id}`)).body.status).toBe('running')
    })

    it('does not match paused or draft workflows', async () => {
      await app.inject('PATCH', '/v1/workflows/wf_pro_recovery', { status: 'paused' })
      const res = await app.inject('POST', '/v1/events', paymentFailed('evt_paused'))
      expect(res.body.runs).toEqual([])
    })

    it('matches any product with "*"', async () => {
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_any', products: ['*'] }))
      const res = await app.inject('POST', '/v1/events', paymentFailed('evt_any', { product: 'prod_basic' }))
      expect(res.body.runs.map((r: { workflow_id: string }) => r.workflow_id)).toEqual(['wf_any'])
    })

    it('judges each event of a batch on its own', async () => {
      const res = await app.inject('POST', '/v1/events', {
        events: [paymentFailed('evt_b1'), { ...paymentFailed('evt_b2'), payment: { amount: 'lots' } }, paymentFailed('evt_b1'), planCanceled('evt_b3')],
      })
      expect(res.status).toBe(202)
      expect(res.body.accepted).toBe(3)
      expect(res.body.rejected).toBe(1)
      const [a, b, c, d] = res.body.results
      expect(a).toMatchObject({ index: 0, status: 202, event_id: 'evt_b1', duplicate: false })
      expect(b).toMatchObject({ index: 1, status: 422, event_id: 'evt_b2' })
      expect(b.errors.map((e: { path: string }) => e.path)).toContain('events[1].payment.id')
      expect(c).toMatchObject({ index: 2, status: 200, duplicate: true, runs: a.runs })
      expect(d).toMatchObject({ index: 3, status: 202 })
      expect((await app.inject('GET', '/v1/events/evt_b2')).status).toBe(404)
    })

    it('applies a batch in order: a payment later in the batch ends the run an earlier failure started', async () => {
      const o = { customer: 'cus_o', subscription: 'sub_o' }
      const res = await app.inject('POST', '/v1/events', { events: [paymentFailed('evt_o1', o), paymentSucceeded('evt_o2', o), paymentFailed('evt_o1', o)] })
      const [failed, paid, again] = res.body.results
      expect(failed.runs).toHaveLength(1)
      expect(paid.exited_runs).toEqual([failed.runs[0].id])
      expect(again).toMatchObject({ status: 200, duplicate: true, runs: failed.runs })
      const run = (await app.inject('GET', `/v1/runs/${failed.runs[0].id}`)).body
      expect(run.status).toBe('exited')
      expect((await app.inject('GET', '/v1/subscriptions/sub_o')).body.status).toBe('active')
      expect(await app.jobs.dueAt(app.store.db, run.id)).toBeNull()
    })

    it('parks a run whose first step is a wait right away, with its due time', async () => {
      await app.inject('POST', '/v1/workflows', { id: 'wf_wait_first', name: 'Later', status: 'active', trigger: { type: 'payment.failed', products: ['prod_basic'] }, steps: [{ id: 'pause', type: 'wait', duration: 'PT1H' }, { id: 'tag', type: 'update_customer', add_tags: ['later'] }] })
      const before = Date.now()
      const res = await app.inject('POST', '/v1/events', paymentFailed('evt_wf', { product: 'prod_basic', customer: 'cus_wf' }))
      const run = (await app.inject('GET', `/v1/runs/${res.body.runs[0].id}`)).body
      expect(run.status).toBe('waiting')
      expect(run.steps[0]).toMatchObject({ id: 'pause', status: 'running', attempts: 1 })
      expect(run.steps[0].output.until).toBeGreaterThanOrEqual(before + 3_600_000)
      expect(await app.jobs.dueAt(app.store.db, run.id)).toBe(run.steps[0].output.until)
    })

    it('stores a failure of an invoice already paid but changes no record and starts nothing', async () => {
      const p = { customer: 'cus_p', subscription: 'sub_p', invoice: 'in_p' }
      expect((await app.inject('POST', '/v1/events', paymentSucceeded('evt_paid', p))).status).toBe(202)
      const res = await app.inject('POST', '/v1/events', paymentFailed('evt_late', p))
      expect(res.status).toBe(202)
      expect(res.body).toEqual({ event_id: 'evt_late', duplicate: false, runs: [], exited_runs: [], ignored: 'invoice already paid' })
      expect((await app.inject('GET', '/v1/subscriptions/sub_p')).body.status).toBe('active')
      expect((await app.inject('GET', '/v1/events/evt_late')).status).toBe(200)

      // In one batch the order decides: paid then failed is late news; failed then paid is a
      // recovery that starts and ends at once.
      const q = { customer: 'cus_q', subscription: 'sub_q', invoice: 'in_q' }
      const r = { customer: 'cus_r', subscription: 'sub_r', invoice: 'in_r' }
      const batch = await app.inject('POST', '/v1/events', {
        events: [paymentSucceeded('evt_paid2', q), paymentFailed('evt_failed2', q), paymentFailed('evt_failed3', r), paymentSucceeded('evt_paid3', r)],
      })
      const [, late2, early3, pay3] = batch.body.results
      expect(late2).toMatchObject({ event_id: 'evt_failed2', runs: [], ignored: 'invoice already paid' })
      expect(early3.runs).toHaveLength(1)
      expect(early3.ignored).toBeUndefined()
      expect(pay3.exited_runs).toEqual([early3.runs[0].id])
    })
  })
}

const postgres = DIALECTS.find((d) => d.name === 'postgres')
describe.skipIf(!postgres)('ingest in two processes on postgres', () => {
  it('a payment and a late failure of one invoice, sent to two processes at once, leave no recovery running and the subscription active', async () => {
    const url = await postgres!.freshDatabaseUrl()
    const a = await testApp(postgres!, { databaseUrl: url, env: { RECOUP_WORKER: 'false' } })
    const b = await testApp(postgres!, { databaseUrl: url, env: { RECOUP_WORKER: 'false' } })
    try {
      await a.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      expect((await a.inject('POST', '/v1/workflows', recoveryWorkflow())).status).toBe(201)
      const n = 30
      const order: string[] = []
      await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const o = { customer: `cus_${i}`, subscription: `sub_${i}`, invoice: `in_${i}` }
          const failed = paymentFailed(`evt_f${i}`, o)
          const paid = paymentSucceeded(`evt_p${i}`, o)
          // Whichever commits first, the end state is the same: paid, nothing left to recover.
          const [r1, r2] = await Promise.all([a.inject('POST', '/v1/events', paid), b.inject('POST', '/v1/events', failed)])
          expect([r1.status, r2.status]).toEqual([202, 202])
          order.push(r2.body.ignored ? 'paid first' : 'failed first')
        }),
      )
      console.log(`[ingest race] ${order.filter((o) => o === 'paid first').length} of ${n} failures came after their payment`)
      for (const status of ['running', 'waiting']) {
        expect((await a.inject('GET', `/v1/runs?status=${status}&limit=100`)).body.data).toEqual([])
      }
      for (let i = 0; i < n; i++) expect((await a.inject('GET', `/v1/subscriptions/sub_${i}`)).body.status).toBe('active')
    } finally {
      await a.close()
      await b.close()
    }
  })
})
