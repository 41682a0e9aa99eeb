// Outbound webhooks signed per Standard Webhooks (https://www.standardwebhooks.com).
import { createHmac } from 'node:crypto'
import { PermanentError } from '../domain/errors.js'
import type { Channel, DeliveryResult, OutboundMessage } from './channel.js'
import { guardedRequest, requireSuccess } from './guarded-request.js'

export { assertPublicAddress } from './address-guard.js'

const SECRET_PREFIX = 'whsec_'
const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'GET'])

export interface SignInput {
  /** `whsec_<base64 key>` (the prefix is optional). */
  readonly secret: string
  /** The `webhook-id`: stable across retries so receivers can drop duplicates. */
  readonly id: string
  /** Unix seconds, as sent in `webhook-timestamp`. */
  readonly timestamp: number
  /** The exact bytes sent as the body. */
  readonly body: string
}

/** The `webhook-signature` value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(input: SignInput): string {
  const mac = createHmac('sha256', secretKey(input.secret))
  mac.update(`${input.id}.${input.timestamp}.${input.body}`, 'utf8')
  return `v1,${mac.digest('base64')}`
}

/** The three Standard Webhooks headers for one delivery. */
export function webhookHeaders(input: SignInput): Record<string, string> {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signWebhook(input),
  }
}

export interface WebhookChannelOptions {
  /** Signs every delivery whose message carries no `meta.secret` (RECOUP_WEBHOOK_SECRET). */
  readonly defaultSecret?: string
  /** Let deliveries reach loopback and private networks (RECOUP_WEBHOOK_ALLOW_PRIVATE). */
  readonly allowPrivate?: boolean
  /** Give up on one delivery after this long (default 10 s); the step then retries. */
  readonly timeoutMs?: number
}

/** Delivers `message.body` (JSON text) to `message.to`, signed, behind the SSRF guard. */
export function createWebhookChannel(options: WebhookChannelOptions = {}): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000
  const allowPrivate = options.allowPrivate ?? false
  if (options.defaultSecret !== undefined) secretKey(options.defaultSecret)

  return {
    kind: 'webhook',
    async send(message: OutboundMessage): Promise<DeliveryResult> {
      const method = methodOf(message.meta?.method)
      const body = method === 'GET' ? '' : message.body
      const secret = secretOf(message.meta?.secret) ?? options.defaultSecret
      const timestamp = Math.floor(Date.now() / 1000)
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Recoup-Webhooks/1',
        ...(secret !== undefined
          ? webhookHeaders({ secret, id: message.idempotencyKey, timestamp, body })
          : { 'webhook-id': message.idempotencyKey, 'webhook-timestamp': String(timestamp) }),
      }
      const response = await guardedRequest({
        url: message.to,
        method,
        headers,
        body: method === 'GET' ? undefined : body,
        timeoutMs,
        allowPrivate,
        service: 'Webhook endpoint',
      })
      requireSuccess(response, 'Webhook endpoint')
      return { status: 'sent', providerId: message.idempotencyKey }
    },
  }
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
  // Checked strictly: Buffer.from(…, 'base64') skips bad characters, which would sign with a different key.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new PermanentError('The webhook secret must be "whsec_" followed by base64 (Standard Webhooks format)')
  }
  return Buffer.from(encoded, 'base64')
}

function secretOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new PermanentError('meta.secret must be a string')
  return value
}

function methodOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'POST'
  const method = typeof value === 'string' ? value.toUpperCase() : ''
  if (!METHODS.has(method)) {
    throw new PermanentError(`Webhook method must be one of ${[...METHODS].join(', ')}, not ${JSON.stringify(value)}`)
  }
  return method
}

