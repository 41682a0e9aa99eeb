import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { paymentFailed, paymentSucceeded, planCanceled, planWorkflow, recoveryWorkflow } from './helpers/fixtures.js'
import { RECOUP_BIN, ROOT, eventually, startServer, type RunningServer } from './helpers/server.js'

describe('end to end: the real server process', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer()
    for (const [id, name] of [['prod_pro', 'Pro'], ['prod_basic', 'Basic'], ['prod_course', 'Course']]) {
      expect((await server.api('POST', '/v1/products', { id, name })).status).toBe(201)
    }
    expect((await server.api('POST', '/v1/workflows', recoveryWorkflow({ wait: 'PT3S' }))).status).toBe(201)
    expect((await server.api('POST', '/v1/workflows', planWorkflow())).status).toBe(201)
  })
  afterAll(async () => server?.kill())

  const run = async (id: string) => (await server.api('GET', `/v1/runs/${id}`)).body

  it('drives both triggers with product filter, conditions and dedupe', async () => {
    const pro = await server.api('POST', '/v1/events', paymentFailed('e2e_1', { customer: 'cus_e1', subscription: 'sub_e1' }))
    expect(pro.status).toBe(202)
    expect(pro.body.runs).toHaveLength(1)
    expect((await server.api('POST', '/v1/events', paymentFailed('e2e_2', { product: 'prod_basic', customer: 'cus_e2' }))).body.runs).toEqual([])
    expect((await server.api('POST', '/v1/events', paymentFailed('e2e_3', { amount: 500, customer: 'cus_e3' }))).body.runs).toEqual([])
    const again = await server.api('POST', '/v1/events', paymentFailed('e2e_1', { customer: 'cus_e1', subscription: 'sub_e1' }))
    expect(again).toEqual({ status: 200, body: { event_id: 'e2e_1', duplicate: true, runs: pro.body.runs } })

    const plan = await server.api('POST', '/v1/events', planCanceled('e2e_plan', { customer: 'cus_e4', plan: 'plan_e4' }))
    expect(plan.body.runs).toMatchObject([{ workflow_id: 'wf_course_winback' }])
    const planRun = await eventually(async () => {
      const r = await run(plan.body.runs[0].id)
      return r.status === 'completed' && r
    })
    expect(planRun.steps.map((s: { status: string }) => s.status)).toEqual(['completed', 'completed'])
    const mail = (await server.api('GET', '/v1/messages?customer_id=cus_e4')).body.data[0]
    expect(mail.body).toBe('Balance due: $400.00 (4 installments left)')

    const done = await eventually(async () => {
      const r = await run(pro.body.runs[0].id)
      return r.status === 'completed' && r
    }, 30_000)
    expect(done.steps.map((s: { id: string }) => s.id)).toEqual(['tell-customer', 'tag', 'alert-finance', 'give-it-time', 'nudge'])
  })

  it('ends a waiting run when the customer pays', async () => {
    const wf = recoveryWorkflow({ id: 'wf_long', wait: 'P1D', products: ['prod_basic'] })
    expect((await server.api('POST', '/v1/workflows', wf)).status).toBe(201)
    const { body } = await server.api('POST', '/v1/events', paymentFailed('e2e_w', { product: 'prod_basic', customer: 'cus_w', subscription: 'sub_w' }))
    const id = body.runs[0].id
    await eventually(async () => (await run(id)).status === 'waiting')
    const paid = await server.api('POST', '/v1/events', paymentSucceeded('e2e_w_paid', { product: 'prod_basic', customer: 'cus_w', subscription: 'sub_w' }))
    expect(paid.body.exited_runs).toEqual([id])
    expect((await run(id)).status).toBe('exited')
    expect((await server.api('GET', '/v1/subscriptions/sub_w')).body.status).toBe('active')
  })

  it('refuses a second process on the same SQLite file with a clear error', () => {
    const res = spawnSync(process.execPath, [RECOUP_BIN, 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: server.databaseUrl },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(res.status).toBe(1)
    expect(res.stderr).toContain('is in use by another Recoup process')
  })

  it('resumes a waiting run after kill -9 and restart', async () => {
    const { body } = await server.api('POST', '/v1/events', paymentFailed('e2e_crash', { customer: 'cus_crash', subscription: 'sub_crash' }))
    const id = body.runs[0].id
    await eventually(async () => (await run(id)).status === 'waiting')
    await server.kill()
    server = await startServer({ databaseUrl: server.databaseUrl })
    const done = await eventually(async () => {
      const r = await run(id)
      return r.status === 'completed' && r
    }, 30_000)
    // Steps before the wait ran once: one email and one note, not two.
    expect(done.steps.map((s: { attempts: number }) => s.attempts)).toEqual([1, 1, 1, 1, 1])
    expect((await server.api('GET', '/v1/messages?customer_id=cus_crash&channel=email')).body.data).toHaveLength(1)
    expect((await server.api('GET', '/v1/customers/cus_crash')).body.notes).toHaveLength(1)
  })

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await server.stop()).toBe(0)
  })
})
