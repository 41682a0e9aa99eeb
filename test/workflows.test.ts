import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { recoveryWorkflow } from './helpers/fixtures.js'

for (const dialect of DIALECTS) {
  describe(`workflows on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>
    beforeAll(async () => {
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      await app.inject('POST', '/v1/products', { id: 'prod_old', name: 'Old' })
    })
    afterAll(async () => app.close())

    const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path)

    it('rejects unknown products, step types, bad durations and unknown variables with field paths', async () => {
      const wf = recoveryWorkflow({ id: 'wf_bad', products: ['prod_pro', 'prod_nope'] })
      const steps: Record<string, unknown>[] = [...wf.steps]
      steps[0] = { ...steps[0], subject: 'Hi {{ customer.nmae }}' }
      steps[3] = { id: 'give-it-time', type: 'wait', duration: '3 days' }
      steps.push({ id: 'mystery', type: 'send_fax', body: 'x' })
      const res = await app.inject('POST', '/v1/workflows', { ...wf, steps })
      expect(res.status).toBe(422)
      expect(res.body.type).toBe('/problems/validation_failed')
      expect(paths(res.body)).toEqual(expect.arrayContaining(['trigger.products[1]', 'steps[0].subject', 'steps[3].duration', 'steps[5].type']))
      expect(res.body.errors.find((e: { path: string }) => e.path === 'steps[0].subject').message).toContain('customer.nmae')
      expect((await app.inject('GET', '/v1/workflows/wf_bad')).status).toBe(404)
    })

    it('rejects variables a trigger never has, and bad conditions', async () => {
      const res = await app.inject('POST', '/v1/workflows', {
        name: 'x', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amout', op: 'gte', value: 1 }, { field: 'payment.amount', op: 'between' }] },
        steps: [
          { id: 'a', type: 'send_email', subject: 'Balance {{ installment_plan.balance_due }}', body: '{% if x %}' },
          { id: 'a', type: 'update_customer' },
          { id: 'b', type: 'branch', if: [], then: [{ id: 'c', type: 'wait', duration: 'PT5S' }] },
        ],
      })
      expect(res.status).toBe(422)
      expect(paths(res.body)).toEqual(expect.arrayContaining(['trigger.conditions[1].op']))
      const res2 = await app.inject('POST', '/v1/workflows', {
        name: 'x', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amout', op: 'gte', value: 1 }] },
        steps: [
          { id: 'a', type: 'send_email', subject: 'Balance {{ installment_plan.balance_due }}', body: '{% if x %}' },
          { id: 'a', type: 'update_customer' },
          { id: 'b', type: 'branch', if: [], then: [{ id: 'c', type: 'wait', duration: 'PT5S' }] },
        ],
      })
      expect(paths(res2.body)).toEqual(expect.arrayContaining(['trigger.conditions[0].field', 'steps[0].subject', 'steps[0].body', 'steps[1].id', 'steps[1]', 'steps[2].if']))
    })

    it('versions every change and keeps history', async () => {
      const created = await app.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_v', status: 'draft' }))
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({ version: 1, status: 'draft', exit_on: ['payment.succeeded'] })
      expect((await app.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_v' }))).status).toBe(409)
      const activated = await app.inject('PATCH', '/v1/workflows/wf_v', { status: 'active' })
      expect(activated.body).toMatchObject({ version: 2, status: 'active' })
      const renamed = await app.inject('PUT', '/v1/workflows/wf_v', { ...recoveryWorkflow({ id: 'wf_v' }), name: 'Renamed' })
      expect(renamed.body).toMatchObject({ version: 3, name: 'Renamed' })
      const versions = await app.inject('GET', '/v1/workflows/wf_v/versions')
      expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1])
      expect((await app.inject('PUT', '/v1/workflows/wf_v', { ...recoveryWorkflow({ id: 'other' }) })).status).toBe(422)
      const list = await app.inject('GET', '/v1/workflows')
      expect(list.body.data.map((w: { id: string }) => w.id)).toContain('wf_v')
      expect((await app.inject('DELETE', '/v1/workflows/wf_v')).status).toBe(204)
      expect((await app.inject('GET', '/v1/workflows/wf_v')).status).toBe(404)
    })

    it('warns when a selected product is archived', async () => {
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_old', products: ['prod_old'] }))
      await app.inject('DELETE', '/v1/products/prod_old')
      const wf = await app.inject('GET', '/v1/workflows/wf_old')
      expect(wf.body.warnings).toContain('product "prod_old" is archived')
    })

    it('previews a run with rendered messages and no side effects', async () => {
      await app.inject('POST', '/v1/workflows', recoveryWorkflow({ id: 'wf_t' }))
      const res = await app.inject('POST', '/v1/workflows/wf_t/test', {
        event: { id: 'evt_preview', type: 'payment.failed', customer: { id: 'cus_p', name: 'Pat', email: 'pat@example.com' }, product_ids: ['prod_pro'], payment: { id: 'p1', amount: 123456, currency: 'EUR' } },
      })
      expect(res.status).toBe(200)
      expect(res.body.matches).toBe(true)
      expect(res.body.steps[0]).toMatchObject({ id: 'tell-customer', to: 'pat@example.com', subject: "Your Pro payment didn't go through" })
      expect(res.body.steps[0].body).toContain('€1,234.56')
      expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual(['tell-customer', 'tag', 'alert-finance', 'give-it-time', 'nudge'])
      expect((await app.inject('GET', '/v1/customers/cus_p')).status).toBe(404)
      expect((await app.inject('GET', '/v1/events/evt_preview')).status).toBe(404)
      const small = await app.inject('POST', '/v1/workflows/wf_t/test', {})
      expect(small.body.matches).toBe(true)
    })

    it('loads demo data once, with both starter workflows running', async () => {
      const first = await app.inject('POST', '/v1/demo')
      expect(first.status).toBe(201)
      expect(first.body.workflows).toEqual(['demo_failed_payment', 'demo_installment_winback'])
      expect(first.body.runs).toBeGreaterThan(3)
      const again = await app.inject('POST', '/v1/demo')
      expect(again.body.runs).toBe(0)
      const plans = await app.inject('GET', '/v1/runs?workflow_id=demo_installment_winback')
      expect(plans.body.data.length).toBeGreaterThan(0)
    })
  })
}
