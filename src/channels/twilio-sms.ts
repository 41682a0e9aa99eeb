// SMS through the Twilio Messages API (plain HTTP; the SDK would add a large dependency for one call).
import { PermanentError } from '../domain/errors.js'
import { E164_EXAMPLE, isE164 } from '../domain/phone.js'
import type { Channel, DeliveryResult, OutboundMessage } from './channel.js'
import { excerpt, httpStatusError, networkError } from './http-status.js'

export interface TwilioChannelOptions {
  readonly accountSid: string
  readonly authToken: string
  /** An E.164 sender number, or a Messaging Service SID (`MG…`). */
  readonly from: string
  /** Default `https://api.twilio.com`; tests point it at a local server. */
  readonly apiBase?: string
  /** Give up on one request after this long (default 10 s); the step then retries. */
  readonly timeoutMs?: number
}

interface TwilioAnswer {
  readonly sid?: unknown
  readonly code?: unknown
  readonly message?: unknown
}

/** Sends `message.body` to the E.164 number `message.to`. */
export function createTwilioChannel(options: TwilioChannelOptions): Channel {
  const apiBase = (options.apiBase ?? 'https://api.twilio.com').replace(/\/+$/, '')
  const endpoint = `${apiBase}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`
  const timeoutMs = options.timeoutMs ?? 10_000
  const sender = /^MG[0-9a-f]{32}$/i.test(options.from) ? 'MessagingServiceSid' : 'From'

  return {
    kind: 'sms',
    async send(message: OutboundMessage): Promise<DeliveryResult> {
      if (!isE164(message.to)) {
        throw new PermanentError(`${JSON.stringify(message.to)} is not a phone number in E.164 form (e.g. ${E164_EXAMPLE})`)
      }
      const form = new URLSearchParams({ To: message.to, [sender]: options.from, Body: message.body })
      let response: Response
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        throw networkError('Twilio', error)
      }
      const text = await response.text().catch(() => '')
      const answer = parseAnswer(text)
      if (!response.ok) {
        throw httpStatusError({
          service: 'Twilio',
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          detail: describe(answer, text),
        })
      }
      if (typeof answer?.sid !== 'string') {
        // Accepted but unreadable: the SMS may have gone out, so retrying could send it twice.
        throw new PermanentError(`Twilio answered ${response.status} without a message sid`)
      }
      return { status: 'sent', providerId: answer.sid }
    },
  }
}

function parseAnswer(text: string): TwilioAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null ? (parsed as TwilioAnswer) : undefined
  } catch {
    return undefined
  }
}

function describe(answer: TwilioAnswer | undefined, text: string): string {
  if (answer !== undefined && (typeof answer.code === 'number' || typeof answer.message === 'string')) {
    const code = typeof answer.code === 'number' ? `error ${answer.code}` : 'error'
    return typeof answer.message === 'string' ? `${code}: ${answer.message}` : code
  }
  return excerpt(text)
}
