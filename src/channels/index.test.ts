import { describe, expect, it } from 'vitest'
import { ConfigError } from '../domain/errors.js'
import { buildChannels, closeChannels } from './index.js'

describe('buildChannels', () => {
  it('leaves email and SMS to the outbox when they are not configured', () => {
    const channels = buildChannels({})
    expect(channels.email).toBeUndefined()
    expect(channels.sms).toBeUndefined()
    expect(channels.slack?.kind).toBe('slack')
    expect(channels.webhook?.kind).toBe('webhook')
  })

  it('builds email and SMS channels when configured', async () => {
    const channels = buildChannels({
      smtpUrl: 'smtp://127.0.0.1:2525',
      emailFrom: 'billing@acme.test',
      twilio: { accountSid: 'AC1', authToken: 'token', from: '+15555550199', apiBase: 'http://127.0.0.1:9' },
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    })
    expect(channels.email?.kind).toBe('email')
    expect(channels.sms?.kind).toBe('sms')
    await closeChannels(channels)
  })

  it('rejects a malformed webhook secret at start-up without echoing it', () => {
    const build = () => buildChannels({ webhookSecret: 'whsec_!!not-base64!!' })
    expect(build).toThrow(ConfigError)
    expect(build).not.toThrow(/not-base64/)
  })
})
