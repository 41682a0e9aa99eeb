// Inbound SMS from Twilio: a correctly signed STOP marks every customer with that phone as opted
// out of SMS, START opts them back in, and a missing or wrong X-Twilio-Signature changes nothing.
// The expected signature is computed here independently, pinned to Twilio's published example.
import { createHmac } from 'node:crypto'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { twilioInboundRoutes } from '../src/http/webhooks/twilio.js'
import { DIALECTS, testApp } from './helpers/dialects.js'

type TestApp = Awaited<ReturnType<typeof testApp>>

const AUTH_TOKEN = 'twilio-test-auth-token-0123456789'
const PUBLIC_URL = 'https://recoup.example.com'
const WEBHOOK_URL = `${PUBLIC_URL}/v1/webhooks/twilio`
const ADA = '+15555550100'

/**
 * Twilio's documented algorithm (twilio.com/docs/usage/security): the full URL, then each POST
 * parameter's name and value, sorted by name, with no separators; HMAC-SHA1 with the auth token; base64.
 */
function expectedSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url)
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64')
}

function inbound(params: Record<string, string>): Record<string, string> {
  return { AccountSid: 'AC0000', MessageSid: 'SM0000', To: '+15555550199', NumMedia: '0', ...params }
}

describe('the test signer follows Twilio', () => {
  it("reproduces Twilio's published example signature", () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' }
    expect(expectedSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
  })
})

for (const dialect of DIALECTS) {
  describe(`twilio inbound webhook (${dialect.name})`, () => {
    let app: TestApp
    let hook: FastifyInstance
    let disabled: FastifyInstance

    const post = (params: Record<string, string>, signature?: string, target: FastifyInstance = hook): Promise<LightMyRequestResponse> =>
      target.inject({
        method: 'POST',
        url: '/v1/webhooks/twilio',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
          ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}),
        },
        payload: new URLSearchParams(params).toString(),
      })
    const signed = (params: Record<string, string>) => post(params, expectedSignature(AUTH_TOKEN, WEBHOOK_URL, params))
    const smsOptOut = async (id: string): Promise<boolean> => (await app.inject('GET', `/v1/customers/${id}`)).body.sms_opt_out

    beforeAll(async () => {
      app = await testApp(dialect)
      // Two customer records share Ada's phone (e.g. two accounts); a third has another number.
      for (const [id, phone] of [['cus_ada', ADA], ['cus_ada_work', ADA], ['cus_bob', '+15555550111']]) {
        expect((await app.inject('PUT', `/v1/customers/${id}`, { phone })).status).toBeLessThan(300)
      }
      hook = Fastify()
      twilioInboundRoutes(hook, { db: app.store.db, authToken: AUTH_TOKEN, publicUrl: `${PUBLIC_URL}/` })
      disabled = Fastify()
      twilioInboundRoutes(disabled, { db: app.store.db, publicUrl: PUBLIC_URL })
      await Promise.all([hook.ready(), disabled.ready()])
    })
    afterAll(async () => {
      await hook?.close()
      await disabled?.close()
      await app?.close()
    })

    it('opts out every customer with that phone on a signed STOP, and answers empty TwiML', async () => {
      const res = await signed(inbound({ From: ADA, Body: '  stop ' }))
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/xml/)
      expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>')
      expect(await smsOptOut('cus_ada')).toBe(true)
      expect(await smsOptOut('cus_ada_work')).toBe(true)
      expect(await smsOptOut('cus_bob')).toBe(false)
    })

    it('opts back in on START, and ignores ordinary replies', async () => {
      expect((await signed(inbound({ From: ADA, Body: 'Start' }))).statusCode).toBe(200)
      expect(await smsOptOut('cus_ada')).toBe(false)
      expect(await smsOptOut('cus_ada_work')).toBe(false)

      expect((await signed(inbound({ From: ADA, Body: 'please stop charging me twice' }))).statusCode).toBe(200)
      expect(await smsOptOut('cus_ada')).toBe(false)

      for (const word of ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit']) {
        expect((await signed(inbound({ From: '+15555550111', Body: word }))).statusCode).toBe(200)
        expect(await smsOptOut('cus_bob')).toBe(true)
        expect((await signed(inbound({ From: '+15555550111', Body: 'yes' }))).statusCode).toBe(200)
        expect(await smsOptOut('cus_bob')).toBe(false)
      }
    })

    it('refuses a missing or wrong signature with 403 problem+json and changes nothing', async () => {
      const params = inbound({ From: ADA, Body: 'STOP' })
      const good = expectedSignature(AUTH_TOKEN, WEBHOOK_URL, params)
      const attempts = [
        await post(params),
        await post(params, good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.at(-1)),
        await post(params, expectedSignature('another-token', WEBHOOK_URL, params)),
        await post(params, expectedSignature(AUTH_TOKEN, 'https://evil.example.com/v1/webhooks/twilio', params)),
        // Signed for one body, sent with another (the From swapped to Bob's).
        await post({ ...params, From: '+15555550111' }, good),
      ]
      for (const res of attempts) {
        expect(res.statusCode).toBe(403)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(res.json()).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 403, detail: expect.stringContaining('X-Twilio-Signature') })
      }
      expect(await smsOptOut('cus_ada')).toBe(false)
      expect(await smsOptOut('cus_bob')).toBe(false)
    })

    it("accepts a signature over the URL with the default port, as Twilio's SDKs do", async () => {
      const params = inbound({ From: ADA, Body: 'STOP' })
      const res = await post(params, expectedSignature(AUTH_TOKEN, 'https://recoup.example.com:443/v1/webhooks/twilio', params))
      expect(res.statusCode).toBe(200)
      expect(await smsOptOut('cus_ada')).toBe(true)
      expect((await signed(inbound({ From: ADA, Body: 'UNSTOP' }))).statusCode).toBe(200)
      expect(await smsOptOut('cus_ada')).toBe(false)
    })

    it('answers 404 problem+json when no auth token is configured', async () => {
      const params = inbound({ From: ADA, Body: 'STOP' })
      const res = await post(params, expectedSignature(AUTH_TOKEN, WEBHOOK_URL, params), disabled)
      expect(res.statusCode).toBe(404)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ status: 404, detail: expect.stringContaining('RECOUP_TWILIO_AUTH_TOKEN') })
      expect(await smsOptOut('cus_ada')).toBe(false)
    })
  })
}
