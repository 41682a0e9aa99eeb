import { createServer, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed, paymentSucceeded, recoveryWorkflow } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type TestAppT = Awaited<ReturnType<typeof testApp>>

/** A local stand-in for a customer's webhook endpoint; answers with `status` and records calls. */
function receiver() {
  const calls: { headers: Record<string, unknown>; body: string }[] = []
  let status = 500
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      calls.push({ headers: req.headers, body })
      res.writeHead(status).end()
    })
  })
  return {
    calls,
    setStatus: (s: number) => (status = s),
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function runOf(app: TestAppT, id: string) {
  return (await app.inject('GET', `/v1/runs/${id}`)).body
}

async function setup(app: TestAppT) {
  await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
}

for (const dialect of DIALECTS) {
  describe(`engine on ${dialect.name}`, () => {
    const hook = receiver()
    let hookUrl = ''
    let app: TestAppT | undefined
    beforeAll(async () => {
      hookUrl = await hook.start()
    })
    afterAll(async () => hook.stop())
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('runs every step, waits, and finishes with records and outbox messages', async () => {
      const clock = new TestClock()
      app = await testApp(dialect, { clock })
      await setup(app)
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'P3D' }))
      const { body } = await app.inject('POST', '/v1/events', paymentFailed('evt_1'))
      const runId = body.runs[0].id
      const waiting = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'waiting' && r
      })
      expect(waiting.steps.map((s: { status: string }) => s.status)).toEqual(['completed', 'completed', 'completed', 'running', 'pending'])
      expect(waiting.waiting_reason).toContain('P3D')
      const email = (await app.inject('GET', '/v1/messages?customer_id=cus_ada&channel=email')).body.data[0]
      expect(email).toMatchObject({ status: 'outbox', to: 'ada@example.com', subject: "Your Pro payment didn't go through" })
      expect(email.body).toContain("couldn't charge $49.00")
      expect(email.body).toMatch(/http:\/\/recoup\.test\/l\/[0-9A-Za-z]{16}\b/)
      // The (short) link in the email opens the customer's page on this very server.
      const link = /http:\/\/recoup\.test(\/l\/[0-9A-Za-z]{16})/.exec(email.body)![1]
      const redirect = await app.http.inject({ url: link })
      expect(redirect.statusCode).toBe(303)
      const page = await app.http.inject({ url: String(redirect.headers.location) })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('$49.00')
      expect(page.body).toContain('Pro')
      const team = (await app.inject('GET', '/v1/messages?channel=team')).body.data[0]
      expect(team).toMatchObject({ to: 'finance@example.com', status: 'outbox' })
      const customer = (await app.inject('GET', '/v1/customers/cus_ada')).body
      expect(customer.tags).toEqual(['payment-failed'])
      expect(customer.fields).toEqual({ billing_status: 'past_due' })
      expect(customer.notes[0]).toMatchObject({ body: 'Payment pay_evt_1 failed: card_declined', run_id: runId })

      clock.advance(3 * 86_400_000 + 1000)
      app.scheduler!.wake()
      const done = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'completed' && r
      })
      expect(done.steps.every((s: { status: string }) => s.status === 'completed')).toBe(true)
      const sms = (await app.inject('GET', '/v1/messages?channel=sms')).body.data
      expect(sms).toHaveLength(1)
      expect(sms[0]).toMatchObject({ to: '+15555550100', status: 'outbox' })
    })

    it('follows a branch and marks the other arm skipped', async () => {
      app = await testApp(dialect)
      await setup(app)
      await app.inject('PUT', '/v1/customers/cus_ada', { tags: ['vip'] })
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_branch', name: 'Branch', status: 'active',
        trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{
          id: 'is-vip', type: 'branch', if: [{ field: 'customer.tags', op: 'contains', value: 'vip' }],
          then: [{ id: 'vip-tag', type: 'update_customer', add_tags: ['vip-at-risk'] }],
          else: [{ id: 'plain-tag', type: 'update_customer', add_tags: ['at-risk'] }],
        }, { id: 'after', type: 'update_customer', note: 'branch done' }],
      })
      const { body } = await app.inject('POST', '/v1/events', paymentFailed('evt_b'))
      const run = await eventually(async () => {
        const r = await runOf(app!, body.runs[0].id)
        return r.status === 'completed' && r
      })
      expect(Object.fromEntries(run.steps.map((s: { id: string; status: string }) => [s.id, s.status]))).toEqual({
        'is-vip': 'completed', 'vip-tag': 'completed', 'plain-tag': 'skipped', after: 'completed',
      })
      expect((await app.inject('GET', '/v1/customers/cus_ada')).body.tags).toEqual(['vip', 'vip-at-risk'])
    })

    it('retries a failing step with backoff, fails the run visibly, and resumes on retry', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_MAX_ATTEMPTS: '3' } })
      await setup(app)
      hook.setStatus(503)
      const before = hook.calls.length
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_hook', name: 'Hook', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'call', type: 'webhook', url: hookUrl, body: '{"customer":"{{ customer.id }}"}' }, { id: 'tag', type: 'update_customer', add_tags: ['called'] }],
      })
      const { body } = await app.inject('POST', '/v1/events', paymentFailed('evt_h'))
      const runId = body.runs[0].id
      const failed = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'failed' && r
      })
      expect(failed.steps[0]).toMatchObject({ id: 'call', status: 'failed', attempts: 3 })
      expect(failed.steps[0].error).toContain('gave up after 3 attempts')
      expect(failed.error).toContain('step "call" failed')
      expect(failed.steps[1].status).toBe('pending')
      const calls = hook.calls.slice(before)
      expect(calls).toHaveLength(3)
      // Every attempt carries the same Standard Webhooks id: the receiver can dedupe.
      expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1)
      expect(calls[0].headers['webhook-id']).toBe(`${runId}:call`)

      expect((await app.inject('POST', `/v1/runs/${runId}/cancel`)).status).toBe(409)
      hook.setStatus(200)
      const retried = await app.inject('POST', `/v1/runs/${runId}/retry`)
      expect(retried.status).toBe(200)
      const done = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'completed' && r
      })
      expect(done.steps[0]).toMatchObject({ status: 'completed', attempts: 1 })
      expect((await app.inject('POST', `/v1/runs/${runId}/retry`)).status).toBe(409)
    })

    it('fails at once on a permanent error', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      await setup(app)
      hook.setStatus(410)
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_gone', name: 'Gone', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'call', type: 'webhook', url: hookUrl }],
      })
      const { body } = await app.inject('POST', '/v1/events', paymentFailed('evt_g'))
      const run = await eventually(async () => {
        const r = await runOf(app!, body.runs[0].id)
        return r.status === 'failed' && r
      })
      expect(run.steps[0].attempts).toBe(1)
      const msg = (await app.inject('GET', `/v1/messages?run_id=${body.runs[0].id}`)).body.data[0]
      expect(msg).toMatchObject({ channel: 'webhook', status: 'failed' })
    })

    it('cancels a waiting run, and exit_on ends another', async () => {
      app = await testApp(dialect)
      await setup(app)
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'P3D' }))
      const a = (await app.inject('POST', '/v1/events', paymentFailed('evt_c1'))).body.runs[0].id
      const b = (await app.inject('POST', '/v1/events', paymentFailed('evt_c2', { customer: 'cus_b', subscription: 'sub_b' }))).body.runs[0].id
      await eventually(async () => (await runOf(app!, a)).status === 'waiting' && (await runOf(app!, b)).status === 'waiting')
      const canceled = await app.inject('POST', `/v1/runs/${a}/cancel`)
      expect(canceled.body.status).toBe('canceled')
      expect(canceled.body.steps.at(-1).status).toBe('pending')
      expect((await app.inject('POST', `/v1/runs/${a}/cancel`)).status).toBe(409)
      await app.inject('POST', '/v1/events', paymentSucceeded('evt_paid', { customer: 'cus_b', subscription: 'sub_b' }))
      expect((await runOf(app, b)).status).toBe('exited')
      const waiting = await app.inject('GET', '/v1/runs?status=waiting')
      expect(waiting.body.data).toEqual([])
    })

    it('resumes runs after a restart, waits included, on the version they started with', async () => {
      const clock = new TestClock()
      const databaseUrl = await dialect.freshDatabaseUrl()
      app = await testApp(dialect, { clock, databaseUrl })
      await setup(app)
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'PT1H' }))
      const runId = (await app.inject('POST', '/v1/events', paymentFailed('evt_r'))).body.runs[0].id
      await eventually(async () => (await runOf(app!, runId)).status === 'waiting')
      // A new version drops the SMS; the run in flight keeps version 1.
      const v2 = recoveryWorkflow({ wait: 'PT1H' })
      v2.steps = v2.steps.slice(0, 4)
      expect((await app.inject('PUT', '/v1/workflows/wf_pro_recovery', v2)).body.version).toBe(2)
      await app.close()

      clock.advance(3_600_000 + 1000)
      app = await testApp(dialect, { clock, databaseUrl })
      const done = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'completed' && r
      })
      expect(done.workflow_version).toBe(1)
      expect(done.steps.map((s: { id: string }) => s.id)).toContain('nudge')
      expect((await app.inject('GET', '/v1/messages?channel=sms')).body.data).toHaveLength(1)
      expect((await app.inject('GET', '/v1/messages?channel=email')).body.data).toHaveLength(1)
    })

    it('renders a later step with the customer an earlier step changed in the same pass', async () => {
      app = await testApp(dialect)
      await setup(app)
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_chain', name: 'Chain', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [
          { id: 'tag', type: 'update_customer', add_tags: ['at-risk'], set_fields: { tier: 'gold' } },
          { id: 'untag', type: 'update_customer', remove_tags: ['at-risk'], add_tags: ['contacted'] },
          { id: 'mail', type: 'send_email', subject: 'Hi', body: 'tags={{ customer.tags | join: "," }} tier={{ customer.fields.tier }}' },
          { id: 'alert', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.tags | join: "," }}' },
        ],
      })
      const runId = (await app.inject('POST', '/v1/events', paymentFailed('evt_chain'))).body.runs[0].id
      const run = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'completed' && r
      })
      expect(run.steps.map((s: { status: string }) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed'])
      const mail = (await app.inject('GET', '/v1/messages?customer_id=cus_ada&channel=email')).body.data[0]
      expect(mail.body).toBe('tags=contacted tier=gold')
      const team = (await app.inject('GET', '/v1/messages?channel=team')).body.data[0]
      expect(team.body).toContain('contacted')
      const customer = (await app.inject('GET', '/v1/customers/cus_ada')).body
      expect(customer.tags).toEqual(['contacted'])
      expect(customer.fields).toEqual({ tier: 'gold' })
    })

    it('holds customer messages in quiet hours and past the daily cap, saying why', async () => {
      const clock = new TestClock()
      app = await testApp(dialect, { clock, env: { RECOUP_DAILY_MESSAGE_CAP: '1' } })
      await setup(app)
      const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16)
      const now = clock.now()
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_quiet', name: 'Quiet', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        quiet_hours: { start: hhmm(now - 3_600_000), end: hhmm(now + 3_600_000), time_zone: 'UTC' },
        steps: [
          { id: 'first', type: 'send_email', subject: 'One', body: 'x' },
          { id: 'second', type: 'send_sms', body: 'Two' },
        ],
      })
      const runId = (await app.inject('POST', '/v1/events', paymentFailed('evt_q'))).body.runs[0].id
      const held = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'waiting' && r
      })
      expect(held.waiting_reason).toContain('quiet hours')
      expect(held.steps[0]).toMatchObject({ status: 'pending', attempts: 0 })
      expect(held.steps[0].output.reason).toContain('quiet hours')
      expect((await app.inject('GET', '/v1/messages?customer_id=cus_ada')).body.data).toEqual([])

      clock.advance(2 * 3_600_000)
      app.scheduler!.wake()
      const capped = await eventually(async () => {
        const r = await runOf(app!, runId)
        return r.status === 'waiting' && r.steps[0].status === 'completed' && r
      })
      expect(capped.waiting_reason).toContain('daily cap of 1')
      expect(capped.steps[1].status).toBe('pending')

      clock.advance(86_400_000)
      app.scheduler!.wake()
      await eventually(async () => (await runOf(app!, runId)).status === 'completed')
      expect((await app.inject('GET', '/v1/messages?customer_id=cus_ada')).body.data).toHaveLength(2)
    })

    it('refuses malformed quiet hours', async () => {
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
      await setup(app)
      const res = await app.inject('POST', '/v1/workflows', { ...recoveryWorkflow(), quiet_hours: { start: '25:00', end: '08:00', time_zone: 'Mars/Olympus' } })
      expect(res.status).toBe(422)
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['quiet_hours.start', 'quiet_hours.time_zone'])
    })

    it('sends team alerts by webhook with their subject and a link to the run', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      await setup(app)
      hook.setStatus(200)
      const before = hook.calls.length
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_alert', name: 'Alert', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'alert', type: 'notify_team', channel: 'webhook', url: hookUrl, subject: 'Failed: {{ customer.name }}', message: '{{ payment.amount | money: payment.currency }} due' }],
      })
      const runId = (await app.inject('POST', '/v1/events', paymentFailed('evt_alert'))).body.runs[0].id
      await eventually(async () => (await runOf(app!, runId)).status === 'completed')
      const body = JSON.parse(hook.calls.slice(before)[0].body)
      expect(body).toMatchObject({ type: 'recoup.team_alert', subject: 'Failed: Ada Lovelace', message: '$49.00 due', run_id: runId, run_url: `http://recoup.test/runs/${runId}` })
    })
  })
}
