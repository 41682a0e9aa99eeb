// Short customer links over a real store and the real engine: a run's SMS and email carry
// `<public url>/l/<16 characters>` instead of a signed URL; the link opens the right portal page
// (303 to it, no token in any Referer); unknown codes answer 404, expired ones 410, a link used for
// another purpose is refused, misses from one address are rate-limited, and a step sent again
// names the same stored link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LinkSigner } from '../src/domain/links.js'
import { findShortLink, saveShortLinks } from '../src/store/repos/short-links.js'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type TestApp = Awaited<ReturnType<typeof testApp>>
const DAY = 86_400_000
const SHORT = /http:\/\/recoup\.test\/l\/([0-9A-Za-z]{16})\b/

const workflow = {
  id: 'wf_links',
  name: 'Links',
  status: 'active',
  trigger: { type: 'payment.failed', products: ['prod_pro'] },
  steps: [
    { id: 'text', type: 'send_sms', body: '{{ business.name }}: your {{ product.name }} payment failed. Update your card: {{ links.update_payment }}' },
    { id: 'mail', type: 'send_email', subject: 'Payment failed', body: 'Update your card: {{ links.update_payment }}' },
  ],
}

for (const dialect of DIALECTS) {
  describe(`short links (${dialect.name})`, () => {
    let app: TestApp
    const clock = new TestClock()
    let runId = ''
    let code = ''
    const get = (url: string, headers: Record<string, string> = {}) => app.http.inject({ method: 'GET', url, headers })

    beforeAll(async () => {
      app = await testApp(dialect, { clock, env: { RECOUP_BUSINESS_NAME: 'Acme' } })
      expect((await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })).status).toBe(201)
      expect((await app.inject('POST', '/v1/workflows', workflow)).status).toBe(201)
      const res = await app.inject('POST', '/v1/events', paymentFailed('evt_links_1'))
      runId = res.body.runs[0].id
      await eventually(async () => (await app.inject('GET', `/v1/runs/${runId}`)).body.status === 'completed', 20_000, 'the run to complete')
    })
    afterAll(async () => app?.close())

    it('messages carry a short link, stored with its purpose, run, customer and expiry', async () => {
      const messages = await app.store.db.selectFrom('messages').selectAll().where('run_id', '=', runId).orderBy('created_at').execute()
      const sms = messages.find((m) => m.channel === 'sms')!
      expect(sms.body).toMatch(SHORT)
      expect(sms.body).not.toContain('/portal/')
      code = SHORT.exec(sms.body)![1]!
      // The SMS is one GSM-7 segment with a realistic name and product.
      expect(sms.body.length).toBeLessThanOrEqual(160)
      // Both messages name the same link: one row per run and purpose.
      expect(messages.find((m) => m.channel === 'email')!.body).toContain(`/l/${code}`)
      const row = await findShortLink(app.store.db, code)
      expect(row).toMatchObject({ purpose: 'update_payment', run_id: runId, customer_id: 'cus_ada' })
      const ttl = Date.parse(row!.expires_at) - clock.now()
      expect(ttl).toBeGreaterThan(13 * DAY)
      expect(ttl).toBeLessThanOrEqual(14 * DAY)
    })

    it('opens the update-payment page: 303 to the signed page, no referrer, and the page renders', async () => {
      const res = await get(`/l/${code}`)
      expect(res.statusCode).toBe(303)
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['cache-control']).toBe('no-store')
      const location = String(res.headers.location)
      expect(location).toMatch(/^\/portal\/update-payment\/[\w-]+\.[\w-]+$/)
      const page = await get(location)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('$49.00')
      expect(page.headers['referrer-policy']).toBe('no-referrer')
    })

    it('refuses a link for another purpose: its token opens no other page, and it takes no unsubscribe', async () => {
      const token = String((await get(`/l/${code}`)).headers.location).split('/').pop()!
      expect((await get(`/portal/unsubscribe/${token}`)).statusCode).toBe(404)
      expect((await get(`/portal/offer/${token}`)).statusCode).toBe(404)
      const oneClick = await app.http.inject({ method: 'POST', url: `/l/${code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
      expect(oneClick.statusCode).toBe(400)
      const customer = await app.inject('GET', '/v1/customers/cus_ada')
      expect(customer.body.email_opt_out).toBe(false)
    })

    it('answers 404 for unknown and malformed codes, as an HTML page', async () => {
      for (const bad of ['AAAAAAAAAAAAAAAA', code.slice(0, 15), `${code}x`, 'not-a-code-at-all']) {
        const res = await get(`/l/${bad}`, { 'x-forwarded-for': '1.1.1.1' })
        expect(res.statusCode, bad).toBe(404)
        expect(res.headers['content-type']).toMatch(/^text\/html/)
        expect(res.body).toContain('This link is not valid')
      }
    })

    it('a step sent again names the same link and keeps it open longer, never shorter', async () => {
      const before = (await findShortLink(app.store.db, code))!
      const later = new Date(Date.parse(before.expires_at) + DAY).toISOString()
      const again = { code, purpose: 'update_payment', run_id: runId, customer_id: 'cus_ada' }
      await saveShortLinks(app.store.db, [{ ...again, expires_at: later }], new Date().toISOString())
      expect((await findShortLink(app.store.db, code))!.expires_at).toBe(later)
      await saveShortLinks(app.store.db, [{ ...again, expires_at: before.expires_at }], new Date().toISOString())
      expect((await findShortLink(app.store.db, code))!.expires_at).toBe(later)
      // A code is never taken over by another run's link.
      await saveShortLinks(app.store.db, [{ ...again, run_id: 'run_other', expires_at: new Date(Date.parse(later) + DAY).toISOString() }], new Date().toISOString())
      expect((await findShortLink(app.store.db, code))!).toMatchObject({ run_id: runId, expires_at: later })
      const rows = await app.store.db.selectFrom('short_links').selectAll().where('purpose', '=', 'update_payment').execute()
      expect(rows.map((r) => r.code)).toEqual([code])
    })

    it('answers 410 once the link has expired', async () => {
      const row = (await findShortLink(app.store.db, code))!
      clock.advance(Date.parse(row.expires_at) - clock.now() + 1000)
      const res = await get(`/l/${code}`)
      expect(res.statusCode).toBe(410)
      expect(res.body).toContain('This link has expired')
    })

    it('rate-limits misses per client address: guessing gets 429 with Retry-After', async () => {
      const guess = (i: number) => app.http.inject({ method: 'GET', url: `/l/${String(i).padStart(16, 'Z')}`, remoteAddress: '203.0.113.9' })
      const statuses: number[] = []
      for (let i = 0; i < 25; i++) statuses.push((await guess(i)).statusCode)
      expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true)
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true)
      expect(Number((await guess(99)).headers['retry-after'])).toBeGreaterThan(0)
      // Another address is not held up.
      expect((await app.http.inject({ method: 'GET', url: '/l/ZZZZZZZZZZZZZZZZ', remoteAddress: '203.0.113.10' })).statusCode).toBe(404)
    })
  })
}

describe('short links: LinkSigner', () => {
  it('the code in a message is the HMAC-derived one for its run and purpose', () => {
    const signer = new LinkSigner({ secret: 'x'.repeat(32), publicUrl: 'https://pay.acme.com' })
    expect(signer.shortUrl(signer.shortCode('update_payment', 'run_1'))).toMatch(/^https:\/\/pay\.acme\.com\/l\/[0-9A-Za-z]{16}$/)
  })
})
