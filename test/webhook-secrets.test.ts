// A webhook step's signing secret is stored and used, but the API only ever shows it masked; the
// dashboard sends the masked value back on save, which keeps the stored secret.
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../src/channels/local-http-receiver.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type TestAppT = Awaited<ReturnType<typeof testApp>>

// 24 and 32 bytes, base64.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const OTHER = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oDAAAAAAAAAAAAAAAAAAAAAAAAAAA='

function workflow(url: string, secret: string, extra: Record<string, unknown> = {}) {
  return {
    id: 'wf_signed', name: 'Signed', status: 'active', trigger: { type: 'payment.failed', products: ['*'] }, ...extra,
    steps: [
      { id: 'hook', type: 'webhook', url, secret },
      { id: 'big', type: 'branch', if: [{ field: 'payment.amount', op: 'gt', value: 1 }], then: [{ id: 'crm', type: 'webhook', url, secret: OTHER }] },
    ],
  }
}

for (const dialect of DIALECTS) {
  describe(`webhook step secrets on ${dialect.name}`, () => {
    let receiver: LocalHttpReceiver
    let app: TestAppT | undefined
    beforeAll(async () => {
      receiver = await startLocalHttpReceiver()
    })
    afterAll(async () => receiver.close())
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    it('never shows a step secret, and a masked secret sent back keeps signing with the stored one', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      const url = `${receiver.url}/signed`
      const created = await app.inject('POST', '/v1/workflows', workflow(url, SECRET, { status: 'draft' }))
      expect(created.status).toBe(201)
      const shown = [
        created.body,
        (await app.inject('GET', '/v1/workflows/wf_signed')).body,
        (await app.inject('GET', '/v1/workflows')).body,
        (await app.inject('GET', '/v1/workflows/wf_signed/versions')).body,
      ]
      for (const body of shown) {
        expect(JSON.stringify(body)).not.toContain(SECRET.slice(6, 20))
        expect(JSON.stringify(body)).not.toContain(OTHER.slice(6, 20))
      }
      const got = (await app.inject('GET', '/v1/workflows/wf_signed')).body
      expect(got.steps[0].secret).toBe('whsec_********LaSw')
      expect(got.steps[1].then[0].secret).toBe('whsec_********AAA=')

      // The dashboard's save: the whole definition as read, masks included, with a change elsewhere.
      const { version: _v, created_at: _c, updated_at: _u, warnings: _w, ...definition } = got
      const saved = await app.inject('PUT', '/v1/workflows/wf_signed', { ...definition, name: 'Signed, renamed', status: 'active' })
      expect(saved.status).toBe(200)
      expect(saved.body.steps[0].secret).toBe('whsec_********LaSw')

      const before = receiver.requests.length
      const event = await app.inject('POST', '/v1/events', paymentFailed('evt_signed'))
      expect(event.status).toBe(202)
      const calls = await eventually(async () => receiver.requests.length >= before + 2 && receiver.requests.slice(before))
      const step = (id: string) => calls.find((c) => String(c.headers['webhook-id']).endsWith(`:${id}`))!
      const verifies = (secret: string, id: string) => {
        try {
          new Webhook(secret).verify(step(id).body, step(id).headers as Record<string, string>)
          return true
        } catch {
          return false
        }
      }
      expect(verifies(SECRET, 'hook')).toBe(true)
      expect(verifies(OTHER, 'crm')).toBe(true)
      expect(verifies(SECRET, 'crm')).toBe(false)
    })

    it('keeps a masked secret when its step is renamed, and replaces it when a new one is sent', async () => {
      app = await testApp(dialect, { env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
      const url = `${receiver.url}/renamed`
      await app.inject('POST', '/v1/workflows', workflow(url, SECRET, { status: 'draft' }))
      const got = (await app.inject('GET', '/v1/workflows/wf_signed')).body
      const steps = [{ ...got.steps[0], id: 'hook-renamed' }, got.steps[1]]
      expect((await app.inject('PUT', '/v1/workflows/wf_signed', { ...workflow(url, SECRET), steps })).status).toBe(200)
      const versions = (await app.inject('GET', '/v1/workflows/wf_signed/versions')).body.data
      expect(versions[0].definition.steps[0]).toMatchObject({ id: 'hook-renamed', secret: 'whsec_********LaSw' })

      const changed = await app.inject('PUT', '/v1/workflows/wf_signed', workflow(url, OTHER))
      expect(changed.status).toBe(200)
      expect(changed.body.steps[0].secret).toBe('whsec_********AAA=')

      const before = receiver.requests.length
      await app.inject('POST', '/v1/events', paymentFailed('evt_renamed'))
      const call = await eventually(async () => receiver.requests.slice(before).find((c) => String(c.headers['webhook-id']).endsWith(':hook')))
      expect(() => new Webhook(OTHER).verify(call.body, call.headers as Record<string, string>)).not.toThrow()
    })

    it('refuses malformed secrets and masks that stand for no stored secret, naming the field', async () => {
      app = await testApp(dialect)
      const url = 'https://hooks.example.com/recoup'
      const short = `whsec_${Buffer.alloc(16, 7).toString('base64')}`
      const long = `whsec_${Buffer.alloc(65, 7).toString('base64')}`
      for (const secret of ['whsec_abc', short, long, 'whsec_!!!!not-base64!!!!abcdefghijklmnopqrstuvwxyz', `${SECRET}=`]) {
        const res = await app.inject('POST', '/v1/workflows', workflow(url, secret))
        expect(res.status, secret).toBe(422)
        expect(res.body.errors, secret).toEqual([{ path: 'steps[0].secret', message: expect.stringContaining('base64 of 24 to 64 random bytes') }])
      }
      const masked = await app.inject('POST', '/v1/workflows', workflow(url, 'whsec_********LaSw'))
      expect(masked.status).toBe(422)
      expect(masked.body.errors).toEqual([{ path: 'steps[0].secret', message: expect.stringContaining('masked secret') }])

      expect((await app.inject('POST', '/v1/workflows', workflow(url, SECRET))).status).toBe(201)
      const foreign = await app.inject('PUT', '/v1/workflows/wf_signed', workflow(url, 'whsec_********ZZZZ'))
      expect(foreign.status).toBe(422)
      expect(foreign.body.errors.map((e: { path: string }) => e.path)).toEqual(['steps[0].secret'])
    })

    it('refuses a malformed endpoint secret', async () => {
      app = await testApp(dialect)
      const url = 'https://hooks.example.com/recoup'
      for (const secret of [`whsec_${'A'.repeat(24)}`, `whsec_${Buffer.alloc(20, 1).toString('base64')}`, 'whsec_*not*base64*at*all*0123456789abcdef']) {
        const res = await app.inject('POST', '/v1/webhook-endpoints', { url, events: ['run.completed'], secret })
        expect(res.status, secret).toBe(422)
        expect(res.body.errors, secret).toEqual([{ path: 'secret', message: expect.stringContaining('base64 of 24 to 64 random bytes') }])
      }
      const ok = await app.inject('POST', '/v1/webhook-endpoints', { url, events: ['run.completed'], secret: SECRET })
      expect(ok.status).toBe(201)
      expect(ok.body.secret).toBe(SECRET)
    })
  })
}
