// The customer portal over a real store: signed links open the right page, a retry request is
// recorded once as an event, unsubscribe (form and RFC 8058 one-click) sets email_opt_out, and a
// tampered, expired or misused link gets a friendly HTML page with a 4xx. Then the same page in
// real Chromium at phone size (screenshots in test-artifacts/portal/, git-ignored).
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LinkSigner, type LinkClaims } from '../src/domain/links.js'
import { portalRoutes } from '../src/http/portal/routes.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, paymentSucceeded, recoveryWorkflow } from './helpers/fixtures.js'

type TestApp = Awaited<ReturnType<typeof testApp>>

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const ARTIFACTS = join(ROOT, 'test-artifacts', 'portal')
const SECRET = 'portal-test-secret-0123456789abcdef'
const DAY = 24 * 3600 * 1000
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const signer = new LinkSigner({ secret: SECRET, publicUrl: 'http://portal.test' })

/** A fresh app with one product, the example workflow and one failed payment: returns the run id. */
async function seeded(app: TestApp): Promise<string> {
  expect((await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })).status).toBe(201)
  expect((await app.inject('POST', '/v1/workflows', recoveryWorkflow())).status).toBe(201)
  const res = await app.inject('POST', '/v1/events', paymentFailed('evt_fail_1'))
  expect(res.status).toBe(202)
  expect(res.body.runs).toHaveLength(1)
  return res.body.runs[0].id as string
}

function portalFor(app: TestApp): FastifyInstance {
  const portal = Fastify()
  portalRoutes(portal, { db: app.store.db, links: signer, ingestor: app.ingestor, now: Date.now, businessName: 'Acme Cloud' })
  return portal
}

function path(claims: LinkClaims): string {
  return new URL(signer.url(claims)).pathname
}

function expectFriendlyPage(res: LightMyRequestResponse, status: number, text: string): void {
  expect(res.statusCode).toBe(status)
  expect(res.headers['content-type']).toMatch(/^text\/html/)
  expect(res.body).toContain(text)
  expect(res.body).toMatch(/^<!doctype html>/)
  // Never a stack trace or an internal error name.
  expect(res.body).not.toMatch(/\bat .+:\d+:\d+|Error:|PortalPageError|NotFoundError/)
}

for (const dialect of DIALECTS) {
  describe(`customer portal (${dialect.name})`, () => {
    let app: TestApp
    let portal: FastifyInstance
    let runId: string
    const claims = (p: LinkClaims['p'], o: Partial<LinkClaims> = {}): LinkClaims => ({ p, run: runId, cus: 'cus_ada', exp: Date.now() + DAY, ...o })

    beforeAll(async () => {
      app = await testApp(dialect)
      runId = await seeded(app)
      portal = portalFor(app)
      await portal.ready()
    })
    afterAll(async () => {
      await portal?.close()
      await app?.close()
    })

    it('shows the product, the amount due and what happened, with the security headers', async () => {
      const res = await portal.inject({ method: 'GET', url: path(claims('update_payment')) })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.body).toContain('<html lang="en">')
      expect(res.body).toContain('name="viewport"')
      expect(res.body).toContain('<main')
      expect(res.body).toContain('Pro')
      expect(res.body).toContain('$49.00')
      expect(res.body).toContain('Your card was declined.')
      expect(res.body).toContain('Acme Cloud')
      expect(res.body).toMatch(/<button type="submit">Retry my payment now<\/button>/)
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['cache-control']).toBe('no-store')
    })

    it('records a retry request once, however often the button is pressed the same day', async () => {
      const url = `${path(claims('update_payment'))}/retry`
      const first = await portal.inject({ method: 'POST', url, headers: FORM, payload: 'action=retry' })
      expectFriendlyPage(first, 200, 'we will retry your payment')
      expect(first.headers['cache-control']).toBe('no-store')
      const second = await portal.inject({ method: 'POST', url, headers: FORM, payload: 'action=retry' })
      expectFriendlyPage(second, 200, 'We already have your request')

      const eventId = `portal_retry_${runId}_${new Date().toISOString().slice(0, 10)}`
      const event = await app.inject('GET', `/v1/events/${eventId}`)
      expect(event.status).toBe(200)
      expect(event.body).toMatchObject({
        type: 'payment.retry_requested',
        customer: { id: 'cus_ada' },
        product_ids: ['prod_pro'],
        subscription_id: 'sub_ada',
        metadata: { source: 'portal', run_id: runId },
      })
      const all = await app.store.db.selectFrom('events').select('id').where('type', '=', 'payment.retry_requested').execute()
      expect(all).toHaveLength(1)
    })

    it('refuses posts that are not our form, and records nothing', async () => {
      const url = `${path(claims('update_payment'))}/retry`
      expectFriendlyPage(await portal.inject({ method: 'POST', url, headers: FORM, payload: '' }), 400, 'use the button')
      expectFriendlyPage(await portal.inject({ method: 'POST', url, payload: { action: 'retry' } }), 400, 'use the button')
      expectFriendlyPage(
        await portal.inject({ method: 'POST', url, headers: { ...FORM, 'sec-fetch-site': 'cross-site' }, payload: 'action=retry' }),
        403,
        'use the button',
      )
      expectFriendlyPage(await portal.inject({ method: 'POST', url, headers: FORM, payload: `action=retry&pad=${'x'.repeat(100_000)}` }), 413, 'We could not read that request')
      const all = await app.store.db.selectFrom('events').select('id').where('type', '=', 'payment.retry_requested').execute()
      expect(all).toHaveLength(1)
    })

    it('answers a tampered link with a friendly 404 page', async () => {
      const good = signer.token(claims('update_payment'))
      const [body, mac] = good.split('.')
      const flipped = `${body}.${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`
      const forged = Buffer.from(JSON.stringify(claims('update_payment', { cus: 'cus_mallory' }))).toString('base64url')
      for (const token of [flipped, `${forged}.${mac}`, 'not-a-token', `${body}.`]) {
        const res = await portal.inject({ method: 'GET', url: `/portal/update-payment/${token}` })
        expectFriendlyPage(res, 404, 'This link is not valid')
        expect(res.headers['content-security-policy']).toContain("default-src 'none'")
      }
      const post = await portal.inject({ method: 'POST', url: `/portal/update-payment/${flipped}/retry`, headers: FORM, payload: 'action=retry' })
      expectFriendlyPage(post, 404, 'This link is not valid')
    })

    it('answers an expired link with 410 and a link for another purpose with 404', async () => {
      const expired = await portal.inject({ method: 'GET', url: path(claims('update_payment', { exp: Date.now() - 1000 })) })
      expectFriendlyPage(expired, 410, 'This link has expired')
      expect(expired.body).toContain('newest email')
      const offerToken = signer.token(claims('offer'))
      expectFriendlyPage(await portal.inject({ method: 'GET', url: `/portal/update-payment/${offerToken}` }), 404, 'This link is not valid')
      const unsubToken = signer.token(claims('unsubscribe'))
      expectFriendlyPage(await portal.inject({ method: 'GET', url: `/portal/offer/${unsubToken}` }), 404, 'This link is not valid')
    })

    it('answers a link to an unknown run, or an unknown portal path, with a 404 page', async () => {
      expectFriendlyPage(await portal.inject({ method: 'GET', url: path(claims('update_payment', { run: 'run_gone' })) }), 404, 'could not find this payment')
      expectFriendlyPage(await portal.inject({ method: 'GET', url: path(claims('update_payment', { cus: 'cus_other' })) }), 404, 'could not find this payment')
      const res = await portal.inject({ method: 'GET', url: '/portal/nowhere' })
      expectFriendlyPage(res, 404, 'This link is not valid')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
    })

    it('shows the offer page hook: no open offer yet', async () => {
      expectFriendlyPage(await portal.inject({ method: 'GET', url: path(claims('offer')) }), 200, 'There is no open offer right now')
    })

    it('unsubscribes after confirmation on the page', async () => {
      const url = path(claims('unsubscribe'))
      const page = await portal.inject({ method: 'GET', url })
      expectFriendlyPage(page, 200, 'Unsubscribe me')
      expect(page.body).toContain('a••@example.com')
      expect(page.body).not.toContain('ada@example.com')
      expect((await app.inject('GET', '/v1/customers/cus_ada')).body.email_opt_out).toBe(false)

      expectFriendlyPage(await portal.inject({ method: 'POST', url, headers: FORM, payload: 'action=unsubscribe' }), 200, "You're unsubscribed")
      expect((await app.inject('GET', '/v1/customers/cus_ada')).body.email_opt_out).toBe(true)
      expectFriendlyPage(await portal.inject({ method: 'GET', url }), 200, "You're unsubscribed")
    })

    it('accepts the RFC 8058 one-click post, form-encoded or multipart', async () => {
      for (const id of ['cus_grace', 'cus_linus']) {
        expect((await app.inject('PUT', `/v1/customers/${id}`, { email: `${id}@example.com` })).status).toBeLessThan(300)
      }
      const grace = await portal.inject({ method: 'POST', url: path(claims('unsubscribe', { cus: 'cus_grace' })), headers: FORM, payload: 'List-Unsubscribe=One-Click' })
      expect(grace.statusCode).toBe(200)
      expect((await app.inject('GET', '/v1/customers/cus_grace')).body.email_opt_out).toBe(true)

      const boundary = 'recoupBoundary42'
      const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`
      const linus = await portal.inject({
        method: 'POST',
        url: path(claims('unsubscribe', { cus: 'cus_linus' })),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: multipart,
      })
      expect(linus.statusCode).toBe(200)
      expect((await app.inject('GET', '/v1/customers/cus_linus')).body.email_opt_out).toBe(true)

      // A bare POST without the one-click body or our form field changes nothing.
      expect((await app.inject('PUT', '/v1/customers/cus_bare', { email: 'bare@example.com' })).status).toBeLessThan(300)
      const bare = await portal.inject({ method: 'POST', url: path(claims('unsubscribe', { cus: 'cus_bare' })), headers: FORM, payload: '' })
      expectFriendlyPage(bare, 400, 'use the button')
      expect((await app.inject('GET', '/v1/customers/cus_bare')).body.email_opt_out).toBe(false)
    })

    it('says there is nothing to do once the payment has gone through', async () => {
      expect((await app.inject('POST', '/v1/events', paymentSucceeded('evt_paid_1'))).status).toBe(202)
      expectFriendlyPage(await portal.inject({ method: 'GET', url: path(claims('update_payment')) }), 200, "You're all set")
    })
  })
}

describe('customer portal in Chromium at phone size', () => {
  let app: TestApp
  let portal: FastifyInstance
  let base: string
  let runId: string

  beforeAll(async () => {
    app = await testApp(DIALECTS[0])
    runId = await seeded(app)
    portal = portalFor(app)
    base = await portal.listen({ host: '127.0.0.1', port: 0 })
    mkdirSync(ARTIFACTS, { recursive: true })
  })
  afterAll(async () => {
    await portal?.close()
    await app?.close()
  })

  it('shows the amount due, takes a tap on retry and confirms', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } })
      const cspViolations: string[] = []
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
      })
      const token = signer.token({ p: 'update_payment', run: runId, cus: 'cus_ada', exp: Date.now() + DAY })
      const res = await page.goto(`${base}/portal/update-payment/${token}`)
      expect(res?.status()).toBe(200)
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain("Your Pro payment didn't go through")
      expect(await page.getByRole('main').textContent()).toContain('$49.00')

      const button = page.getByRole('button', { name: 'Retry my payment now' })
      const box = await button.boundingBox()
      expect(box?.height).toBeGreaterThanOrEqual(44)
      // Fluid layout: nothing wider than the phone, so no sideways scrolling.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375)
      await page.screenshot({ path: join(ARTIFACTS, 'update-payment-375.png'), fullPage: true })

      await Promise.all([page.waitForURL(/\/retry$/), button.click()])
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Thanks — we will retry your payment')
      await page.screenshot({ path: join(ARTIFACTS, 'retry-requested-375.png'), fullPage: true })
      expect(cspViolations).toEqual([])

      const eventId = `portal_retry_${runId}_${new Date().toISOString().slice(0, 10)}`
      expect((await app.inject('GET', `/v1/events/${eventId}`)).body.type).toBe('payment.retry_requested')
    } finally {
      await browser.close()
    }
  })
})
