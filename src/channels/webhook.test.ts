import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import { publicOnlyLookup, refusedReason } from './address-guard.js'
import type { Channel, OutboundMessage } from './channel.js'
import { startLocalHttpReceiver, type LocalHttpReceiver, type ReceivedRequest } from './local-http-receiver.js'
import { assertPublicAddress, createWebhookChannel, signWebhook } from './webhook.js'

// Fixed test keys (24 random bytes each, base64), never used outside tests.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const ENDPOINT_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'

function verify(secret: string, request: ReceivedRequest): unknown {
  const headers: Record<string, string> = {}
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = request.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  return new Webhook(secret).verify(request.body, headers)
}

function hook(receiver: LocalHttpReceiver, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    kind: 'webhook',
    to: `${receiver.url}/hooks/recoup`,
    body: JSON.stringify({ type: 'run.failed', run_id: 'run_1', amount: { amount: 4900, currency: 'USD' } }),
    idempotencyKey: 'run_1:call-crm',
    ...overrides,
  }
}

describe('signWebhook', () => {
  it('produces a signature the standardwebhooks library accepts', () => {
    const timestamp = 1_764_000_000
    const body = '{"hello":"world"}'
    const ours = signWebhook({ secret: SECRET, id: 'msg_1', timestamp, body })
    expect(ours).toBe(new Webhook(SECRET).sign('msg_1', new Date(timestamp * 1000), body))
  })

  it('refuses a secret that is not base64 rather than signing with a different key', () => {
    expect(() => signWebhook({ secret: 'whsec_not-base64!', id: 'a', timestamp: 1, body: '' })).toThrow(PermanentError)
  })
})

describe('webhook channel', () => {
  let receiver: LocalHttpReceiver
  let channel: Channel

  beforeAll(async () => {
    receiver = await startLocalHttpReceiver({ status: 204 })
    channel = createWebhookChannel({ defaultSecret: SECRET, allowPrivate: true })
  })
  afterAll(() => receiver.close())
  beforeEach(() => {
    receiver.requests.length = 0
  })

  it('POSTs the JSON body with Standard Webhooks headers that verify independently', async () => {
    const message = hook(receiver)
    const result = await channel.send(message)
    expect(result).toEqual({ status: 'sent', providerId: 'run_1:call-crm' })

    const [request] = receiver.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/hooks/recoup')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers['webhook-id']).toBe('run_1:call-crm')
    expect(request?.body).toBe(message.body)
    expect(verify(SECRET, request!)).toEqual(JSON.parse(message.body))
  })

  it('signs with the endpoint secret from meta.secret, and uses meta.method', async () => {
    await channel.send(hook(receiver, { meta: { secret: ENDPOINT_SECRET, method: 'put' } }))
    const [request] = receiver.requests
    expect(request?.method).toBe('PUT')
    expect(() => verify(ENDPOINT_SECRET, request!)).not.toThrow()
    expect(() => verify(SECRET, request!)).toThrow()
  })

  it('sends unsigned only when there is no secret at all', async () => {
    const unsigned = createWebhookChannel({ allowPrivate: true })
    await unsigned.send(hook(receiver))
    const [request] = receiver.requests
    expect(request?.headers['webhook-id']).toBe('run_1:call-crm')
    expect(request?.headers['webhook-signature']).toBeUndefined()
  })

  it('keeps the webhook-id across retries so the receiver can drop duplicates', async () => {
    receiver.answerNext({ status: 500, body: 'database is down' })
    const message = hook(receiver, { idempotencyKey: 'run_2:call-crm' })
    const first = await channel.send(message).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(RetryLaterError)
    expect((first as Error).message).toContain('database is down')
    await channel.send(message)

    const ids = receiver.requests.map((r) => r.headers['webhook-id'])
    expect(ids).toEqual(['run_2:call-crm', 'run_2:call-crm'])
    for (const request of receiver.requests) expect(() => verify(SECRET, request)).not.toThrow()
  })

  it('treats 410 as permanent and 429 as retry later, honouring Retry-After', async () => {
    receiver.answerNext({ status: 410, body: 'gone' }, { status: 429, headers: { 'retry-after': '7' } })
    await expect(channel.send(hook(receiver))).rejects.toBeInstanceOf(PermanentError)
    const limited = await channel.send(hook(receiver)).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RetryLaterError)
    expect((limited as RetryLaterError).afterMs).toBe(7_000)
  })

  it('does not follow redirects', async () => {
    receiver.answerNext({ status: 302, headers: { location: 'http://169.254.169.254/' } })
    await expect(channel.send(hook(receiver))).rejects.toBeInstanceOf(PermanentError)
    expect(receiver.requests).toHaveLength(1)
  })

  it('turns a timeout into RetryLaterError', async () => {
    const impatient = createWebhookChannel({ defaultSecret: SECRET, allowPrivate: true, timeoutMs: 100 })
    receiver.answerNext({ status: 200, hang: true })
    const error = await impatient.send(hook(receiver)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryLaterError)
    expect((error as Error).message).toContain('did not answer in time')
  })

  it('refuses to call a loopback receiver unless private addresses are allowed', async () => {
    const guarded = createWebhookChannel({ defaultSecret: SECRET })
    const error = await guarded.send(hook(receiver)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain('Loopback')
    expect(receiver.requests).toHaveLength(0)
  })

  it('never shows the secret in an error', async () => {
    receiver.answerNext({ status: 400, body: 'bad' })
    const error = await channel.send(hook(receiver, { meta: { secret: ENDPOINT_SECRET } })).catch((e: unknown) => e)
    expect(String((error as Error).message)).not.toContain(ENDPOINT_SECRET.slice(6))
  })
})

describe('SSRF guard', () => {
  it.each([
    ['http://127.0.0.1/hook', 'Loopback 127.0.0.0/8'],
    ['http://10.0.0.1/hook', 'Private-Use 10.0.0.0/8'],
    ['http://172.16.5.4/hook', 'Private-Use 172.16.0.0/12'],
    ['http://192.168.1.10/hook', 'Private-Use 192.168.0.0/16'],
    ['http://169.254.169.254/latest/meta-data/', 'Link Local 169.254.0.0/16'],
    ['http://[::1]:8080/hook', 'Loopback Address ::1/128'],
    ['http://[fe80::1]/hook', 'Link-Local Unicast fe80::/10'],
    ['http://[fd12:3456::1]/hook', 'Unique-Local fc00::/7'],
    ['http://0.0.0.0/hook', 'This host on this network 0.0.0.0/32'],
    ['http://[::ffff:127.0.0.1]/hook', 'Loopback 127.0.0.0/8, as 127.0.0.1 inside IPv4-mapped Address'],
    ['http://[::ffff:a00:1]/hook', 'Private-Use 10.0.0.0/8, as 10.0.0.1 inside IPv4-mapped Address'],
    ['http://2130706433/hook', 'Loopback 127.0.0.0/8'],
    ['http://localhost:9/hook', 'Loopback'],
  ])('refuses %s as %s', async (url, reason) => {
    const error = await assertPublicAddress(url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain(reason)
  })

  it.each(['http://127.0.0.1/hook', 'http://10.0.0.1/', 'http://169.254.169.254/', 'http://[::1]/', 'http://localhost/'])(
    'allows %s when private addresses are allowed',
    async (url) => {
      await expect(assertPublicAddress(url, { allowPrivate: true })).resolves.toBeInstanceOf(URL)
    },
  )

  it('lets public addresses through without asking DNS', async () => {
    await expect(assertPublicAddress('https://93.184.215.14/hook')).resolves.toBeInstanceOf(URL)
    await expect(assertPublicAddress('http://[2606:4700::1111]/hook')).resolves.toBeInstanceOf(URL)
    expect(refusedReason('172.32.0.1')).toBeUndefined()
    expect(refusedReason('8.8.8.8')).toBeUndefined()
  })

  it('refuses non-http schemes', async () => {
    await expect(assertPublicAddress('file:///etc/passwd', { allowPrivate: true })).rejects.toBeInstanceOf(PermanentError)
    await expect(assertPublicAddress('gopher://example.com/')).rejects.toBeInstanceOf(PermanentError)
  })

  it('checks the address again at connect time (DNS rebinding)', async () => {
    const error = await new Promise<unknown>((resolve) => publicOnlyLookup('localhost', {}, (err) => resolve(err)))
    expect(error).toBeInstanceOf(PermanentError)
  })
})
