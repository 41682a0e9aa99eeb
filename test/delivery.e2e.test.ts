// Delivery end to end: the real server process (`recoup start`) runs a payment.failed workflow and
// delivers through real channels to real peers on loopback — an SMTP server (smtp-server), and
// node:http servers standing in for Twilio, a Slack incoming webhook and a webhook receiver that
// checks the Standard Webhooks signature with the `standardwebhooks` package. Then the failure paths
// through the engine: an SMTP 451 retried with backoff, a 550 failing the run at once, and an SMS
// skipped for a customer who opted out. Asserts nothing about time; every wait is bounded.
import { randomBytes } from 'node:crypto'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stableMessageId } from '../src/channels/smtp-email.js'
import { paymentFailed } from './helpers/fixtures.js'
import { part, splitHead } from './helpers/mime.js'
import { eventually, startServer, type RunningServer } from './helpers/server.js'

const FROM_NAME = 'Acme Billing'
const FROM_ADDRESS = 'billing@acme.test'
const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`
const TWILIO_TOKEN = 'twilio-test-auth-token-0123456789'
const TWILIO_FROM = '+15555550199'
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`

// ---------------------------------------------------------------------------------------------
// Peers on loopback.

interface Mail {
  readonly mailFrom: string
  readonly rcptTo: readonly string[]
  readonly raw: string
}

/**
 * A real SMTP server. Recipients starting `greylist-` get a 451 at RCPT TO on their first attempt
 * (accepted after); recipients starting `bounce-` get a 550 after DATA (the content is refused).
 */
async function startSmtpPeer() {
  const received: Mail[] = []
  const rcptAttempts = new Map<string, number>()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const n = (rcptAttempts.get(address.address) ?? 0) + 1
      rcptAttempts.set(address.address, n)
      if (address.address.startsWith('greylist-') && n === 1) {
        return callback(Object.assign(new Error('4.7.1 Greylisted, please try again later'), { responseCode: 451 }))
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const rcptTo = session.envelope.rcptTo.map((a) => a.address)
        if (rcptTo.some((a) => a.startsWith('bounce-'))) {
          return callback(Object.assign(new Error('5.7.1 Message rejected by content policy (ref 8f2c)'), { responseCode: 550 }))
        }
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
        received.push({ mailFrom, rcptTo, raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rcptAttempts,
    to: (address: string) => received.filter((m) => m.rcptTo.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

interface HttpRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** What the peer answered: status and body. */
  answered?: number
  answer?: string
}

/** A node:http server on 127.0.0.1 that records every request and answers with `answer`. */
async function startHttpPeer(answer: (req: HttpRequest) => { status: number; body?: string; headers?: Record<string, string> }) {
  const requests: HttpRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: HttpRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      requests.push(r)
      const a = answer(r)
      r.answered = a.status
      r.answer = a.body ?? ''
      res.writeHead(a.status, a.headers ?? { 'content-type': 'application/json' })
      res.end(a.body ?? '')
    })
  })
  return { ...(await listenOnLoopback(server)), requests }
}

/**
 * Twilio's Messages API as far as Recoup uses it: checks the path, Basic auth and form fields, and
 * answers 201 with a message sid — or the 4xx Twilio would give, so a wrong request fails the step.
 */
function twilioAnswer(req: HttpRequest): { status: number; body: string } {
  const expectedAuth = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`
  if (req.method !== 'POST' || req.path !== `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`) {
    return { status: 404, body: JSON.stringify({ code: 20404, message: 'The requested resource was not found' }) }
  }
  if (req.headers.authorization !== expectedAuth) return { status: 401, body: JSON.stringify({ code: 20003, message: 'Authenticate' }) }
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return { status: 400, body: JSON.stringify({ code: 21600, message: 'expected a form body' }) }
  }
  const form = new URLSearchParams(req.body)
  if (!form.get('To') || form.get('From') !== TWILIO_FROM || !form.get('Body')) {
    return { status: 400, body: JSON.stringify({ code: 21604, message: 'To, From and Body are required' }) }
  }
  return { status: 201, body: JSON.stringify({ sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to: form.get('To') }) }
}

/**
 * The public address in RECOUP_PUBLIC_URL: a reverse proxy on loopback in front of the server, as in
 * production. (startServer picks the server's port itself, so the public URL cannot be the server's
 * own address; a distinct one also proves links are built from RECOUP_PUBLIC_URL.)
 */
async function startPublicProxy() {
  let target: URL | undefined
  const server = createServer((req, res) => {
    if (!target) {
      res.writeHead(503).end('no upstream yet')
      return
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end('bad gateway'))
    req.pipe(upstream)
  })
  return { ...(await listenOnLoopback(server)), forwardTo: (url: string) => void (target = new URL(url)) }
}

/** Listens on 127.0.0.1 and an ephemeral port; `close` also drops kept-alive connections. */
async function listenOnLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------

type Step = { id: string; status: string; attempts: number; error: string | null; output: unknown }
type Run = { id: string; status: string; error?: string | null; steps: Step[] }

function outputOf(step: Step | undefined): Record<string, any> {
  const o = step?.output
  return (typeof o === 'string' ? JSON.parse(o) : (o ?? {})) as Record<string, any>
}

/** The shared payment.failed fixture for `customer` (on a subscription of their own) and `product`. */
function failedPayment(id: string, customer: { id: string; email: string; phone?: string; name: string }, product: string) {
  return { ...paymentFailed(id, { customer: customer.id, subscription: `sub_${customer.id}`, product }), customer }
}

describe('delivery end to end: the real server process and real peers on loopback', () => {
  let server: RunningServer
  let smtp: Awaited<ReturnType<typeof startSmtpPeer>>
  let twilio: Awaited<ReturnType<typeof startHttpPeer>>
  let slack: Awaited<ReturnType<typeof startHttpPeer>>
  let hooks: Awaited<ReturnType<typeof startHttpPeer>>
  let publicSite: Awaited<ReturnType<typeof startPublicProxy>>

  beforeAll(async () => {
    smtp = await startSmtpPeer()
    twilio = await startHttpPeer(twilioAnswer)
    slack = await startHttpPeer(() => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } }))
    hooks = await startHttpPeer(() => ({ status: 204 }))
    publicSite = await startPublicProxy()
    server = await startServer({
      env: {
        RECOUP_SMTP_URL: smtp.url,
        RECOUP_EMAIL_FROM: `"${FROM_NAME}" <${FROM_ADDRESS}>`,
        RECOUP_BUSINESS_NAME: 'Acme Cloud',
        RECOUP_BUSINESS_ADDRESS: '1 Main Street, Springfield',
        RECOUP_TWILIO_ACCOUNT_SID: TWILIO_SID,
        RECOUP_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        RECOUP_TWILIO_FROM: TWILIO_FROM,
        RECOUP_TWILIO_API_BASE: twilio.url,
        RECOUP_WEBHOOK_SECRET: WEBHOOK_SECRET,
        RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true',
        RECOUP_PUBLIC_URL: publicSite.url,
        RECOUP_RETRY_BASE_MS: '50',
        RECOUP_RETRY_MAX_ATTEMPTS: '3',
      },
    })
    publicSite.forwardTo(server.url)

    /** POSTs a product or workflow definition, which must be created. */
    const create = async (path: string, definition: unknown) => {
      const res = await server.api('POST', path, definition)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
    }
    for (const [id, name] of [['prod_pro', 'Pro plan'], ['prod_mail', 'Mail plan']]) await create('/v1/products', { id, name })
    await create('/v1/workflows', {
      id: 'wf_deliver',
      name: 'Pro plan: failed payment',
      status: 'active',
      trigger: { type: 'payment.failed', products: ['prod_pro'] },
      steps: [
        {
          id: 'tell-customer',
          type: 'send_email',
          subject: 'Your {{ product.name }} payment did not go through',
          body: 'Hi {{ customer.name }}, we could not charge {{ payment.amount | money: payment.currency }}. Update your card: {{ links.update_payment }}',
        },
        { id: 'text-customer', type: 'send_sms', body: '{{ product.name }}: {{ payment.amount | money: payment.currency }} is due. Update your card: {{ links.update_payment }}' },
        { id: 'slack-finance', type: 'notify_team', channel: 'slack', url: `${slack.url}/services/T000/B000/XXXX`, message: '{{ customer.email }} failed a {{ payment.amount | money: payment.currency }} {{ product.name }} payment' },
        { id: 'mail-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }} failed a {{ product.name }} payment' },
        { id: 'crm-hook', type: 'webhook', url: `${hooks.url}/hooks/recoup` },
      ],
    })
    await create('/v1/workflows', {
      id: 'wf_mail',
      name: 'Mail plan: failed payment',
      status: 'active',
      trigger: { type: 'payment.failed', products: ['prod_mail'] },
      steps: [
        { id: 'tell-customer', type: 'send_email', subject: 'Your {{ product.name }} payment did not go through', body: 'Update your card: {{ links.update_payment }}' },
        { id: 'tag', type: 'update_customer', add_tags: ['emailed'] },
      ],
    })
  })

  afterAll(async () => {
    await server?.stop()
    await Promise.all([smtp?.close(), twilio?.close(), slack?.close(), hooks?.close(), publicSite?.close()])
  })

  const getRun = async (id: string): Promise<Run> => (await server.api('GET', `/v1/runs/${id}`)).body as Run
  const finished = (id: string) =>
    eventually(async () => {
      const r = await getRun(id)
      return ['completed', 'failed'].includes(r.status) && r
    }, 30_000, `run ${id} to finish`)
  const start = async (event: ReturnType<typeof failedPayment>): Promise<string> => {
    const res = await server.api('POST', '/v1/events', event)
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    expect(res.body.runs).toHaveLength(1)
    return res.body.runs[0].id as string
  }
  const messagesOf = async (runId: string): Promise<any[]> => (await server.api('GET', `/v1/messages?run_id=${runId}`)).body.data

  it('delivers a payment.failed run by email, SMS, Slack, team email and a signed webhook', async () => {
    const ada = { id: 'cus_ada', email: 'ada@example.com', phone: '+15555550100', name: 'Ada Lovelace' }
    const runId = await start(failedPayment('evt_deliver_1', ada, 'prod_pro'))
    const run = await finished(runId)
    expect(run.status, JSON.stringify(run)).toBe('completed')
    expect(run.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['tell-customer', 'completed', 1],
      ['text-customer', 'completed', 1],
      ['slack-finance', 'completed', 1],
      ['mail-finance', 'completed', 1],
      ['crm-hook', 'completed', 1],
    ])

    // The customer email, as the SMTP peer received it.
    const [mail, ...more] = smtp.to(ada.email)
    expect(more).toEqual([])
    expect(mail!.mailFrom).toBe(FROM_ADDRESS)
    expect(mail!.rcptTo).toEqual([ada.email])
    const { headers } = splitHead(mail!.raw)
    expect(headers.get('from')).toBe(`${FROM_NAME} <${FROM_ADDRESS}>`)
    expect(headers.get('to')).toBe(ada.email)
    expect(headers.get('subject')).toBe('Your Pro plan payment did not go through')
    expect(headers.get('message-id')).toBe(stableMessageId(`${runId}:tell-customer`, 'acme.test'))
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/)
    const text = part(mail!.raw, 'text/plain')
    const html = part(mail!.raw, 'text/html')
    expect(text).toBeDefined()
    expect(html).toBeDefined()
    expect(text).toContain('Hi Ada Lovelace, we could not charge $49.00.')
    expect(html).toContain('$49.00')
    expect(html).toMatch(/^<!doctype html>/i)

    const unsubscribe = /^<([^>]+)>$/.exec(headers.get('list-unsubscribe') ?? '')?.[1]
    expect(unsubscribe).toMatch(new RegExp(`^${publicSite.url}/l/[0-9A-Za-z]{16}$`))
    expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')

    // The link in the email opens the portal (through the public URL, as the customer would click it).
    const link = /Update your card: (\S+)/.exec(text!)?.[1]
    expect(link).toMatch(new RegExp(`^${publicSite.url}/l/[0-9A-Za-z]{16}$`))
    expect(html).toContain(link)
    // The HTML part is the branded layout: the business, the summary, and one button to the short link.
    expect(html).toMatch(new RegExp(`<a\\s+href="${link}"[^>]*>\\s*Update card\\s*</a>`))
    expect(html).toContain('Acme Cloud')
    expect(html).toContain('1 Main Street, Springfield')
    expect(html).toMatch(/>Amount due<\/td><td[^>]*>\$49\.00</)
    // No signed portal token anywhere in what the customer receives.
    for (const part of [text!, html!, mail!.raw]) {
      expect(part).not.toContain('/portal/')
      expect(part).not.toMatch(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}/)
    }
    const page = await fetch(link!)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const pageText = await page.text()
    expect(pageText).toMatch(/^<!doctype html>/i)
    expect(pageText).toContain('Pro plan')
    expect(pageText).toContain('$49.00')
    const unsubscribePage = await fetch(unsubscribe!)
    expect(unsubscribePage.status).toBe(200)
    expect(unsubscribePage.headers.get('content-type')).toMatch(/^text\/html/)

    // The team email.
    const [finance, ...moreFinance] = smtp.to('finance@example.com')
    expect(moreFinance).toEqual([])
    expect(finance!.mailFrom).toBe(FROM_ADDRESS)
    const financeText = part(finance!.raw, 'text/plain') ?? ''
    expect(financeText).toContain('ada@example.com failed a Pro plan payment')
    expect(financeText).toContain(`Run: ${publicSite.url}/runs/${runId}`)

    // The SMS, as the Twilio stand-in received it.
    const sms = twilio.requests.filter((r) => new URLSearchParams(r.body).get('To') === ada.phone)
    expect(sms).toHaveLength(1)
    const form = new URLSearchParams(sms[0]!.body)
    expect(form.get('From')).toBe(TWILIO_FROM)
    expect(form.get('Body')).toMatch(new RegExp(`^Pro plan: \\$49\\.00 is due\\. Update your card: ${publicSite.url}/l/[0-9A-Za-z]{16}$`))
    expect(sms[0]!.answered).toBe(201)
    const sid = (JSON.parse(sms[0]!.answer ?? '') as { sid: string }).sid

    // Slack: a Block Kit message with a link to the run.
    expect(slack.requests).toHaveLength(1)
    const alert = slack.requests[0]!
    expect(alert.method).toBe('POST')
    expect(alert.path).toBe('/services/T000/B000/XXXX')
    expect(alert.headers['content-type']).toMatch(/^application\/json/)
    const payload = JSON.parse(alert.body) as { text: string; blocks: any[] }
    const runUrl = `${publicSite.url}/runs/${runId}`
    expect(payload.text).toContain('ada@example.com failed a $49.00 Pro plan payment')
    expect(payload.blocks).toContainEqual({ type: 'section', text: { type: 'mrkdwn', text: 'ada@example.com failed a $49.00 Pro plan payment' } })
    const button = payload.blocks.find((b) => b.type === 'actions')?.elements?.[0]
    expect(button).toMatchObject({ type: 'button', url: runUrl })
    expect(JSON.stringify(payload.blocks.find((b) => b.type === 'context'))).toContain(`<${runUrl}|`)

    // The webhook: signature checked by an independent implementation.
    expect(hooks.requests).toHaveLength(1)
    const hook = hooks.requests[0]!
    expect(hook.path).toBe('/hooks/recoup')
    expect(hook.headers['webhook-id']).toBe(`${runId}:crm-hook`)
    const verified = new Webhook(WEBHOOK_SECRET).verify(hook.body, hook.headers as Record<string, string>) as { type: string; data: any }
    expect(verified.type).toBe('recoup.workflow_step')
    expect(verified.data).toMatchObject({ customer: { id: 'cus_ada', email: ada.email }, payment: { amount: 4900, currency: 'USD' } })
    const wrongKey = `whsec_${randomBytes(32).toString('base64')}`
    expect(() => new Webhook(wrongKey).verify(hook.body, hook.headers as Record<string, string>)).toThrow()

    // Every message filed with its status and provider id.
    const messages = await messagesOf(runId)
    const byStep = new Map(messages.map((m) => [m.step_id as string, m]))
    expect(byStep.get('tell-customer')).toMatchObject({ channel: 'email', to: ada.email, status: 'sent', provider_id: headers.get('message-id') })
    expect(byStep.get('text-customer')).toMatchObject({ channel: 'sms', to: ada.phone, status: 'sent', provider_id: sid })
    expect(byStep.get('slack-finance')).toMatchObject({ channel: 'team', status: 'sent' })
    expect(byStep.get('mail-finance')).toMatchObject({ channel: 'team', to: 'finance@example.com', status: 'sent' })
    expect(byStep.get('mail-finance').provider_id).toBe(splitHead(finance!.raw).headers.get('message-id'))
    expect(byStep.get('crm-hook')).toMatchObject({ channel: 'webhook', status: 'sent', provider_id: `${runId}:crm-hook` })
    expect(outputOf(run.steps[1])).toMatchObject({ delivery: 'sent', provider_id: byStep.get('text-customer').provider_id })
  })

  it('retries an SMTP 451 with backoff and succeeds on the second attempt', async () => {
    const address = 'greylist-grace@example.com'
    const runId = await start(failedPayment('evt_greylist_1', { id: 'cus_grace', email: address, name: 'Grace Hopper' }, 'prod_mail'))
    const run = await finished(runId)
    expect(run.status, JSON.stringify(run)).toBe('completed')
    const step = run.steps.find((s) => s.id === 'tell-customer')!
    expect(step).toMatchObject({ status: 'completed', attempts: 2 })
    expect(smtp.rcptAttempts.get(address)).toBe(2)
    const received = smtp.to(address)
    expect(received).toHaveLength(1)
    expect(splitHead(received[0]!.raw).headers.get('message-id')).toBe(stableMessageId(`${runId}:tell-customer`, 'acme.test'))
    const messages = await messagesOf(runId)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ channel: 'email', status: 'sent', provider_id: stableMessageId(`${runId}:tell-customer`, 'acme.test') })
  })

  it('fails the run at once on an SMTP 550, with the server reply in the step error', async () => {
    const address = 'bounce-alan@example.com'
    const runId = await start(failedPayment('evt_bounce_1', { id: 'cus_alan', email: address, name: 'Alan Turing' }, 'prod_mail'))
    const run = await finished(runId)
    expect(run.status, JSON.stringify(run)).toBe('failed')
    const step = run.steps.find((s) => s.id === 'tell-customer')!
    expect(step.status).toBe('failed')
    expect(step.attempts).toBe(1)
    expect(step.error).toContain('550')
    expect(step.error).toContain('Message rejected by content policy (ref 8f2c)')
    expect(run.error ?? '').toContain('Message rejected by content policy')
    expect(run.steps.find((s) => s.id === 'tag')?.status ?? 'pending').toBe('pending')
    expect(smtp.rcptAttempts.get(address)).toBe(1)
    expect(smtp.to(address)).toEqual([])
    const messages = await messagesOf(runId)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ channel: 'email', to: address, status: 'failed' })
    expect(messages[0].error).toContain('Message rejected by content policy (ref 8f2c)')
    expect(messages[0].provider_id).toBeUndefined()
  })

  it('skips the SMS for a customer who opted out, and never calls Twilio for them', async () => {
    const phone = '+15555550142'
    const optedOut = await server.api('PUT', '/v1/customers/cus_optout', { email: 'optout@example.com', phone, name: 'Opted Out', sms_opt_out: true })
    expect([200, 201], JSON.stringify(optedOut.body)).toContain(optedOut.status)
    expect((await server.api('GET', '/v1/customers/cus_optout')).body).toMatchObject({ sms_opt_out: true })
    const runId = await start(failedPayment('evt_optout_1', { id: 'cus_optout', email: 'optout@example.com', phone, name: 'Opted Out' }, 'prod_pro'))
    const run = await finished(runId)
    expect(run.status, JSON.stringify(run)).toBe('completed')
    const step = run.steps.find((s) => s.id === 'text-customer')!
    expect(step.status).toBe('skipped')
    expect(outputOf(step).reason).toBe('the customer opted out of SMS')
    // The run went on past the skipped step, so any SMS request would have been made by now.
    expect(run.steps.find((s) => s.id === 'crm-hook')?.status).toBe('completed')
    expect(twilio.requests.filter((r) => new URLSearchParams(r.body).get('To') === phone)).toEqual([])
    const sms = (await messagesOf(runId)).filter((m) => m.channel === 'sms')
    expect(sms).toHaveLength(1)
    expect(sms[0]).toMatchObject({ to: phone, status: 'skipped', error: 'the customer opted out of SMS' })
    expect(smtp.to('optout@example.com')).toHaveLength(1) // email still went out
  })
})
