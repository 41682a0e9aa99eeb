import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed, planCanceled } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type App = Awaited<ReturnType<typeof testApp>>

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const DAY = 86_400_000

const winback = {
  id: 'wf_winback', name: 'Win back', status: 'active',
  trigger: { type: 'installment_plan.canceled', products: ['prod_course'] },
  steps: [
    { id: 'tell', type: 'send_email', subject: 'We can spread it out', body: 'Pay {{ installment_plan.balance_due | money: installment_plan.currency }} in smaller steps: {{ links.offer }}' },
    { id: 'restructure', type: 'offer', kind: 'restructure', installments: 3, note: 'Just for you, {{ customer.name }}.' },
    { id: 'goodbye', type: 'send_email', subject: 'Sorry to see you go', body: 'Reply any time.' },
  ],
}

const extendOnFailure = {
  id: 'wf_extend', name: 'More time', status: 'active',
  trigger: { type: 'payment.failed', products: ['prod_pro'] },
  steps: [
    { id: 'tell', type: 'send_email', subject: 'Need more time?', body: '{{ links.offer }}' },
    { id: 'more-time', type: 'offer', kind: 'extend', days: 14, expires_in: 'P3D' },
  ],
}

for (const dialect of DIALECTS) {
  describe(`offers on ${dialect.name}`, () => {
    let app: App | undefined
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    async function setup(clock = new TestClock()) {
      app = await testApp(dialect, { clock })
      for (const [id, name] of [['prod_course', 'Masterclass'], ['prod_pro', 'Pro']]) {
        expect((await app.inject('POST', '/v1/products', { id, name })).status).toBe(201)
      }
      return app
    }

    const runOf = async (a: App, id: string) => (await a.inject('GET', `/v1/runs/${id}`)).body
    /** The portal path of the offer link in the run's first email, as the customer would click it (through its short link). */
    async function offerPath(a: App, runId: string): Promise<string> {
      const mail = await eventually(async () => (await a.inject('GET', `/v1/messages?run_id=${runId}&channel=email`)).body.data.find((m: { body: string }) => m.body.includes('/l/')))
      const short = /\/l\/[0-9A-Za-z]{16}/.exec(mail.body)![0]
      const location = String((await a.http.inject({ method: 'GET', url: short })).headers.location)
      expect(location).toMatch(/^\/portal\/offer\/[A-Za-z0-9_.-]+$/)
      return location
    }
    async function waitingOffer(a: App, event: Record<string, unknown>) {
      const runId = (await a.inject('POST', '/v1/events', event)).body.runs[0].id as string
      const run = await eventually(async () => {
        const r = await runOf(a, runId)
        return r.status === 'waiting' && r
      })
      return { runId, run, path: await offerPath(a, runId) }
    }
    const page = async (a: App, path: string) => {
      const res = await a.http.inject({ method: 'GET', url: path })
      expect(res.statusCode).toBe(200)
      return res.body
    }
    const post = (a: App, path: string, decision: 'accept' | 'decline', step: string) =>
      a.http.inject({ method: 'POST', url: `${path}/${decision}`, headers: FORM, payload: `action=${decision}&step=${step}` })
    const countEvents = async (a: App, type: string) =>
      (await a.store.db.selectFrom('events').select('id').where('type', '=', type).execute()).length

    it('shows an open restructure offer; accepting re-creates the plan exactly and ends the run as goal met', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', winback)
      const { runId, run, path } = await waitingOffer(a, planCanceled('evt_plan', { balance: 40000 }))
      expect(run.steps[1]).toMatchObject({ id: 'restructure', status: 'running', output: { status: 'open', offer: { kind: 'restructure', amount: 40000, currency: 'USD' } } })
      expect(run.steps[1].output.offer.schedule.map((i: { amount: number }) => i.amount)).toEqual([13334, 13333, 13333])

      const html = await page(a, path)
      expect(html).toContain('A new payment plan for Masterclass')
      expect(html).toContain('Just for you, Grace Hopper.')
      for (const amount of ['$133.34', '$133.33', '$400.00']) expect(html).toContain(amount)
      expect(html).toContain('This offer is open until')
      expect(html).toContain('name="step" value="restructure"')
      expect(html).toContain(`action="${path}/accept"`)
      expect(html).toContain(`action="${path}/decline"`)

      // A double click: two posts at once are one acceptance and one restructure.
      const [first, second] = await Promise.all([post(a, path, 'accept', 'restructure'), post(a, path, 'accept', 'restructure')])
      for (const res of [first, second]) {
        expect(res.statusCode).toBe(200)
        expect(res.body).toContain("you're all set")
      }
      expect(await countEvents(a, 'offer.accepted')).toBe(1)
      expect(await countEvents(a, 'installment_plan.restructured')).toBe(1)

      const plan = (await a.inject('GET', '/v1/installment-plans/plan_grace')).body
      expect(plan).toMatchObject({ status: 'active', installments_total: 3, installments_paid: 0, installment_amount: 13334, balance_due: 40000 })
      expect(plan.schedule.reduce((s: number, i: { amount: number }) => s + i.amount, 0)).toBe(40000)
      expect(plan.due_at).toBe(plan.schedule[0].due_at)
      const event = (await a.inject('GET', `/v1/events/offer_restructured_${runId}_restructure`)).body
      expect(event.type).toBe('installment_plan.restructured')

      const ended = await runOf(a, runId)
      expect(ended.status).toBe('exited')
      expect(ended.error).toContain('goal met: offer.accepted')
      expect(ended.steps[2].status).not.toBe('completed')
      expect(await page(a, path)).toContain("you're all set")
    })

    it('a decline lets the workflow go on to its next step', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', winback)
      const { runId, path } = await waitingOffer(a, planCanceled('evt_plan_d'))
      const res = await post(a, path, 'decline', 'restructure')
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('You declined this offer')
      a.scheduler!.wake()
      const done = await eventually(async () => {
        const r = await runOf(a, runId)
        return r.status === 'completed' && r
      })
      expect(done.steps[1]).toMatchObject({ status: 'completed', output: { status: 'declined' } })
      expect(done.steps[2].status).toBe('completed')
      expect((await a.inject('GET', '/v1/installment-plans/plan_grace')).body.status).toBe('canceled')
      expect(await page(a, path)).toContain('You declined this offer')
      // Accepting after declining changes nothing.
      expect((await post(a, path, 'accept', 'restructure')).body).toContain('You declined this offer')
      expect(await countEvents(a, 'offer.accepted')).toBe(0)
    })

    it('an unanswered offer expires and the workflow goes on', async () => {
      const clock = new TestClock()
      const a = await setup(clock)
      await a.inject('POST', '/v1/workflows', winback)
      const { runId, path } = await waitingOffer(a, planCanceled('evt_plan_x'))
      clock.advance(7 * DAY + 1000)
      expect(await page(a, path)).toContain('This offer has expired')
      a.scheduler!.wake()
      const done = await eventually(async () => {
        const r = await runOf(a, runId)
        return r.status === 'completed' && r
      })
      expect(done.steps[1]).toMatchObject({ status: 'completed', output: { status: 'expired' } })
      expect(done.steps[2].status).toBe('completed')
      expect(await page(a, path)).toContain('This offer has expired')
      expect((await post(a, path, 'accept', 'restructure')).body).toContain('This offer has expired')
      expect(await countEvents(a, 'installment_plan.restructured')).toBe(0)
    })

    it('an extend offer on a failed payment pushes the due date back; the subscription stays past due', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', extendOnFailure)
      const { runId, run, path } = await waitingOffer(a, paymentFailed('evt_fail_x', { amount: 4900 }))
      const dueAt = run.steps[1].output.offer.due_at as string
      expect(Date.parse(dueAt) - Date.parse(run.steps[1].started_at)).toBeGreaterThanOrEqual(14 * DAY - 1000)
      const html = await page(a, path)
      expect(html).toContain('More time to pay for Pro')
      expect(html).toContain('New due date')
      expect(html).toContain('$49.00')
      expect((await post(a, path, 'accept', 'more-time')).statusCode).toBe(200)
      const sub = (await a.inject('GET', '/v1/subscriptions/sub_ada')).body
      expect(sub).toMatchObject({ status: 'past_due', grace_until: dueAt })
      const event = (await a.inject('GET', `/v1/events/offer_extended_${runId}_more-time`)).body
      expect(event).toMatchObject({ type: 'payment.extended' })
      expect((await runOf(a, runId)).status).toBe('exited')
    })

    it('refuses a restructure offer in a payment.failed workflow when it is saved', async () => {
      const a = await setup()
      const bad = { ...extendOnFailure, steps: [{ id: 'split', type: 'offer', kind: 'restructure', installments: 3 }] }
      const res = await a.inject('POST', '/v1/workflows', bad)
      expect(res.status).toBe(422)
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'steps[0].kind', message: expect.stringContaining('installment_plan.canceled') })])
      const tooMany = await a.inject('POST', '/v1/workflows', { ...winback, steps: [{ id: 'split', type: 'offer', kind: 'restructure', installments: 37 }] })
      expect(tooMany.status).toBe(422)
      expect(tooMany.body.errors[0].path).toBe('steps[0].installments')
    })

    it('previews the terms an offer would make', async () => {
      const a = await setup()
      await a.inject('POST', '/v1/workflows', winback)
      const res = await a.inject('POST', '/v1/workflows/wf_winback/test', { event: planCanceled('evt_preview', { balance: 1000 }) })
      expect(res.status).toBe(200)
      const step = res.body.steps.find((s: { id: string }) => s.id === 'restructure')
      expect(step).toMatchObject({ status: 'open', note: 'Just for you, Grace Hopper.', offer: { kind: 'restructure', amount: 1000 } })
      expect(step.offer.schedule.map((i: { amount: number }) => i.amount)).toEqual([334, 333, 333])
    })

    it('lists starter workflows, and each one saves once products are picked', async () => {
      const a = await setup()
      const list = await a.inject('GET', '/v1/workflow-templates')
      expect(list.status).toBe(200)
      expect(list.body.next_cursor).toBeNull()
      const templates = list.body.data as { id: string; trigger: { type: string }; steps: { type: string; kind?: string }[] }[]
      expect(templates.map((t) => t.trigger.type).sort()).toEqual(['installment_plan.canceled', 'payment.failed'])
      expect(templates.find((t) => t.trigger.type === 'payment.failed')!.steps.map((s) => s.type)).toContain('retry_payment')
      expect(templates.find((t) => t.trigger.type === 'installment_plan.canceled')!.steps).toContainEqual(expect.objectContaining({ type: 'offer', kind: 'restructure' }))
      for (const t of templates) {
        const one = await a.inject('GET', `/v1/workflow-templates/${t.id}`)
        expect(one.body).toEqual(t)
        const product = t.trigger.type === 'payment.failed' ? 'prod_pro' : 'prod_course'
        const { id: _id, ...copy } = t
        const saved = await a.inject('POST', '/v1/workflows', { ...copy, trigger: { ...t.trigger, products: [product] }, status: 'active' })
        expect(saved.status).toBe(201)
      }
      expect((await a.inject('GET', '/v1/workflow-templates/nope')).status).toBe(404)
    })
  })
}
