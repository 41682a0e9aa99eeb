import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Stripe from 'stripe'
import { ConfigError, RecoupError, ValidationError } from '../../domain/errors.js'
import type { Database } from '../../store/schema.js'
import { parseEvent } from '../../domain/parse-event.js'
import type { Ingestor } from '../../ingest/ingest.js'
import { paidInvoices } from '../../ingest/records.js'
import { lookupsFor, mapStripeEvent, type StripeLookedUp, type StripeMapOptions } from '../../providers/stripe/webhook-events.js'
import { createStripeLookups, type StripeLookups } from '../../providers/stripe/lookups.js'
import { applySubscriptionUpdate } from '../../providers/stripe/records.js'
import { z } from 'zod'
import { documented } from '../route-doc.js'

/** What the route reads of a delivery before its type decides the rest (the raw bytes are what is verified). */
const stripeEnvelope = z.looseObject({ id: z.string(), type: z.string(), data: z.looseObject({ object: z.looseObject({}) }) })

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
  /** Widest gap accepted between a signature's timestamp and now, either way, in seconds (default 300). */
  readonly tolerance?: number
  /** The app's clock in milliseconds (default `Date.now`); signatures are judged against it. */
  readonly now?: () => number
  /**
   * `sk_…`/`rk_…`: lets a delivery read what its payload only names by id (a schedule's prices,
   * a Checkout Session's card), within a short timeout. Without it those events map without.
   */
  readonly secretKey?: string
  /** Another Stripe API host (tests). */
  readonly apiBase?: string
  /** The API reads themselves (default: built from `secretKey`). */
  readonly lookups?: StripeLookups
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
 * A delivery that is not Stripe's (no or bad signature, timestamp outside the tolerance either
 * way) is answered 400. A signed one is answered 2xx unless the database fails: Stripe retries
 * anything else for days, and a retry of the same bytes cannot do better. So a signed event Recoup
 * cannot use (malformed, or failing Recoup's event schema) is answered `200 {ignored: <reason>}`
 * and logged at warn.
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
 * - the decline reason comes in its own events (`charge.failed`, `payment_intent.payment_failed`),
 *   before or after the invoice's failure; ingest joins them. Missing ones are read from the API
 *   later, outside the request, by stripe-enricher.ts.
 *
 * The request itself calls Stripe's API only for what a payload names by id alone and is rare (a
 * schedule's prices, a Checkout Session's card), each read bounded by a short timeout; see
 * stripe-lookups.ts. A subscription that ended updates its record, then ends its recoveries.
 */
export function stripeWebhookRoutes(app: FastifyInstance, deps: StripeWebhookDeps): void {
  if (!deps.webhookSecret) throw new ConfigError('RECOUP_STRIPE_WEBHOOK_SECRET is empty; copy the signing secret (whsec_…) of the Stripe endpoint')
  const tolerance = deps.tolerance ?? DEFAULT_TOLERANCE_SECONDS
  if (!(tolerance > 0 && Number.isFinite(tolerance))) throw new ConfigError(`The Stripe signature tolerance must be a positive number of seconds, not ${tolerance}`)
  const now = deps.now ?? Date.now
  const lookups =
    deps.lookups ??
    (deps.secretKey
      ? createStripeLookups({ secretKey: deps.secretKey, apiBase: deps.apiBase, now, onError: (what, err) => deps.logger.warn({ what, error: String((err as Error)?.message ?? err).slice(0, 500) }, 'stripe lookup failed; the event is recorded without it') })
      : undefined)
  void app.register(async (scope) => {
    // The signature covers the exact bytes Stripe sent; re-serialized JSON would not verify.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    scope.post('/v1/webhooks/stripe', documented({
      summary: 'Stripe webhook deliveries (signed): mapped to Recoup events and ingested',
      description: 'A delivery that does not verify is answered 400; a signed one Recoup cannot use is answered 200 {ignored: reason}.',
      auth: 'signature',
      signatureHeader: 'Stripe-Signature',
      body: stripeEnvelope,
    }), async (req, reply) => {
      const nowMs = now()
      const body = verify(req.body, req.headers['stripe-signature'], { secret: deps.webhookSecret, tolerance, nowMs })
      const log = envelopeLog(body)
      const ignore = (reason: string, level: 'info' | 'warn', extra: object = {}) => {
        deps.logger[level]({ ...log, ...extra, reason }, 'stripe webhook ignored')
        return reply.code(200).send({ ignored: reason })
      }
      if (body === NOT_JSON) return ignore('the signed body is not JSON', 'warn')
      const mapped = mapStripeEvent(body, deps, lookups ? await lookUp(lookups, body) : {})

      if (mapped.kind === 'ignored') return ignore(mapped.reason, mapped.malformed ? 'warn' : 'info')
      if (mapped.kind === 'subscription') {
        await applySubscriptionUpdate(deps.db, mapped, new Date(nowMs).toISOString())
        return reply.code(200).send({ subscription_id: mapped.id, status: mapped.status })
      }
      try {
        // Checked before the store is read: the stale check below trusts the ids.
        parseEvent(mapped.event)
        const stale = await staleReason(deps.db, mapped.event)
        if (stale) return ignore(stale, 'info', { invoice_id: invoiceIdOf(mapped.event) })
        // The record first (idempotent), so the event's recoveries end on a subscription that says why.
        if (mapped.subscription) await applySubscriptionUpdate(deps.db, mapped.subscription, new Date(nowMs).toISOString())
        const result = await deps.ingestor.accept(mapped.event)
        return reply.code(200).send(result)
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        const issues = err.issues.slice(0, 3).map((i) => `${i.path} ${i.message}`).join('; ')
        return ignore(`the event does not pass Recoup's event schema: ${issues}`, 'warn')
      }
    })
  })
}

/** What the API says about ids the payload only names; each read is bounded and may come back empty. */
async function lookUp(lookups: StripeLookups, body: unknown): Promise<StripeLookedUp> {
  const needs = lookupsFor(body)
  const [priceProducts, setupIntentPaymentMethod] = await Promise.all([
    needs.priceIds ? lookups.priceProducts(needs.priceIds) : undefined,
    needs.setupIntentId ? lookups.setupIntentPaymentMethod(needs.setupIntentId) : undefined,
  ])
  return { ...(priceProducts ? { priceProducts } : {}), ...(setupIntentPaymentMethod ? { setupIntentPaymentMethod } : {}) }
}

/** A signed body that is not JSON: Stripe's, yet unusable. */
const NOT_JSON = Symbol('not JSON')

/** Checks the signature and its timestamp, then parses the body (whatever JSON it holds). */
function verify(
  body: unknown,
  header: string | string[] | undefined,
  o: { readonly secret: string; readonly tolerance: number; readonly nowMs: number },
): unknown {
  if (typeof header !== 'string' || header === '') {
    throw new WebhookSignatureError('The Stripe-Signature header is missing; only Stripe can call this endpoint')
  }
  if (!Buffer.isBuffer(body) && typeof body !== 'string') {
    throw new WebhookSignatureError('The body is missing; Stripe sends the event as JSON')
  }
  checkTimestamp(header, o.tolerance, o.nowMs)
  const signature = Stripe.webhooks.signature
  if (!signature) throw new Error('The Stripe SDK offers no signature check on this platform')
  try {
    // Stripe's check of the past too, on the same clock: two guards, one rule.
    signature.verifyHeader(body, header, o.secret, o.tolerance, undefined, o.nowMs)
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      // Stripe's message says whether the signature or the timestamp failed; it holds no secret.
      throw new WebhookSignatureError(`The Stripe signature does not verify: ${err.message}`)
    }
    throw err
  }
  try {
    return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) as unknown
  } catch {
    return NOT_JSON
  }
}

/**
 * Refuses a signature whose timestamp is further than `tolerance` from now, in either direction.
 * Stripe's SDK only refuses old ones; a timestamp in the future would let a captured delivery be
 * replayed until then. The timestamp is read as the SDK reads it (the last `t=`, parsed as an
 * integer), so both judge the same value.
 */
function checkTimestamp(header: string, tolerance: number, nowMs: number): void {
  let signedAt: number | undefined
  for (const part of header.split(',')) {
    const [key, value] = part.split('=')
    if (key === 't') signedAt = Number.parseInt(value ?? '', 10)
  }
  if (signedAt === undefined) return // the SDK's own message covers a header without t=
  if (!Number.isFinite(signedAt)) throw new WebhookSignatureError('The Stripe-Signature header has no valid timestamp (t= must be Unix seconds)')
  const skew = signedAt - Math.floor(nowMs / 1000)
  if (skew > tolerance) {
    throw new WebhookSignatureError(
      `The Stripe signature is dated ${skew} s in the future; at most ${tolerance} s is accepted. If Stripe really sent it, this server's clock is behind: check its time synchronization.`,
    )
  }
  if (-skew > tolerance) {
    throw new WebhookSignatureError(
      `The Stripe signature is ${-skew} s old; at most ${tolerance} s is accepted, so it may be a replay. Stripe signs each retry anew; if deliveries are delayed, check this server's clock.`,
    )
  }
}

/** The event's id and type for logs, when the body has them as strings. */
function envelopeLog(body: unknown): { stripe_event_id?: string; stripe_event_type?: string } {
  if (typeof body !== 'object' || body === null) return {}
  const { id, type } = body as { id?: unknown; type?: unknown }
  return {
    ...(typeof id === 'string' ? { stripe_event_id: id.slice(0, 255) } : {}),
    ...(typeof type === 'string' ? { stripe_event_type: type.slice(0, 100) } : {}),
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
