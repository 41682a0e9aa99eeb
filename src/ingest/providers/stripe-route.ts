import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Stripe from 'stripe'
import { ConfigError, RecoupError } from '../../domain/errors.js'
import type { Database } from '../../store/schema.js'
import type { Ingestor } from '../ingest.js'
import { paidInvoices } from '../records.js'
import { mapStripeEvent, type StripeMapOptions } from './stripe.js'
import { applySubscriptionUpdate } from './stripe-records.js'

/** Stripe's default, and what its docs recommend: older deliveries could be replays. */
const DEFAULT_TOLERANCE_SECONDS = 300

/** The part of a pino logger this route uses. */
export interface WebhookLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface StripeWebhookDeps extends StripeMapOptions {
  /** The endpoint's signing secret (`whsec_…`). */
  readonly webhookSecret: string
  readonly ingestor: Ingestor
  readonly db: Kysely<Database>
  readonly logger: WebhookLogger
  /** Oldest signature accepted, in seconds (default 300). */
  readonly tolerance?: number
}

/** A delivery whose signature does not verify; answered 400 (the host's error handler maps RecoupError). */
export class WebhookSignatureError extends RecoupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_signature', message, options)
  }
}

/**
 * `POST /v1/webhooks/stripe`: verifies Stripe's signature over the raw body, maps the event and
 * hands it to ingest. Registered in its own encapsulated scope so only this route sees raw bytes;
 * the rest of the API keeps its JSON parser.
 *
 * Stripe retries and reorders deliveries, so:
 * - a retry carries the same Stripe event id → the same Recoup event id → a duplicate, no new run;
 * - a `payment.failed` for an invoice already recorded as paid is answered
 *   `200 {ignored: 'invoice already paid'}` and not stored at all: it adds nothing the paid
 *   invoice does not already say. It is logged. (When the payment is committing in another process
 *   at that very moment, this check misses it; ingest then makes the same call inside its
 *   transaction, stores the failure and changes nothing: see `failuresOfPaidInvoices`.)
 * - Stripe sends both `invoice.paid` and `invoice.payment_succeeded` for one payment; the second is
 *   ignored the same way so the payment is not counted twice.
 */
export function stripeWebhookRoutes(app: FastifyInstance, deps: StripeWebhookDeps): void {
  if (!deps.webhookSecret) throw new ConfigError('RECOUP_STRIPE_WEBHOOK_SECRET is empty; copy the signing secret (whsec_…) of the Stripe endpoint')
  const tolerance = deps.tolerance ?? DEFAULT_TOLERANCE_SECONDS
  void app.register(async (scope) => {
    // The signature covers the exact bytes Stripe sent; re-serialized JSON would not verify.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    scope.post('/v1/webhooks/stripe', async (req, reply) => {
      const event = verify(req.body, req.headers['stripe-signature'], deps.webhookSecret, tolerance)
      const log = { stripe_event_id: event.id, stripe_event_type: event.type }
      const mapped = mapStripeEvent(event, deps)

      if (mapped.kind === 'ignored') {
        deps.logger.info({ ...log, reason: mapped.reason }, 'stripe webhook ignored')
        return reply.code(200).send({ ignored: mapped.reason })
      }
      if (mapped.kind === 'subscription') {
        await applySubscriptionUpdate(deps.db, mapped)
        return reply.code(200).send({ subscription_id: mapped.id, status: mapped.status })
      }
      const stale = await staleReason(deps.db, mapped.event)
      if (stale) {
        deps.logger.info({ ...log, invoice_id: invoiceIdOf(mapped.event), reason: stale }, 'stripe webhook ignored')
        return reply.code(200).send({ ignored: stale })
      }
      const result = await deps.ingestor.accept(mapped.event)
      return reply.code(200).send(result)
    })
  })
}

function verify(body: unknown, header: string | string[] | undefined, secret: string, tolerance: number): Stripe.Event {
  if (typeof header !== 'string' || header === '') {
    throw new WebhookSignatureError('The Stripe-Signature header is missing; only Stripe can call this endpoint')
  }
  if (!Buffer.isBuffer(body) && typeof body !== 'string') {
    throw new WebhookSignatureError('The body is missing; Stripe sends the event as JSON')
  }
  try {
    return Stripe.webhooks.constructEvent(body, header, secret, tolerance)
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      // Stripe's message says whether the signature or the timestamp failed; it holds no secret.
      throw new WebhookSignatureError(`The Stripe signature does not verify: ${err.message}`)
    }
    throw new WebhookSignatureError('The signed body is not a Stripe event (invalid JSON)', { cause: err })
  }
}

type MappedEvent = Extract<ReturnType<typeof mapStripeEvent>, { kind: 'event' }>['event']

function invoiceIdOf(event: MappedEvent): string | undefined {
  return 'payment' in event ? event.payment.invoice_id : undefined
}

/** Why a delivery arrived too late to matter, if it did: its invoice is already recorded as paid. */
async function staleReason(db: Kysely<Database>, event: MappedEvent): Promise<string | undefined> {
  const invoiceId = invoiceIdOf(event)
  if (!invoiceId) return undefined
  const paidBy = (await paidInvoices(db, [invoiceId])).get(invoiceId)
  if (!paidBy) return undefined
  if (event.type === 'payment.failed') return 'invoice already paid'
  // The same delivery again is a plain duplicate; ingest answers it with its runs.
  if (event.type === 'payment.succeeded' && paidBy !== event.id) return 'invoice already recorded as paid'
  return undefined
}
