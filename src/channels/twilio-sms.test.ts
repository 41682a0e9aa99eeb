import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import type { Channel, OutboundMessage } from './channel.js'
import { startLocalHttpReceiver, type LocalHttpReceiver } from './local-http-receiver.js'
import { createTwilioChannel } from './twilio-sms.js'

const SID = 'AC00000000000000000000000000000001'
const TOKEN = 'test-auth-token-not-real'

function sms(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    kind: 'sms',
    to: '+15555550100',
    body: 'Your Pro payment is still due: https://pay.acme.test/u/abc',
    idempotencyKey: 'run_1:nudge',
    ...overrides,
  }
}

function json(status: number, value: unknown, headers: Record<string, string> = {}) {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) }
}

describe('twilio sms channel', () => {
  let twilio: LocalHttpReceiver
  let channel: Channel

  beforeAll(async () => {
    twilio = await startLocalHttpReceiver(json(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }))
    channel = createTwilioChannel({ accountSid: SID, authToken: TOKEN, from: '+15555550199', apiBase: `${twilio.url}/` })
  })
  afterAll(() => twilio.close())
  beforeEach(() => {
    twilio.requests.length = 0
  })

  it('POSTs the form to the Messages resource with Basic auth and returns the message sid', async () => {
    const result = await channel.send(sms())
    expect(result).toEqual({ status: 'sent', providerId: 'SM0123456789abcdef0123456789abcdef' })

    const [request] = twilio.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`)
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`)
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const form = new URLSearchParams(request?.body)
    expect(Object.fromEntries(form)).toEqual({
      To: '+15555550100',
      From: '+15555550199',
      Body: 'Your Pro payment is still due: https://pay.acme.test/u/abc',
    })
  })

  it('sends through a Messaging Service when `from` is an MG sid', async () => {
    const service = 'MG0123456789abcdef0123456789abcdef'
    const viaService = createTwilioChannel({ accountSid: SID, authToken: TOKEN, from: service, apiBase: twilio.url })
    await viaService.send(sms())
    const form = new URLSearchParams(twilio.requests[0]?.body)
    expect(form.get('MessagingServiceSid')).toBe(service)
    expect(form.has('From')).toBe(false)
  })

  it('fails permanently on a 400 with a Twilio error code, saying which', async () => {
    twilio.answerNext(
      json(400, { code: 21211, message: "The 'To' number +15555550100 is not a valid phone number.", status: 400 }),
    )
    const error = await channel.send(sms()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain('21211')
    expect((error as Error).message).toContain('not a valid phone number')
  })

  it('retries later on 503 and on 429, honouring Retry-After', async () => {
    twilio.answerNext({ status: 503, body: 'Service Unavailable' }, json(429, { code: 20429, message: 'Too Many Requests' }, { 'retry-after': '30' }))
    await expect(channel.send(sms())).rejects.toBeInstanceOf(RetryLaterError)
    const limited = await channel.send(sms()).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RetryLaterError)
    expect((limited as RetryLaterError).afterMs).toBe(30_000)
  })

  it('refuses a number that is not E.164 without calling Twilio', async () => {
    await expect(channel.send(sms({ to: '555-0100' }))).rejects.toBeInstanceOf(PermanentError)
    expect(twilio.requests).toHaveLength(0)
  })

  it('never shows the auth token in an error', async () => {
    twilio.answerNext(json(401, { code: 20003, message: 'Authenticate' }))
    const error = await channel.send(sms()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).not.toContain(TOKEN)
  })

  it('retries later when Twilio cannot be reached', async () => {
    const closed = await startLocalHttpReceiver()
    await closed.close()
    const unreachable = createTwilioChannel({ accountSid: SID, authToken: TOKEN, from: '+15555550199', apiBase: closed.url })
    const error = await unreachable.send(sms()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryLaterError)
    expect((error as Error).message).toContain('ECONNREFUSED')
  })
})
