import { createServer } from 'node:http'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, paymentSucceeded } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

interface Received {
  id: string
  body: { type: string; data: Record<string, unknown> }
  verified: boolean
}

for (const dialect of DIALECTS) {
  describe(`webhook endpoints on ${dialect.name}`, () => {
    const received: Received[] = []
    let failNext = 0
    let secret = ''
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        if (failNext > 0) {
          failNext--
          res.writeHead(503).end()
          return
        }
        let verified = false
        try {
          // The independent implementation checks our signature.
          new Webhook(secret).verify(body, req.headers as Record<string, string>)
          verified = true
        } catch {
          verified = false
        }
        received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(body), verified })
        res.writeHead(204).end()
      })
    })
    let url = ''
    let app: Awaited<ReturnType<typeof testApp>>
    beforeAll(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/recoup`
    })
    afterAll(async () => new Promise<void>((r) => server.close(() => r())))
    afterEach(async () => app?.close())

    it('delivers run endings and recovery outcomes, signed, retrying a failing receiver', async () => {
      received.length = 0
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_POLL_MS: '50' } })
      const bad = await app.inject('POST', '/v1/webhook-endpoints', { url, events: ['run.sleeping'] })
      expect(bad.status).toBe(422)
      const ep = await app.inject('POST', '/v1/webhook-endpoints', { url, events: ['run.completed', 'recovery.ended'] })
      expect(ep.status).toBe(201)
      secret = ep.body.secret
      expect(secret).toMatch(/^whsec_/)
      expect((await app.inject('GET', `/v1/webhook-endpoints/${ep.body.id}`)).body.secret).toBeUndefined()

      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_quick', name: 'Quick', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'tag', type: 'update_customer', add_tags: ['t'] }],
      })
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_slow', name: 'Slow', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amount', op: 'gt', value: 5000 }] },
        steps: [{ id: 'w', type: 'wait', duration: 'P1D' }],
      })
      failNext = 1
      const quick = (await app.inject('POST', '/v1/events', paymentFailed('e1'))).body.runs[0].id
      await eventually(async () => received.filter((r) => r.body.data.run_id === quick).length === 2)
      const mine = received.filter((r) => r.body.data.run_id === quick)
      expect(mine.map((r) => r.body.type).sort()).toEqual(['recovery.ended', 'run.completed'])
      expect(mine.every((r) => r.verified)).toBe(true)
      expect(mine.find((r) => r.body.type === 'recovery.ended')!.body.data.outcome).toBe('exhausted')

      const slow = (await app.inject('POST', '/v1/events', paymentFailed('e2', { amount: 9900, customer: 'cus_s', subscription: 'sub_s' }))).body.runs
      const slowRun = slow.find((r: { workflow_id: string }) => r.workflow_id === 'wf_slow').id
      await eventually(async () => (await app.inject('GET', `/v1/runs/${slowRun}`)).body.status === 'waiting')
      // The payment may land while a worker commits a step of the same customer's other run.
      const paid = await app.inject('POST', '/v1/events', paymentSucceeded('e3', { customer: 'cus_s', subscription: 'sub_s' }))
      expect(paid.status).toBe(202)
      const ended = await eventually(async () => received.find((r) => r.body.data.run_id === slowRun))
      expect(ended.body).toMatchObject({ type: 'recovery.ended', data: { outcome: 'recovered', status: 'exited' } })

      const deliveries = (await app.inject('GET', `/v1/webhook-endpoints/${ep.body.id}/deliveries`)).body.data
      const retried = deliveries.find((d: { attempts: number }) => d.attempts === 2)
      expect(retried).toMatchObject({ status: 'delivered' })
      expect((await app.inject('DELETE', `/v1/webhook-endpoints/${ep.body.id}`)).status).toBe(204)
      expect((await app.inject('GET', '/v1/webhook-endpoints')).body.data).toEqual([])
    })
  })
}
