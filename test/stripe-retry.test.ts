import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PermanentError, RetryLaterError } from '../src/domain/errors.js'
import { createStripeRetryProvider, type PaymentRetryInput } from '../src/providers/stripe/payments.js'

const KEY = 'sk_test_recoupSuite0123456789abcdef'

interface Answer {
  readonly status: number
  readonly body: unknown
}

/**
 * The slice of Stripe's API that retry_payment uses: `POST /v1/invoices/:id/pay`, with bearer
 * auth and Stripe's idempotency rules (a key replays its first answer; reusing it for another
 * request is an error; 5xx answers are not saved).
 */
class FakeStripe {
  readonly server: Server
  /** Every request as received: the invoice paid and the Idempotency-Key header. */
  readonly requests: { invoice: string; idempotencyKey: string | undefined; replayed: boolean }[] = []
  /** How many charges were really attempted (replays attempt nothing). */
  charges = 0
  readonly #saved = new Map<string, { path: string; answer: Answer }>()

  constructor() {
    this.server = createServer((req, res) => {
      void this.#handle(req).then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.replayed ? { 'idempotent-replayed': 'true' } : {}) })
        res.end(JSON.stringify(answer.body))
      })
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async #handle(req: IncomingMessage): Promise<Answer & { replayed?: boolean }> {
    for await (const _chunk of req) void _chunk
    const path = req.url ?? ''
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      // Stripe echoes (a masked form of) the key; this echoes it whole to prove we never pass it on.
      return error(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${String(req.headers.authorization).replace('Bearer ', '')}` })
    }
    const match = /^\/v1\/invoices\/([^/]+)\/pay$/.exec(path)
    if (req.method !== 'POST' || !match) return error(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` })
    const invoice = decodeURIComponent(match[1])
    const key = req.headers['idempotency-key'] as string | undefined
    const saved = key ? this.#saved.get(key) : undefined
    this.requests.push({ invoice, idempotencyKey: key, replayed: Boolean(saved) })
    if (saved) {
      if (saved.path !== path) return error(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used for the same endpoint and parameters` })
      return { ...saved.answer, replayed: true }
    }
    this.charges++
    const answer = this.#pay(invoice)
    if (key && answer.status < 500) this.#saved.set(key, { path, answer })
    return answer
  }

  #pay(invoice: string): Answer {
    switch (invoice) {
      case 'in_ok':
        return { status: 200, body: { id: 'in_ok', object: 'invoice', amount_due: 4900, amount_paid: 4900, amount_remaining: 0, currency: 'usd', status: 'paid', attempt_count: 2 } }
      case 'in_needs_action':
        return { status: 200, body: { id: 'in_needs_action', object: 'invoice', amount_due: 4900, amount_paid: 0, currency: 'usd', status: 'open' } }
      case 'in_declined':
        return error(402, {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
          charge: 'ch_1Declined',
          doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        })
      case 'in_already_paid':
        return error(400, { type: 'invalid_request_error', message: 'Invoice is already paid' })
      case 'in_broken':
        return error(500, { type: 'api_error', message: "Sorry, something went wrong on Stripe's end." })
      case 'in_busy':
        return error(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' })
      default:
        return error(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'invoice', message: `No such invoice: '${invoice}'` })
    }
  }
}

function error(status: number, body: Record<string, unknown>): Answer {
  return { status, body: { error: body } }
}

function input(invoiceId: string | undefined, idempotencyKey = `run_1:retry:${invoiceId}`): PaymentRetryInput {
  return { invoiceId, customerId: 'cus_ada', subscriptionId: 'sub_ada', amount: 4900, currency: 'USD', idempotencyKey }
}

describe('Stripe retry provider', () => {
  const stripe = new FakeStripe()
  let base: string

  beforeAll(async () => {
    base = await stripe.listen()
  })
  afterAll(async () => {
    await new Promise((resolve) => stripe.server.close(resolve))
  })
  beforeEach(() => {
    stripe.requests.length = 0
    stripe.charges = 0
  })

  it('pays the invoice once per idempotency key', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    const first = await provider.retry(input('in_ok', 'run_1:retry'))
    expect(first).toEqual({ status: 'succeeded', providerId: 'in_ok' })
    // A crash-repeated step sends the same key: Stripe replays, nobody is charged twice.
    const again = await provider.retry(input('in_ok', 'run_1:retry'))
    expect(again).toEqual(first)
    expect(stripe.requests).toEqual([
      { invoice: 'in_ok', idempotencyKey: 'run_1:retry', replayed: false },
      { invoice: 'in_ok', idempotencyKey: 'run_1:retry', replayed: true },
    ])
    expect(stripe.charges).toBe(1)
  })

  it('reports a decline with its decline code, the same on a replay', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    const declined = await provider.retry(input('in_declined'))
    expect(declined).toEqual({
      status: 'failed', providerId: 'in_declined', failureCode: 'insufficient_funds', failureMessage: 'Your card has insufficient funds.',
      decline: { failure_code: 'card_declined', failure_message: 'Your card has insufficient funds.', decline_code: 'insufficient_funds' },
    })
    expect(await provider.retry(input('in_declined'))).toEqual(declined)
    expect(stripe.charges).toBe(1)
  })

  it('reports a payment left open (e.g. needing authentication) as failed, not paid', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    expect(await provider.retry(input('in_needs_action'))).toMatchObject({ status: 'failed', failureCode: 'payment_incomplete' })
  })

  it('treats an invoice paid meanwhile as success', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    expect(await provider.retry(input('in_already_paid'))).toEqual({ status: 'succeeded', providerId: 'in_already_paid' })
  })

  it('asks for a later try when Stripe fails, is busy or cannot be reached', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    await expect(provider.retry(input('in_broken'))).rejects.toBeInstanceOf(RetryLaterError)
    await expect(provider.retry(input('in_busy'))).rejects.toBeInstanceOf(RetryLaterError)
    // A port nothing listens on: bound, then freed.
    const gone = createServer()
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
    const port = (gone.address() as AddressInfo).port
    await new Promise((resolve) => gone.close(resolve))
    const offline = createStripeRetryProvider({ secretKey: KEY, apiBase: `http://127.0.0.1:${port}` })
    await expect(offline.retry(input('in_ok'))).rejects.toBeInstanceOf(RetryLaterError)
  })

  it('fails for good, saying why, on an unknown invoice or a missing invoice id', async () => {
    const provider = createStripeRetryProvider({ secretKey: KEY, apiBase: base })
    const missing = await provider.retry(input('in_nope')).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(PermanentError)
    expect((missing as Error).message).toContain('no invoice in_nope')
    const none = await provider.retry(input(undefined, 'run_1:retry')).catch((e: unknown) => e)
    expect(none).toBeInstanceOf(PermanentError)
    expect((none as Error).message).toMatch(/^retry_payment needs an invoice id/)
    expect(stripe.requests.map((r) => r.invoice)).toEqual(['in_nope'])
  })

  it('never puts the secret key in its errors', async () => {
    const wrongKey = 'sk_test_notTheRightOne987654321'
    const provider = createStripeRetryProvider({ secretKey: wrongKey, apiBase: base })
    const err = await provider.retry(input('in_ok')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PermanentError)
    expect((err as Error).message).toContain('RECOUP_STRIPE_SECRET_KEY')
    const everything = JSON.stringify({ message: (err as Error).message, cause: (err as Error).cause, stack: (err as Error).stack })
    expect(everything).not.toContain(wrongKey)
  })
})
