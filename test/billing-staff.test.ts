// What billing staff see and do with runs: outcomes named by money, cancel with a reason, mark as
// paid, skip a step, retry on the workflow's latest version. Real store, real engine, real HTTP
// routes (inject), on every dialect.
import { createServer, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, paymentSucceeded, recoveryWorkflow } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type TestAppT = Awaited<ReturnType<typeof testApp>>

/** A local stand-in for a team's endpoint; answers with `status` and counts calls. */
function receiver() {
  let status = 500
  let calls = 0
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      calls++
      res.writeHead(status).end()
    })
  })
  return {
    calls: () => calls,
    setStatus: (s: number) => (status = s),
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const runOf = async (app: TestAppT, id: string) => (await app.inject('GET', `/v1/runs/${id}`)).body

/** Waits until the run is in `status` and returns it. */
const runIn = (app: TestAppT, id: string, status: string) =>
  eventually(async () => {
    const r = await runOf(app, id)
    return r.status === status && r
  }, 20_000, `run ${id} to be ${status}`)

for (const dialect of DIALECTS) {
  describe(`billing staff on ${dialect.name}`, () => {
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

    async function start(env: Record<string, string> = {}) {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_MAX_ATTEMPTS: '2', ...env } })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })
      return app
    }

    it('names every ended run by money: recovered, not recovered, canceled (with who and why), filterable', async () => {
      const a = await start()
      await a.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'P3D' }))
      await a.inject('POST', '/v1/workflows', {
        id: 'wf_short', name: 'Short reminder', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'tag-it', type: 'update_customer', add_tags: ['reminded'] }],
      })
      const paid = (await a.inject('POST', '/v1/events', paymentFailed('evt_o1'))).body.runs as { id: string; workflow_id: string }[]
      const recovering = paid.find((r) => r.workflow_id === 'wf_pro_recovery')!.id
      const short = paid.find((r) => r.workflow_id === 'wf_short')!.id
      const cancelMe = (await a.inject('POST', '/v1/events', paymentFailed('evt_o2', { customer: 'cus_bob', subscription: 'sub_bob' }))).body.runs
        .find((r: { workflow_id: string }) => r.workflow_id === 'wf_pro_recovery').id

      const done = await runIn(a, short, 'completed')
      expect(done.outcome).toBe('not_recovered')
      await runIn(a, recovering, 'waiting')
      expect((await runOf(a, recovering)).outcome).toBeNull()

      await a.inject('POST', '/v1/events', paymentSucceeded('evt_o1_paid'))
      const exited = await runOf(a, recovering)
      expect(exited).toMatchObject({ status: 'exited', outcome: 'recovered', customer_name: 'Ada Lovelace', workflow_name: 'Pro plan — failed payment', product_names: ['Pro plan'] })
      // Nothing reads "waiting" after the end: the wait that was in progress stopped.
      expect(exited.steps.find((s: { id: string }) => s.id === 'give-it-time').status).toBe('skipped')

      await runIn(a, cancelMe, 'waiting')
      const canceled = await a.inject('POST', `/v1/runs/${cancelMe}/cancel`, { reason: 'Customer closed the account by phone', by: 'Jane' })
      expect(canceled.status).toBe(200)
      expect(canceled.body).toMatchObject({ status: 'canceled', outcome: 'canceled', ended_by: 'Jane (the admin API key)' })
      expect(canceled.body.error).toBe('canceled by Jane (the admin API key): Customer closed the account by phone')

      const recovered = await a.inject('GET', '/v1/runs?outcome=recovered')
      expect(recovered.body.data.map((r: { id: string }) => r.id)).toEqual([recovering])
      expect((await a.inject('GET', '/v1/runs?outcome=canceled')).body.data.map((r: { id: string }) => r.id)).toEqual([cancelMe])
      const bad = await a.inject('GET', '/v1/runs?outcome=exited')
      expect(bad.status).toBe(422)
      expect(bad.body.errors[0].path).toBe('outcome')
    })

    it('marks a run as paid: a staff payment.succeeded is recorded and the run ends as recovered', async () => {
      const a = await start()
      await a.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'P3D' }))
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_mp'))).body.runs[0].id
      await runIn(a, runId, 'waiting')
      expect((await a.inject('GET', '/v1/subscriptions/sub_ada')).body.status).toBe('past_due')

      const badAmount = await a.inject('POST', `/v1/runs/${runId}/mark-paid`, { amount: '$10' })
      expect(badAmount.status).toBe(422)
      expect(badAmount.body.errors[0].path).toBe('amount')
      expect((await a.inject('POST', `/v1/runs/${runId}/mark-paid`, { amount: 10.5 })).status).toBe(422)

      const marked = await a.inject('POST', `/v1/runs/${runId}/mark-paid`, { note: 'Paid by bank transfer', by: 'Jane' })
      expect(marked.status).toBe(200)
      expect(marked.body).toMatchObject({ status: 'exited', outcome: 'recovered', ended_by: 'Jane (the admin API key)' })
      expect(marked.body.error).toContain('marked as paid by Jane (the admin API key): Paid by bank transfer')
      // Recorded as any payment: the payment, the subscription back to active, the event with who did it.
      const payments = (await a.inject('GET', '/v1/payments?customer_id=cus_ada&status=succeeded')).body.data
      expect(payments).toHaveLength(1)
      expect(payments[0]).toMatchObject({ payment_id: 'pay_evt_mp', amount: 4900, currency: 'USD', source: 'staff' })
      expect((await a.inject('GET', '/v1/subscriptions/sub_ada')).body.status).toBe('active')
      const event = (await a.inject('GET', `/v1/events/${encodeURIComponent(`paid_by_staff:${runId}`)}`)).body
      expect(event.metadata).toMatchObject({ source: 'staff', by: 'Jane (the admin API key)', note: 'Paid by bank transfer', run_id: runId })
      expect(event.occurred_at).toBeTruthy()

      const again = await a.inject('POST', `/v1/runs/${runId}/mark-paid`)
      expect(again.status).toBe(409)
      expect(again.body.detail).toContain('recovered')
    })

    it('marks a failed run as paid, with the amount staff received', async () => {
      const a = await start()
      hook.setStatus(410)
      await a.inject('POST', '/v1/workflows', {
        id: 'wf_fail', name: 'Breaks', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] }, exit_on: ['offer.accepted'],
        steps: [{ id: 'call', type: 'webhook', url: hookUrl }],
      })
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_mpf'))).body.runs[0].id
      await runIn(a, runId, 'failed')
      const marked = await a.inject('POST', `/v1/runs/${runId}/mark-paid`, { amount: 2500 })
      expect(marked.body).toMatchObject({ status: 'exited', outcome: 'recovered', ended_by: 'the admin API key' })
      const payments = (await a.inject('GET', '/v1/payments?customer_id=cus_ada&status=succeeded')).body.data
      expect(payments[0]).toMatchObject({ amount: 2500, source: 'staff' })
    })

    it('skips the step a run waits on, and the run goes on with the next one', async () => {
      const a = await start()
      await a.inject('POST', '/v1/workflows', recoveryWorkflow({ wait: 'P30D' }))
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_sk'))).body.runs[0].id
      const waiting = await runIn(a, runId, 'waiting')
      expect(waiting.steps.find((s: { id: string }) => s.id === 'give-it-time').status).toBe('running')

      const wrong = await a.inject('POST', `/v1/runs/${runId}/skip-step`, { step_id: 'tag' })
      expect(wrong.status).toBe(409)
      expect(wrong.body.detail).toContain('"give-it-time"')

      const skipped = await a.inject('POST', `/v1/runs/${runId}/skip-step`, { step_id: 'give-it-time', note: 'Customer asked for the text today' })
      expect(skipped.status).toBe(200)
      const done = await runIn(a, runId, 'completed')
      const wait = done.steps.find((s: { id: string }) => s.id === 'give-it-time')
      expect(wait.status).toBe('skipped')
      expect(wait.output).toMatchObject({ skipped_by: 'the admin API key', skip_note: 'Customer asked for the text today' })
      expect(done.steps.find((s: { id: string }) => s.id === 'nudge').status).toBe('completed')
      const notes = (await a.inject('GET', '/v1/customers/cus_ada')).body.notes.map((n: { body: string }) => n.body)
      expect(notes).toContain('Step "give-it-time" skipped by the admin API key: Customer asked for the text today')
      expect((await a.inject('POST', `/v1/runs/${runId}/skip-step`)).status).toBe(409)
    })

    it('skips a failed step: the run resumes after it', async () => {
      const a = await start()
      hook.setStatus(410)
      await a.inject('POST', '/v1/workflows', {
        id: 'wf_skipfail', name: 'Breaks then tags', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'call', type: 'webhook', url: hookUrl }, { id: 'tag', type: 'update_customer', add_tags: ['after-skip'] }],
      })
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_skf'))).body.runs[0].id
      await runIn(a, runId, 'failed')
      expect((await a.inject('POST', `/v1/runs/${runId}/skip-step`, {})).status).toBe(200)
      const done = await runIn(a, runId, 'completed')
      expect(done.outcome).toBe('not_recovered')
      expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['skipped', 'completed'])
      expect((await a.inject('GET', '/v1/customers/cus_ada')).body.tags).toContain('after-skip')
    })

    it('retries a failed run on the newest version of its workflow, from the same step id', async () => {
      const a = await start()
      hook.setStatus(410)
      const broken = {
        id: 'wf_fixme', name: 'Alert then tag', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [
          { id: 'tag-first', type: 'update_customer', add_tags: ['first'] },
          { id: 'alert', type: 'webhook', url: `${hookUrl}?broken=1` },
          { id: 'tag-after', type: 'update_customer', add_tags: ['after'] },
        ],
      }
      await a.inject('POST', '/v1/workflows', broken)
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_rl'))).body.runs[0].id
      const failed = await runIn(a, runId, 'failed')
      expect(failed.workflow_version).toBe(1)

      // The fix: a new version whose alert step reaches a working endpoint, with a new step before it.
      hook.setStatus(200)
      const fixed = {
        ...broken,
        steps: [{ id: 'tag-zero', type: 'update_customer', add_tags: ['zero'] }, broken.steps[0], { ...broken.steps[1], url: `${hookUrl}?fixed=1` }, broken.steps[2]],
      }
      expect((await a.inject('PUT', '/v1/workflows/wf_fixme', fixed)).status).toBe(200)
      const before = hook.calls()
      const retried = await a.inject('POST', `/v1/runs/${runId}/retry`, { latest_version: true })
      expect(retried.status).toBe(200)
      expect(retried.body.workflow_version).toBe(2)
      const done = await runIn(a, runId, 'completed')
      expect(done.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
        // Resumed at "alert": the new step before it is not run for this customer.
        'tag-zero:pending', 'tag-first:completed', 'alert:completed', 'tag-after:completed',
      ])
      expect(hook.calls() - before).toBe(1)
      expect((await a.inject('GET', '/v1/customers/cus_ada')).body.tags).toEqual(['first', 'after'])

      // A version without the failed step cannot take the run.
      const again = (await a.inject('POST', '/v1/events', paymentFailed('evt_rl2', { customer: 'cus_rl', subscription: 'sub_rl' }))).body.runs[0].id
      await runIn(a, again, 'completed')
      hook.setStatus(410)
      await a.inject('PUT', '/v1/workflows/wf_fixme', broken)
      const third = (await a.inject('POST', '/v1/events', paymentFailed('evt_rl3', { customer: 'cus_rl3', subscription: 'sub_rl3' }))).body.runs[0].id
      await runIn(a, third, 'failed')
      await a.inject('PUT', '/v1/workflows/wf_fixme', { ...broken, steps: [broken.steps[0]] })
      const refused = await a.inject('POST', `/v1/runs/${third}/retry`, { latest_version: true })
      expect(refused.status).toBe(409)
      expect(refused.body.detail).toContain('has no step "alert"')
    })

    it('goes on after a team alert fails (and any step marked on_error: continue); other steps still fail the run', async () => {
      const a = await start()
      hook.setStatus(410)
      const wf = {
        id: 'wf_alerts', name: 'Alert, call, tag', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [
          { id: 'slack', type: 'notify_team', channel: 'slack', url: hookUrl, message: '{{ customer.name }} failed a payment' },
          { id: 'crm', type: 'webhook', url: hookUrl, on_error: 'continue' },
          { id: 'tag', type: 'update_customer', add_tags: ['alerted'] },
        ],
      }
      expect((await a.inject('POST', '/v1/workflows', wf)).status).toBe(201)
      const saved = (await a.inject('GET', '/v1/workflows/wf_alerts')).body
      expect(saved.steps[1].on_error).toBe('continue')
      // The preview renders a step with on_error like any other.
      expect((await a.inject('POST', '/v1/workflows/wf_alerts/test', {})).status).toBe(200)
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_oe'))).body.runs[0].id
      const done = await runIn(a, runId, 'completed')
      expect(done.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['slack:failed', 'crm:failed', 'tag:completed'])
      expect(done.steps[0].error).toBeTruthy()
      expect(done.steps[0].output).toMatchObject({ run_continued: true })
      expect((await a.inject('GET', '/v1/customers/cus_ada')).body.tags).toContain('alerted')

      // A step may say the opposite of its default, and a webhook step fails the run by default.
      await a.inject('PUT', '/v1/workflows/wf_alerts', { ...wf, steps: [{ ...wf.steps[0], on_error: 'fail' }, wf.steps[2]] })
      const stopped = (await a.inject('POST', '/v1/events', paymentFailed('evt_oe2', { customer: 'cus_oe2', subscription: 'sub_oe2' }))).body.runs[0].id
      expect((await runIn(a, stopped, 'failed')).steps[1].status).toBe('pending')
      await a.inject('PUT', '/v1/workflows/wf_alerts', { ...wf, steps: [{ ...wf.steps[1], on_error: undefined }, wf.steps[2]] })
      const hooked = (await a.inject('POST', '/v1/events', paymentFailed('evt_oe3', { customer: 'cus_oe3', subscription: 'sub_oe3' }))).body.runs[0].id
      await runIn(a, hooked, 'failed')

      const bad = await a.inject('PUT', '/v1/workflows/wf_alerts', { ...wf, steps: [{ ...wf.steps[0], on_error: 'ignore' }] })
      expect(bad.status).toBe(422)
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['steps[0].on_error'])
    })

    it('refuses an amount condition that is not minor units, naming the field', async () => {
      const a = await start()
      const wf = (conditions: unknown[], branchIf?: unknown[]) => ({
        name: 'Amounts', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions },
        steps: branchIf ? [{ id: 'big', type: 'branch', if: branchIf, then: [{ id: 'tag', type: 'update_customer', add_tags: ['big'] }] }] : [{ id: 'tag', type: 'update_customer', add_tags: ['x'] }],
      })
      const bad = await a.inject('POST', '/v1/workflows', wf([
        { field: 'payment.amount', op: 'gte', value: '$10' },
        { field: 'payment.amount', op: 'lt', value: 10.5 },
        { field: 'payment.amount', op: 'gt', value: -5 },
        { field: 'payment.amount', op: 'in', value: [1000, 'x'] },
      ], [{ field: 'payment.amount', op: 'gte', value: '1000' }]))
      expect(bad.status).toBe(422)
      expect(bad.body.errors).toEqual([
        { path: 'trigger.conditions[0].value', message: expect.stringContaining('"$10" is text, not an amount; payment.amount is in minor units of the currency (cents): write 1000 for $10.00') },
        { path: 'trigger.conditions[1].value', message: expect.stringContaining('10.5 is not a whole number of minor units') },
        { path: 'trigger.conditions[2].value', message: expect.stringContaining('cannot be negative') },
        { path: 'trigger.conditions[3].value', message: expect.stringContaining('"x" is text') },
        { path: 'steps[0].if[0].value', message: expect.stringContaining('"1000" is text') },
      ])
      const installment = await a.inject('POST', '/v1/workflows', { ...wf([]), trigger: { type: 'installment_plan.canceled', products: ['prod_pro'], conditions: [{ field: 'installment_plan.balance_due', op: 'gt', value: '400.00' }] } })
      expect(installment.body.errors.map((e: { path: string }) => e.path)).toEqual(['trigger.conditions[0].value'])
      const good = await a.inject('POST', '/v1/workflows', wf([{ field: 'payment.amount', op: 'gte', value: 1000 }, { field: 'payment.amount', op: 'exists' }], [{ field: 'payment.amount', op: 'in', value: [4900, 9900] }]))
      expect(good.status).toBe(201)
    })

    it('heals the record when the money comes in: temporary tags and fields marked until recovered are undone', async () => {
      const a = await start()
      await a.inject('PUT', '/v1/customers/cus_ada', { name: 'Ada Lovelace', tags: ['vip', 'good-standing'], fields: { plan: 'pro', limits: { seats: 5 } } })
      await a.inject('POST', '/v1/workflows', {
        id: 'wf_heal', name: 'Mark at risk', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [
          {
            id: 'at-risk', type: 'update_customer', add_tags: ['at-risk', 'vip'], remove_tags: ['good-standing'],
            set_fields: { billing_status: 'past_due', plan: 'pro-suspended', limits: 'suspended' }, until: 'recovered', restore_fields: { billing_status: 'active' },
          },
          { id: 'history', type: 'update_customer', add_tags: ['had-a-failure'] },
          { id: 'pause', type: 'wait', duration: 'P3D' },
        ],
      })
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_heal'))).body.runs[0].id
      const waiting = await runIn(a, runId, 'waiting')
      expect(waiting.steps[0].output.undo_when_recovered).toEqual({ remove_tags: ['at-risk'], add_tags: ['good-standing'], set_fields: { billing_status: 'active', plan: 'pro', limits: { seats: 5 } } })
      const during = (await a.inject('GET', '/v1/customers/cus_ada')).body
      expect(during.tags.sort()).toEqual(['at-risk', 'had-a-failure', 'vip'])
      expect(during.fields).toEqual({ plan: 'pro-suspended', billing_status: 'past_due', limits: 'suspended' })

      await a.inject('POST', '/v1/events', paymentSucceeded('evt_heal_paid'))
      expect((await runOf(a, runId)).outcome).toBe('recovered')
      const after = (await a.inject('GET', '/v1/customers/cus_ada')).body
      // vip was there before the run: it stays. The permanent history tag stays too.
      expect(after.tags.sort()).toEqual(['good-standing', 'had-a-failure', 'vip'])
      expect(after.fields).toEqual({ plan: 'pro', billing_status: 'active', limits: { seats: 5 } })
      expect(after.notes.map((n: { body: string }) => n.body)).toContain(
        `Recovered, so the run's temporary changes were undone: removed tag at-risk; tagged good-standing again; billing_status back to active; plan back to pro; limits back to {"seats":5}.`,
      )

      // Not recovered: nothing is undone.
      const lost = (await a.inject('POST', '/v1/events', paymentFailed('evt_heal2', { customer: 'cus_lost', subscription: 'sub_lost' }))).body.runs[0].id
      await runIn(a, lost, 'waiting')
      await a.inject('POST', `/v1/runs/${lost}/cancel`, { reason: 'closed' })
      expect((await a.inject('GET', '/v1/customers/cus_lost')).body.tags).toContain('at-risk')

      const bad = await a.inject('POST', '/v1/workflows', {
        name: 'Bad', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'x', type: 'update_customer', set_fields: { a: 'b' }, restore_fields: { c: 'd' }, until: 'paid' }],
      })
      expect(bad.status).toBe(422)
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['steps[0].until'])
    })

    it('shows every error of a save at once, in people\'s words', async () => {
      const a = await start()
      const res = await a.inject('POST', '/v1/workflows', {
        name: '', trigger: { type: 'payment.failed', products: [] },
        steps: [
          { id: 'mail', type: 'send_email', subject: '', body: 'Hi {{ customer.nme }}' },
          { id: 'alert', type: 'notify_team', channel: 'email', to: 'finance at example', message: 'x' },
          { id: 'pause', type: 'wait', duration: 'P3D', colour: 'red' },
        ],
      })
      expect(res.status).toBe(422)
      const byPath = Object.fromEntries(res.body.errors.map((e: { path: string; message: string }) => [e.path, e.message]))
      // The workflow's own fields and every step's, in one answer.
      expect(byPath).toMatchObject({
        name: 'Give the workflow a name',
        'trigger.products': expect.stringContaining('select at least one product'),
        'steps[0].subject': expect.any(String),
        'steps[1].to': '"finance at example" is not an email address; write one such as finance@yourcompany.com (several: separate them with commas)',
        'steps[2]': 'Unknown field "colour": check the spelling, or leave it out',
      })
      expect(byPath['steps[0].body']).toContain('customer.nme')
      expect(JSON.stringify(res.body.errors)).not.toMatch(/Too small|Invalid input|expected string/)
      const product = await a.inject('POST', '/v1/products', { name: '' })
      expect(product.body.errors).toEqual([{ path: 'name', message: 'Give the product a name' }])
    })

    it('saves a workflow with warnings: an offer nobody links to, SMS without phones, example addresses, two active workflows on one product', async () => {
      const a = await start()
      const wf = (id: string, steps: unknown[], conditions: unknown[] = []) => ({
        id, name: `Workflow ${id}`, status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions }, steps,
      })
      await a.inject('POST', '/v1/workflows', wf('wf_one', [{ id: 'tag', type: 'update_customer', add_tags: ['x'] }]))
      const saved = await a.inject('POST', '/v1/workflows', wf('wf_two', [
        { id: 'deal', type: 'offer', kind: 'extend', days: 7 },
        { id: 'text', type: 'send_sms', body: 'Your payment failed' },
        { id: 'alert', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: 'failed' },
      ]))
      expect(saved.status).toBe(201)
      expect(saved.body.warnings).toEqual([
        'offer step "deal" is never linked: no email or SMS of this workflow contains {{ links.offer }}, so customers cannot see it',
        'SMS step "text" texts the customer, but the trigger does not require a phone: customers without one will skip it (add the condition "customer.phone exists", or a branch on it)',
        'step "alert" sends to finance@example.com, an example address: replace it with your team\'s before activating',
        'another active workflow, "Workflow wf_one", also starts on payment.failed for "Pro plan": a customer may get both (unless their conditions differ)',
      ])
      const fine = await a.inject('PUT', '/v1/workflows/wf_two', { ...wf('wf_two', [
        { id: 'deal', type: 'offer', kind: 'extend', days: 7 },
        { id: 'text', type: 'send_sms', body: 'See your offer: {{ links.offer }}' },
      ], [{ field: 'customer.phone', op: 'exists' }]), status: 'paused' })
      expect(fine.body.warnings).toEqual([])
    })

    it('previews an unsaved workflow, and says which condition failed when the trigger does not match', async () => {
      const a = await start()
      const draft = {
        name: 'Draft', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amount', op: 'gte', value: 10000 }] },
        steps: [{ id: 'mail', type: 'send_email', subject: 'Hello {{ customer.name }}', body: 'Pay {{ payment.amount | money: payment.currency }}' }],
      }
      const res = await a.inject('POST', '/v1/workflows/preview', { workflow: draft })
      expect(res.status).toBe(200)
      expect(res.body.steps[0]).toMatchObject({ id: 'mail', subject: expect.stringContaining('Hello ') })
      // Nothing was saved.
      expect((await a.inject('GET', '/v1/workflows')).body.data).toEqual([])
      const event = { ...paymentFailed('evt_pv'), payment: { ...paymentFailed('evt_pv').payment, amount: 4900 } }
      const small = await a.inject('POST', '/v1/workflows/preview', { workflow: draft, event })
      expect(small.body).toMatchObject({ matches: false, reason: 'condition not met: payment.amount gte 10000 (the event has 4900)' })
      expect(small.body.failed_conditions).toEqual([{ index: 0, field: 'payment.amount', op: 'gte', value: 10000, actual: 4900 }])
      const other = await a.inject('POST', '/v1/workflows/preview', { workflow: draft, event: { ...event, product_ids: ['prod_other'] } })
      expect(other.body.reason).toBe("the event is for prod_other, not for this workflow's products (prod_pro)")
      const invalid = await a.inject('POST', '/v1/workflows/preview', { workflow: { ...draft, name: '' } })
      expect(invalid.status).toBe(422)
      expect(invalid.body.errors[0]).toEqual({ path: 'name', message: 'Give the workflow a name' })
    })

    it('archives a workflow and brings it back paused', async () => {
      const a = await start()
      await a.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_arch' }))
      expect((await a.inject('POST', '/v1/workflows/wf_arch/archive')).status).toBe(204)
      expect((await a.inject('GET', '/v1/workflows/wf_arch')).status).toBe(404)
      expect((await a.inject('POST', '/v1/events', paymentFailed('evt_arch'))).body.runs).toEqual([])
      const archived = await a.inject('GET', '/v1/workflows?archived=true')
      expect(archived.body.data.map((w: { id: string }) => w.id)).toEqual(['wf_arch'])
      expect(archived.body.data[0].archived_at).toBeTruthy()
      expect((await a.inject('GET', '/v1/workflows')).body.data).toEqual([])
      const back = await a.inject('POST', '/v1/workflows/wf_arch/unarchive')
      expect(back.body).toMatchObject({ id: 'wf_arch', status: 'paused' })
      expect((await a.inject('GET', '/v1/workflows?archived=true')).body.data).toEqual([])
      expect((await a.inject('POST', '/v1/workflows/wf_nope/unarchive')).status).toBe(404)
    })

    it('tells the team when an offer is accepted, if the offer step asks, and heals the record', async () => {
      const a = await start()
      await a.inject('POST', '/v1/workflows', {
        id: 'wf_offer', name: 'Extend the due date', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [
          { id: 'flag', type: 'update_customer', add_tags: ['at-risk'], until: 'recovered' },
          { id: 'mail', type: 'send_email', subject: 'An offer', body: 'Take a week: {{ links.offer }}' },
          { id: 'deal', type: 'offer', kind: 'extend', days: 7, alert_on_accept: { channel: 'email', to: 'finance@acme.test' } },
        ],
      })
      const runId = (await a.inject('POST', '/v1/events', paymentFailed('evt_offer'))).body.runs[0].id
      await runIn(a, runId, 'waiting')
      const accepted = await a.inject('POST', '/v1/events', {
        id: 'evt_offer_yes', type: 'offer.accepted', customer: { id: 'cus_ada' }, product_ids: ['prod_pro'], run_id: runId, step_id: 'deal',
      })
      expect(accepted.status).toBe(202)
      const ended = await runOf(a, runId)
      expect(ended).toMatchObject({ status: 'exited', outcome: 'offer_accepted' })
      expect(ended.steps.find((s: { id: string }) => s.id === 'deal').status).toBe('completed')
      expect((await a.inject('GET', '/v1/customers/cus_ada')).body.tags).not.toContain('at-risk')
      const alert = await eventually(async () => (await a.inject('GET', `/v1/messages?run_id=${runId}&channel=team`)).body.data[0], 20_000, 'the team alert')
      expect(alert).toMatchObject({ to: 'finance@acme.test', status: 'outbox' })
      expect(alert.body).toContain('Ada Lovelace accepted the offer of Extend the due date.')
      // Once: the run's job is gone and nothing is sent again.
      await new Promise((r) => setTimeout(r, 300))
      expect((await a.inject('GET', `/v1/messages?run_id=${runId}&channel=team`)).body.data).toHaveLength(1)
    })
  })
}
