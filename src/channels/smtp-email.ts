import { createHash } from 'node:crypto'
import nodemailer from 'nodemailer'
import type { NodemailerError, SMTPSentMessageInfo, SendMailOptions, Transporter } from 'nodemailer'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import type { Channel, DeliveryResult, OutboundMessage } from './channel.js'

export interface SmtpChannelOptions {
  /** `smtp://user:pass@host:587`, `smtps://…` for implicit TLS, `?requireTLS=true` to insist on STARTTLS. */
  readonly url: string
  /** Sender address, e.g. `"Acme Billing" <billing@acme.test>`. */
  readonly from: string
  /** Where replies go unless a message names its own (`meta.replyTo`). */
  readonly replyTo?: string
  /** Reuse connections across messages (default true). */
  readonly pool?: boolean
  /** Open connections in the pool (default 5). */
  readonly maxConnections?: number
  /** Messages one pooled connection carries before it is replaced (default 100). */
  readonly maxMessages?: number
  /** Give up on one delivery after this long, time queued for a pooled connection included (default 60 s); the step then retries. */
  readonly timeoutMs?: number
}

// Errors without an SMTP reply that describe the message or the configuration, not the moment:
// sending again changes nothing (EAUTH here means credentials are missing, not refused).
const PERMANENT_CODES = new Set([
  'EENVELOPE',
  'ECONFIG',
  'EMAXRECIPIENTS',
  'EOTP',
  'EFILEACCESS',
  'EURLACCESS',
  'EAUTH',
  'ENOAUTH',
])

/** Email over SMTP through a nodemailer (pooled) transport. */
export function createSmtpChannel(options: SmtpChannelOptions): Channel {
  const pool = options.pool ?? true
  const transporter: Transporter<SMTPSentMessageInfo> = pool
    ? nodemailer.createTransport({
        url: options.url,
        pool: true,
        maxConnections: options.maxConnections ?? 5,
        maxMessages: options.maxMessages ?? 100,
      })
    : nodemailer.createTransport({ url: options.url })
  const messageIdDomain = domainOf(options.from) ?? 'recoup'
  const timeoutMs = options.timeoutMs ?? 60_000

  return {
    kind: 'email',
    async send(message: OutboundMessage): Promise<DeliveryResult> {
      const mail: SendMailOptions = {
        from: options.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.body,
        messageId: stableMessageId(message.idempotencyKey, messageIdDomain),
        headers: unsubscribeHeaders(message.meta?.listUnsubscribe),
        signal: AbortSignal.timeout(timeoutMs),
      }
      if (message.html !== undefined) mail.html = message.html
      const replyTo = typeof message.meta?.replyTo === 'string' ? message.meta.replyTo : options.replyTo
      if (replyTo) mail.replyTo = replyTo
      try {
        const info = await transporter.sendMail(mail)
        return { status: 'sent', providerId: info.messageId }
      } catch (error) {
        throw classifySmtpError(error)
      }
    },
    async close() {
      transporter.close()
    },
  }
}

/** `<hex@domain>`: the same idempotency key always gives the same Message-ID, so a retried step is recognisably the same mail. */
export function stableMessageId(idempotencyKey: string, domain = 'recoup'): string {
  const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)
  return `<${digest}@${domain}>`
}

/** Turns a nodemailer failure into PermanentError (5xx, bad envelope) or RetryLaterError (4xx, network). */
export function classifySmtpError(error: unknown): Error {
  const err = error as Partial<NodemailerError>
  const reply = typeof err.response === 'string' ? err.response.trim() : undefined
  // Login failures are about RECOUP_SMTP_URL, not the message; say so (never echoing the credentials).
  const what = err.code === 'EAUTH' ? 'SMTP server refused the login' : 'SMTP server refused the message'
  if (typeof err.responseCode === 'number') {
    // 503 is "bad sequence of commands": the session was confused, not the message refused.
    if (err.responseCode >= 500 && err.responseCode !== 503) {
      return new PermanentError(`${what}: ${reply ?? err.responseCode}`, { cause: error })
    }
    return new RetryLaterError(`SMTP server deferred the message: ${reply ?? err.responseCode}`, { cause: error })
  }
  const code = err.originalCode ?? err.code
  if (code !== undefined && PERMANENT_CODES.has(code)) {
    return new PermanentError(`Email could not be sent: ${err.message ?? code}`, { cause: error })
  }
  const failure = code === 'EABORT' ? 'timed out' : `failed (${code ?? 'unknown error'})`
  return new RetryLaterError(`SMTP delivery ${failure}: ${err.message ?? String(error)}`, { cause: error })
}

function unsubscribeHeaders(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new PermanentError(`meta.listUnsubscribe is not a URL: ${JSON.stringify(value)}`)
  }
  // RFC 8058 one-click unsubscribe: mailbox providers POST to the https URL without a visit.
  const headers: Record<string, string> = { 'List-Unsubscribe': `<${url.href}>` }
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click'
  }
  return headers
}

function domainOf(address: string): string | undefined {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)
  return match?.[1]
}
