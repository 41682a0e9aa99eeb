import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DeclineDetails, PaymentRetryProvider } from './payments.js'
import { PermanentError } from '../../domain/errors.js'
import { idProblem } from '../../domain/ids.js'
import type { Database } from '../../store/schema.js'
import { claimReasonLookups, endReasonClaim, reasonLookupsDue, reasonStatusOf } from '../../store/repos/decline-claims.js'
import type { Ingestor } from '../../ingest/ingest.js'
import { cleanDecline, hasReason } from './mapping.js'

/** The part of a logger the enricher uses. */
export interface EnricherLogger {
  warn(obj: object, msg: string): void
}

export interface ReasonEnricherOptions {
  readonly db: Kysely<Database>
  readonly ingestor: Pick<Ingestor, 'accept'>
  /** The payment provider; its `declineOfInvoice` (Stripe with a secret key) is the API lookup. */
  readonly payments: Pick<PaymentRetryProvider, 'declineOfInvoice'>
  /** The app's clock in ms. */
  readonly now?: () => number
  readonly logger?: EnricherLogger
  /** How often to look for failures without their reason (default 1 s). */
  readonly pollMs?: number
  /** How long Stripe's own charge.failed / payment_intent.payment_failed get before the API is asked (default 3 s). */
  readonly graceMs?: number
  /** How long after the failure its reason is given up on and recorded as `unknown` (default 45 s). */
  readonly giveUpMs?: number
  /** Lookups in flight at once (default 8). */
  readonly concurrency?: number
  /** Failures claimed per pass (default 200). */
  readonly batchSize?: number
  /** API failures per failure before only the bound is waited for (default 4). */
  readonly maxTries?: number
  /** Longest wait for one lookup (default 10 s). */
  readonly lookupTimeoutMs?: number
}

/** Row fields the enricher works with. */
interface PendingRow {
  readonly id: string
  readonly customer_id: string
  readonly invoice_id: string | null
  readonly payment_intent_id: string | null
  readonly amount: number | string
  readonly currency: string
  readonly created_at: string
}

/**
 * Fills in decline reasons that did not come with their failure. A webhook's
 * `invoice.payment_failed` carries no reason, and Stripe sends it apart (`charge.failed`,
 * `payment_intent.payment_failed`), if the endpoint subscribes to those at all. So failures stored
 * with `reason_status = 'pending'` are looked at here, outside the webhook request (which must
 * answer Stripe fast): after `graceMs`, so Stripe's own events usually win, the reason is read from
 * the API (`declineOfInvoice`) and recorded through ingest as a `payment.decline_reason`, which
 * wakes the recovery waiting for it. Without a key, or when no reason is found within `giveUpMs`
 * of the failure, the reason recorded is `unknown`, so the run goes on and says so.
 *
 * Several processes may run one each: a failure is claimed (`pending` → `fetching`) by one
 * conditional update, which PostgreSQL and SQLite both apply to each row once. A claim whose
 * process died is taken over once the failure is well past `giveUpMs`.
 */
export class StripeReasonEnricher {
  readonly #o: Required<Omit<ReasonEnricherOptions, 'logger'>> & { logger?: EnricherLogger }
  /** Earliest next try of a failure this process put back, and how many API failures it had. */
  readonly #retryAt = new Map<string, number>()
  readonly #tries = new Map<string, number>()
  #chain: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: ReasonEnricherOptions) {
    this.#o = {
      now: Date.now,
      pollMs: 1000,
      graceMs: 3000,
      giveUpMs: 45_000,
      concurrency: 8,
      batchSize: 200,
      maxTries: 4,
      lookupTimeoutMs: 10_000,
      ...options,
    }
  }

  /** Starts looking every `pollMs`. */
  start(): void {
    if (this.#timer || this.#stopped) return
    const tick = () => {
      let handled = 0
      void this.#pass()
        .then((n) => void (handled = n))
        .catch((err: unknown) => this.#o.logger?.warn({ err }, 'looking for decline reasons failed; trying again'))
        .finally(() => {
          // A full batch means more is waiting (a burst): go on at once instead of pausing.
          if (!this.#stopped) this.#timer = setTimeout(tick, handled >= this.#o.batchSize ? 0 : this.#o.pollMs).unref()
        })
    }
    this.#timer = setTimeout(tick, this.#o.pollMs).unref()
  }

  /** Stops looking; resolves when the pass in flight is done. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#chain.catch(() => {})
  }

  /** Runs passes until none has anything due now (tests, bench). */
  async drain(): Promise<void> {
    while ((await this.#pass()) > 0) {
      // Each pass handles what it claimed; the next finds what is still due.
    }
  }

  /** One pass, after any pass already running (passes never overlap in one process). */
  #pass(): Promise<number> {
    const next = this.#chain.then(() => this.#claimAndEnrich())
    this.#chain = next.catch(() => {})
    return next
  }

  async #claimAndEnrich(): Promise<number> {
    const o = this.#o
    const nowMs = o.now()
    const lookup = typeof o.payments.declineOfInvoice === 'function'
    // Without a key nothing can be learned before the bound; with one, after Stripe's own events had their chance.
    const pendingBefore = iso(nowMs - (lookup ? o.graceMs : o.giveUpMs))
    // A claim this old belongs to a process that died: every live one finishes within giveUp + one lookup.
    const abandonedBefore = iso(nowMs - (o.giveUpMs + o.lookupTimeoutMs + 60_000))
    const rows = await reasonLookupsDue(o.db, { pendingBefore, abandonedBefore, limit: o.batchSize * 2 })
    const due = rows.filter((r) => (this.#retryAt.get(r.id) ?? 0) <= nowMs).slice(0, o.batchSize)
    if (due.length === 0) return 0
    const claimed = await claimReasonLookups(o.db, due.map((r) => r.id), abandonedBefore)
    const mine = due.filter((r) => claimed.has(r.id))
    await inParallel(mine, o.concurrency, (row) => this.#enrich(row, nowMs, lookup))
    return mine.length
  }

  async #enrich(row: PendingRow, nowMs: number, lookup: boolean): Promise<void> {
    const o = this.#o
    const age = nowMs - Date.parse(row.created_at)
    const pastBound = age >= o.giveUpMs
    const tries = this.#tries.get(row.id) ?? 0
    let decline: DeclineDetails | undefined
    if (lookup && row.invoice_id && tries < o.maxTries) {
      try {
        decline = await withTimeout(o.payments.declineOfInvoice!({ invoiceId: row.invoice_id, ...(row.payment_intent_id ? { paymentIntentId: row.payment_intent_id } : {}) }), o.lookupTimeoutMs)
      } catch (err) {
        // Asking again cannot help a permanent error (bad key, unknown invoice): only the bound is left.
        const next = err instanceof PermanentError ? o.maxTries : tries + 1
        this.#tries.set(row.id, next)
        o.logger?.warn({ payment: row.id, invoice_id: row.invoice_id, tries: next, error: String((err as Error)?.message ?? err).slice(0, 500) }, 'reading a decline reason from Stripe failed')
        if (!pastBound) return this.#release(row, nowMs, next < o.maxTries ? Math.min(1000 * 2 ** next, 15_000) : o.giveUpMs - age)
      }
      // Stripe may not show the attempt yet: ask again shortly, until the bound.
      if (!decline && !pastBound && (this.#tries.get(row.id) ?? 0) < o.maxTries) return this.#release(row, nowMs, 5000)
    }
    const found = decline && hasReason(cleanDecline(decline))
    if (!found && !pastBound) return this.#release(row, nowMs, o.giveUpMs - age)
    try {
      await this.#record(row, found ? decline : undefined, nowMs)
      this.#retryAt.delete(row.id)
      this.#tries.delete(row.id)
    } catch (err) {
      o.logger?.warn({ payment: row.id, err }, 'recording a decline reason failed; trying again')
      await this.#release(row, nowMs, 2000)
    }
  }

  /** Records the reason (or `unknown`) through ingest, unless a webhook brought one meanwhile. */
  async #record(row: PendingRow, decline: DeclineDetails | undefined, nowMs: number): Promise<void> {
    const { db, ingestor } = this.#o
    if ((await reasonStatusOf(db, row.id)) !== 'fetching') return
    const fields = decline ? cleanDecline(decline) : { failure_code: 'unknown' }
    const paymentIntent = decline?.payment_intent_id ?? row.payment_intent_id
    await ingestor.accept({
      id: reasonEventId(row.id),
      type: 'payment.decline_reason',
      occurred_at: new Date(nowMs).toISOString(),
      customer: { id: row.customer_id },
      decline: {
        ...(row.invoice_id ? { invoice_id: row.invoice_id } : {}),
        ...(paymentIntent && !idProblem(paymentIntent) ? { payment_intent_id: paymentIntent } : {}),
        amount: Number(row.amount),
        currency: row.currency,
        ...fields,
      },
      metadata: { source: 'stripe', found_by: decline ? 'stripe_api' : 'nobody' },
    })
    // The reason lands on this failure (it names its invoice); should it not, the claim must not stay.
    await endReasonClaim(db, row.id, 'unknown')
  }

  /** Puts a claimed failure back, to be tried again by this process after `delayMs` (or by another). */
  async #release(row: PendingRow, nowMs: number, delayMs: number): Promise<void> {
    this.#retryAt.set(row.id, nowMs + Math.max(delayMs, 100))
    await endReasonClaim(this.#o.db, row.id, 'pending')
  }
}

/** The id of the reason recorded for a failure: one per failure, so a repeat is a duplicate. */
export function reasonEventId(paymentRowId: string): string {
  const id = `stripe:reason:${paymentRowId}`
  return id.length <= 255 ? id : `stripe:reason:sha256:${createHash('sha256').update(paymentRowId).digest('hex')}`
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
