// What a customer receives from the starter workflow, through real channels: a real SMTP peer
// (smtp-server) and a node:http stand-in for Twilio, on loopback. For each decline reason the
// email is the branded layout with one button to a short link (or the bank's approval page), the
// business name and the summary, no signed token anywhere, and a text part with the link; From has
// the display name. Chromium renders each email at 600 px and 375 px (screenshots in
// test-artifacts/email/, git-ignored) with the button visible and inside the viewport, also in dark
// mode. The starter SMS fits one GSM-7 segment. A `de` customer gets German words and `49,00 €`, an
// `es` customer Spanish ones; the portal page behind the link speaks their language too.
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STARTER_WORKFLOWS } from '../src/workflows/starters.js'
import { DIALECTS, TestClock, testApp } from './helpers/dialects.js'
import { decodeHeader, part, splitHead } from './helpers/mime.js'
import { ROOT, eventually } from './helpers/server.js'

const ARTIFACTS = join(ROOT, 'test-artifacts', 'email')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PUBLIC_URL = 'https://billing.acme-cloud.com'
const SHORT = /https:\/\/billing\.acme-cloud\.com\/l\/[0-9A-Za-z]{16}/
const TOKEN = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}/
const CONFIRM_URL = 'https://invoice.stripe.com/i/acct_1Nx/test_YWNjdF8xTngsX1BheQ'
const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`
const DAY = 86_400_000
// Channels and layout do not depend on the database: SQLite only.
const sqlite = DIALECTS.find((d) => d.name === 'sqlite')!

// GSM 03.38: the basic set costs one septet, the extension table two; anything else forces UCS-2.
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà')
const GSM_EXTENDED = new Set('^{}\\[~]|€\f')
/** Septets of a GSM-7 text, or null when it needs UCS-2. */
function gsmSeptets(text: string): number | null {
  let n = 0
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) n += 1
    else if (GSM_EXTENDED.has(ch)) n += 2
    else return null
  }
  return n
}

interface Mail {
  readonly to: string
  readonly raw: string
}

async function startSmtpPeer() {
  const received: Mail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) received.push({ to: r.address, raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Twilio's Messages API as far as Recoup uses it: records each form and answers 201 with a sid. */
async function startTwilio() {
  const forms: URLSearchParams[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      forms.push(new URLSearchParams(body))
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${forms.length}`, status: 'queued' }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, forms, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

interface Case {
  readonly name: string
  readonly customer: { id: string; email: string; phone: string; name: string; locale?: string }
  readonly payment: Record<string, unknown>
}

const pay = (id: string, o: Record<string, unknown> = {}) => ({ id: `pay_${id}`, amount: 4900, currency: 'USD', subscription_id: `sub_${id}`, invoice_id: `in_${id}`, attempt: 1, ...o })
const CASES: readonly Case[] = [
  { name: 'insufficient-funds', customer: { id: 'cus_ada', email: 'ada@example.com', phone: '+15555550101', name: 'Ada Lovelace' }, payment: pay('ada', { failure_code: 'card_declined', decline_code: 'insufficient_funds' }) },
  { name: 'card-replaced', customer: { id: 'cus_grace', email: 'grace@example.com', phone: '+15555550102', name: 'Grace Hopper' }, payment: pay('grace', { failure_code: 'expired_card' }) },
  { name: 'needs-approval', customer: { id: 'cus_alan', email: 'alan@example.com', phone: '+15555550103', name: 'Alan Turing' }, payment: pay('alan', { failure_code: 'card_declined', decline_code: 'authentication_required', confirm_url: CONFIRM_URL }) },
  { name: 'declined', customer: { id: 'cus_kath', email: 'katherine@example.com', phone: '+15555550104', name: 'Katherine Johnson' }, payment: pay('kath', { failure_code: 'card_declined', decline_code: 'do_not_honor' }) },
  { name: 'de-insufficient-funds', customer: { id: 'cus_hans', email: 'hans@example.de', phone: '+4915112345678', name: 'Hans Müller', locale: 'de' }, payment: pay('hans', { currency: 'EUR', failure_code: 'insufficient_funds' }) },
  { name: 'es-card-replaced', customer: { id: 'cus_lucia', email: 'lucia@example.es', phone: '+34600123456', name: 'Lucía García', locale: 'es-ES' }, payment: pay('lucia', { currency: 'EUR', failure_code: 'expired_card' }) },
]

describe('customer messages from the starter workflow', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpPeer>>
  let twilio: Awaited<ReturnType<typeof startTwilio>>
  let app: Awaited<ReturnType<typeof testApp>>
  const clock = new TestClock()
  const mails = new Map<string, { html: string; text: string; subject: string; from: string; raw: string }>()

  const mailTo = async (address: string, index = 0) =>
    eventually(async () => smtp.received.filter((m) => m.to === address)[index], 20_000, `email ${index + 1} to ${address}`)
  const read = (raw: string) => {
    const { headers } = splitHead(raw)
    return { raw, html: part(raw, 'text/html') ?? '', text: (part(raw, 'text/plain') ?? '').replace(/\r\n/g, '\n'), subject: decodeHeader(headers.get('subject') ?? ''), from: decodeHeader(headers.get('from') ?? '') }
  }

  beforeAll(async () => {
    smtp = await startSmtpPeer()
    twilio = await startTwilio()
    app = await testApp(sqlite, {
      clock,
      env: {
        RECOUP_PUBLIC_URL: PUBLIC_URL,
        RECOUP_SMTP_URL: smtp.url,
        RECOUP_EMAIL_FROM: 'Acme Billing <billing@acme-cloud.com>',
        RECOUP_BUSINESS_NAME: 'Acme Cloud',
        RECOUP_BUSINESS_ADDRESS: 'Acme Cloud Inc., 500 Market Street, San Francisco, CA 94105',
        RECOUP_BRAND_COLOR: '#0f766e',
        RECOUP_TWILIO_ACCOUNT_SID: TWILIO_SID,
        RECOUP_TWILIO_AUTH_TOKEN: 'twilio-test-auth-token-0123456789',
        RECOUP_TWILIO_FROM: '+15555550199',
        RECOUP_TWILIO_API_BASE: twilio.url,
        RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    })
    expect((await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })).status).toBe(201)
    const { id: _id, ...starter } = STARTER_WORKFLOWS.find((w) => w.trigger.type === 'payment.failed')!
    const created = await app.inject('POST', '/v1/workflows', { ...starter, id: 'wf_starter', status: 'active', trigger: { ...starter.trigger, products: ['prod_pro'] } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    for (const c of CASES) {
      const res = await app.inject('POST', '/v1/events', { id: `evt_${c.name}`, type: 'payment.failed', occurred_at: '2026-11-21T10:00:00Z', customer: c.customer, product_ids: ['prod_pro'], payment: c.payment })
      expect(res.status, JSON.stringify(res.body)).toBe(202)
    }
    for (const c of CASES) mails.set(c.name, read((await mailTo(c.customer.email)).raw))
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await smtp?.close()
    await twilio?.close()
  })

  it('sends the email that fits each decline reason, from the business, with one button to a short link', async () => {
    const subjects = Object.fromEntries([...mails].map(([name, m]) => [name, m.subject]))
    expect(subjects).toMatchObject({
      'insufficient-funds': "Your Pro plan payment didn't go through",
      'card-replaced': 'Please update your card for Pro plan',
      'needs-approval': 'Please confirm your Pro plan payment',
      declined: "Your Pro plan payment didn't go through",
    })
    expect(mails.get('insufficient-funds')!.text).toContain('No action is needed: we will try again in a few days.')
    expect(mails.get('card-replaced')!.text).toContain('the card we have on file has expired or been replaced')
    expect(mails.get('declined')!.text).toContain('Please check with your bank, or update your card')
    const buttons = { 'insufficient-funds': 'Use a different card', 'card-replaced': 'Update card', declined: 'Update card' } as const
    for (const [name, label] of Object.entries(buttons)) {
      const m = mails.get(name)!
      expect(m.from, name).toBe('Acme Billing <billing@acme-cloud.com>')
      const button = new RegExp(`<a\\s+href="(${SHORT.source})"[^>]*>\\s*${label}\\s*</a>`).exec(m.html)
      expect(button, `${name}: a button "${label}" to a short link`).not.toBeNull()
      // The text part carries the same link.
      expect(m.text).toContain(button![1])
      expect(m.html).toContain('>Acme Cloud</div>')
      expect(m.html).toContain('500 Market Street')
      expect(m.html).toMatch(/>Product<\/td><td[^>]*>Pro plan</)
      expect(m.html).toMatch(/>Amount due<\/td><td[^>]*>\$49\.00</)
      expect(m.html).toMatch(/>Due date<\/td><td[^>]*>November 21, 2026</)
    }
    // The bank's own approval page is the button when the processor gave one.
    expect(mails.get('needs-approval')!.html).toMatch(new RegExp(`<a\\s+href="${CONFIRM_URL}"[^>]*>\\s*Confirm payment\\s*</a>`))
    for (const [name, m] of mails) {
      for (const what of [m.raw, m.html, m.text]) {
        expect(what, name).not.toContain('/portal/')
        expect(what, name).not.toMatch(TOKEN)
      }
    }
  })

  it('the short link in the email opens the update-payment page', async () => {
    const link = SHORT.exec(mails.get('card-replaced')!.html)![0]
    const redirect = await app.http.inject({ method: 'GET', url: new URL(link).pathname })
    expect(redirect.statusCode).toBe(303)
    const page = await app.http.inject({ method: 'GET', url: String(redirect.headers.location) })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Pro plan')
    expect(page.body).toContain('$49.00')
  })

  it('writes to a de customer in German, with money and dates in German: 49,00 €', async () => {
    const m = mails.get('de-insufficient-funds')!
    const plain = (s: string) => s.replace(/\u00a0/g, ' ')
    expect(m.subject).toBe('Ihre Zahlung für Pro plan ist nicht durchgegangen')
    expect(plain(m.text)).toContain('Hallo Hans Müller,\n\nIhre Bank hat die Zahlung von 49,00 € für Pro plan abgelehnt')
    expect(plain(m.text)).toContain('Sie müssen nichts tun: Wir versuchen es in einigen Tagen erneut.')
    expect(m.html).toContain('<html lang="de"')
    expect(plain(m.html)).toMatch(/>Offener Betrag<\/td><td[^>]*>49,00 €</)
    expect(m.html).toMatch(/>Fällig am<\/td><td[^>]*>21\. November 2026</)
    expect(m.html).toMatch(/>\s*Andere Karte verwenden\s*<\/a>/)
    expect(m.html).toContain('Von diesen E-Mails abmelden')
    // The page behind the link speaks German too.
    const redirect = await app.http.inject({ method: 'GET', url: new URL(SHORT.exec(m.html)![0]).pathname })
    const page = await app.http.inject({ method: 'GET', url: String(redirect.headers.location) })
    expect(page.body).toContain('<html lang="de">')
    expect(page.body).toContain('<h1>Ihre Zahlung für Pro plan ist nicht durchgegangen</h1>')
    expect(plain(page.body)).toContain('<dd class="amount">49,00 €</dd>')
    expect(page.body).toContain('Ihre Bank hat die Zahlung abgelehnt, weil das Konto zu dem Zeitpunkt nicht ausreichend gedeckt war.')
    expect(page.body).toContain('Zahlung jetzt erneut versuchen')
    // Nobody known behind a bad link: the browser's language.
    const unknown = await app.http.inject({ method: 'GET', url: '/l/AAAAAAAAAAAAAAAA', headers: { 'accept-language': 'fr-FR;q=0.9, es;q=0.8, en;q=0.5' } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.body).toContain('Este enlace no es válido')
    const es = mails.get('es-card-replaced')!
    expect(es.subject).toBe('Actualiza tu tarjeta para Pro plan')
    expect(plain(es.text)).toContain('Hola Lucía García:\n\nNo pudimos cobrar 49,00 € de Pro plan')
    expect(es.html).toMatch(/>\s*Actualizar tarjeta\s*<\/a>/)
  })

  it('after the wait, a last email and an SMS of one GSM-7 segment with the short link', async () => {
    clock.advance(3 * DAY + 60_000)
    app.scheduler!.wake()
    const texts: Record<string, string> = {}
    for (const c of CASES.filter((x) => x.name.endsWith('card-replaced'))) {
      const last = read((await mailTo(c.customer.email, 1)).raw)
      mails.set(`${c.name}-still-due`, last)
      const sms = await eventually(async () => twilio.forms.find((f) => f.get('To') === c.customer.phone), 20_000, `an SMS to ${c.customer.phone}`)
      texts[c.name] = sms.get('Body')!
    }
    expect(mails.get('card-replaced-still-due')!.subject).toBe('Action needed: your Pro plan payment is still due')
    expect(mails.get('es-card-replaced-still-due')!.subject).toBe('Acción necesaria: tu pago de Pro plan sigue pendiente')
    expect(texts['card-replaced']).toMatch(new RegExp(`^Acme Cloud: your Pro plan payment of \\$49\\.00 is still due\\. Update your card: ${SHORT.source}$`))
    expect(texts['es-card-replaced']).toMatch(new RegExp(`^Acme Cloud: tu pago de 49,00 € de Pro plan sigue pendiente\\. Actualiza tu tarjeta: ${SHORT.source}$`))
    for (const [name, body] of Object.entries(texts)) {
      const septets = gsmSeptets(body)
      expect(septets, `${name}: GSM-7 only`).not.toBeNull()
      expect(septets!, `${name}: ${body}`).toBeLessThanOrEqual(160)
      console.log(`starter SMS (${name}): ${septets} GSM-7 characters: ${body}`)
    }
  }, 60_000)

  it('the preview shows the same messages, the SMS as long as the one sent', async () => {
    const sample = (c: Case) => ({ id: 'evt_preview', type: 'payment.failed', occurred_at: '2026-11-21T10:00:00Z', customer: c.customer, product_ids: ['prod_pro'], payment: c.payment })
    for (const c of CASES) {
      const res = await app.inject('POST', '/v1/workflows/wf_starter/test', { event: sample(c) })
      expect(res.status).toBe(200)
      const email = (res.body.steps as { type: string; subject?: string; html?: string }[]).find((s) => s.type === 'send_email')!
      expect(email.subject, c.name).toBe(mails.get(c.name)!.subject)
      expect(email.html).toContain('<html lang=')
      expect(email.html).toContain('Acme Cloud')
    }
    const es = CASES.find((c) => c.name === 'es-card-replaced')!
    const steps = (await app.inject('POST', '/v1/workflows/wf_starter/test', { event: sample(es) })).body.steps as { type: string; body?: string }[]
    const sms = steps.find((s) => s.type === 'send_sms')!
    const sent = twilio.forms.find((f) => f.get('To') === es.customer.phone)!.get('Body')!
    expect(sms.body!.length).toBe(sent.length)
    // The starter SMS in every language fits one segment with realistic names and a real link's length.
    for (const c of CASES) {
      const preview = (await app.inject('POST', '/v1/workflows/wf_starter/test', { event: sample(c) })).body.steps as { type: string; body?: string }[]
      const text = preview.find((s) => s.type === 'send_sms')!.body!
      expect(gsmSeptets(text), `${c.name}: ${text}`).toBeLessThanOrEqual(160)
    }
  })

  describe.skipIf(!existsSync(CHROMIUM))('in Chromium', () => {
    let browser: Browser
    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true })
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    })
    afterAll(async () => browser?.close())

    it('renders each email at 600 px and 375 px with the button visible and inside the viewport, also in dark mode', async () => {
      const page = await browser.newPage()
      try {
        for (const [name, m] of mails) {
          for (const width of [600, 375]) {
            await page.emulateMedia({ colorScheme: 'light' })
            await page.setViewportSize({ width, height: 900 })
            await page.setContent(m.html, { waitUntil: 'load' })
            const button = page.locator('td.rc-button a')
            await button.scrollIntoViewIfNeeded()
            expect(await button.isVisible(), `${name} at ${width}px`).toBe(true)
            const box = (await button.boundingBox())!
            expect(box.x, `${name} at ${width}px`).toBeGreaterThanOrEqual(0)
            expect(box.x + box.width, `${name} at ${width}px`).toBeLessThanOrEqual(width)
            expect(box.y + box.height, `${name} at ${width}px`).toBeLessThanOrEqual(900)
            expect(box.height).toBeGreaterThanOrEqual(44)
            expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `${name} scrolls sideways at ${width}px`).toBeLessThanOrEqual(width)
            await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true })
            await page.emulateMedia({ colorScheme: 'dark' })
            const colours = await page.evaluate<string[]>("(() => { const s = getComputedStyle(document.querySelector('td.rc-button a')); return [s.backgroundColor, s.color] })()")
            expect(colours, `${name} in dark mode`).toEqual(['rgb(15, 118, 110)', 'rgb(255, 255, 255)'])
          }
        }
      } finally {
        await page.close()
      }
    }, 120_000)
  })
})
