import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyError, FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { setSmsOptOutByPhone } from '../../store/repos/customers.js'
import type { Database } from '../../store/schema.js'
import { acceptFormBodies, formOf } from '../portal/form-body.js'
import { documented } from '../route-doc.js'
import { problem, sendProblem, toProblem } from '../problem.js'

export interface TwilioInboundDeps {
  db: Kysely<Database>
  /** RECOUP_TWILIO_AUTH_TOKEN; without it the endpoint answers 404. */
  authToken?: string
  /** The public base URL Twilio calls; the signature covers the full URL. */
  publicUrl: string
}

// Twilio's default opt-out / opt-in keywords (carriers require honouring them).
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'])
const START_WORDS = new Set(['START', 'UNSTOP', 'YES'])

/** The form fields this route reads of Twilio's (it posts many more). */
const inboundSms = z.looseObject({
  From: z.string().optional().describe('The sender, E.164'),
  Body: z.string().optional(),
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional().describe('Set by Twilio Advanced Opt-Out'),
})

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
const PATH = '/v1/webhooks/twilio'

/**
 * Registers POST /v1/webhooks/twilio: verifies X-Twilio-Signature and records STOP / START
 * replies as the customer's `sms_opt_out`, so send_sms skips people who said stop.
 */
export function twilioInboundRoutes(app: FastifyInstance, deps: TwilioInboundDeps): void {
  const baseUrl = deps.publicUrl.replace(/\/+$/, '')
  void app.register(async (scope) => {
    acceptFormBodies(scope)
    // Webhook callers are machines: errors stay problem+json like the rest of /v1.
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      // The status the rest of the API would answer: refused input (the edge guard's 422) is never a 500.
      const status = toProblem(err).status
      if (status >= 500) req.log.error({ err }, 'twilio webhook failed')
      return sendProblem(reply, problem(status, 'twilio_webhook_error', status >= 500 ? 'Something went wrong on our side; it has been logged.' : err.message))
    })

    scope.post(PATH, documented({
      summary: 'Twilio inbound SMS (signed): STOP / START replies set the customer\'s sms_opt_out',
      auth: 'signature',
      signatureHeader: 'X-Twilio-Signature',
      body: inboundSms,
      bodyType: 'form',
      produces: 'xml',
    }), async (req, reply) => {
      if (!deps.authToken) return sendProblem(reply, problem(404, 'twilio_not_enabled', 'Inbound SMS is not enabled: set RECOUP_TWILIO_AUTH_TOKEN.'))
      const signature = req.headers['x-twilio-signature']
      const params = formOf(req.body)
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''
      if (typeof signature !== 'string' || !signatureMatches(deps.authToken, `${baseUrl}${PATH}${query}`, params, signature)) {
        return sendProblem(reply, problem(403, 'invalid_signature', 'The X-Twilio-Signature header is missing or does not match this request.'))
      }
      const from = params.get('From')
      const optOut = optOutChange(params)
      if (from && optOut !== undefined) {
        await setSmsOptOutByPhone(deps.db, from, optOut, new Date().toISOString())
      }
      return reply.code(200).type('text/xml').send(EMPTY_TWIML)
    })
  })
}

/** true for a STOP reply, false for START, undefined for anything else. */
export function optOutChange(params: URLSearchParams): boolean | undefined {
  // With Twilio's Advanced Opt-Out, it names the keyword class itself (it knows localised ones).
  const type = params.get('OptOutType')?.toUpperCase()
  if (type === 'STOP') return true
  if (type === 'START') return false
  const word = (params.get('Body') ?? '').trim().toUpperCase()
  if (STOP_WORDS.has(word)) return true
  if (START_WORDS.has(word)) return false
  return undefined
}

/**
 * Twilio's scheme: base64(HMAC-SHA1(authToken, url + each POST param name and value, sorted by
 * name)). Like Twilio's own SDKs, the URL is also tried with and without the scheme's default
 * port, since proxies differ on whether they keep it.
 */
export function signatureMatches(authToken: string, url: string, params: URLSearchParams, signature: string): boolean {
  const given = Buffer.from(signature)
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params))
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
}

/** The signature Twilio sends for this URL and these POST params. */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  const data = url + pairs.map(([name, value]) => name + value).join('')
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

function urlVariants(url: string): string[] {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return [url]
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : ''
  const hasPort = /^[a-z]+:\/\/[^/]*:\d+/i.test(url)
  if (!defaultPort) return [url]
  // `URL` drops a default port, so put it back by hand when it is missing.
  const withPort = hasPort ? url : url.replace(/^([a-z]+:\/\/[^/?#]+)/i, `$1:${defaultPort}`)
  const withoutPort = parsed.port === '' ? url.replace(new RegExp(`^([a-z]+://[^/?#:]+):${defaultPort}`, 'i'), '$1') : url
  return [...new Set([url, withPort, withoutPort])]
}
