import type { Kysely } from 'kysely'
import type { z } from 'zod'
import { ValidationError, type FieldIssue } from '../domain/errors.js'
import { eventSchema, planIdOf, subscriptionIdOf, type RecoupEvent } from '../domain/events.js'
import { newId } from '../domain/ids.js'
import { zodIssues } from '../engine/definition.js'
import type { TransactionBatcher } from '../store/batcher.js'
import { upsertCustomer } from '../store/customers.js'
import { activeRunsOf, finishRun, insertRuns, runsOfEvent } from '../store/runs.js'
import type { Database, RunRow } from '../store/schema.js'
import { eventContext, selectedProducts, triggerMatches } from '../triggers/trigger.js'
import type { EventPublisher } from '../engine/publisher.js'
import type { CatalogCache } from './catalog-cache.js'
import { applyToRecords } from './records.js'

export interface IngestResult {
  readonly event_id: string
  readonly duplicate: boolean
  readonly runs: readonly { id: string; workflow_id: string }[]
  /** Runs this event ended because it met their `exit_on` (absent on duplicates). */
  readonly exited_runs?: readonly string[]
}

/** Per-event outcome of a batch: the result, or the problem with that one event. */
export type BatchItem =
  | ({ readonly index: number; readonly status: 200 | 202 } & IngestResult)
  | { readonly index: number; readonly status: 422; readonly event_id?: string; readonly errors: readonly FieldIssue[] }

/** Validates raw input as an event, or throws a ValidationError naming each bad field. */
export function parseEvent(raw: unknown, prefix: readonly PropertyKey[] = []): RecoupEvent {
  const parsed = eventSchema.safeParse(raw)
  if (!parsed.success) throw new ValidationError('The event is not valid', zodIssues(parsed.error as z.ZodError, prefix))
  return parsed.data
}

/**
 * Accepts events: dedupes by id, upserts the customer, updates records, ends runs whose goal the
 * event meets, and starts runs of matching workflows, all in one transaction per event (shared
 * with concurrent events by group commit).
 */
export class Ingestor {
  readonly #batcher: TransactionBatcher
  readonly #catalog: CatalogCache
  readonly #now: () => number
  readonly #onCommitted: () => void
  readonly #publisher: EventPublisher

  constructor(options: { batcher: TransactionBatcher; catalog: CatalogCache; publisher: EventPublisher; now: () => number; onCommitted: () => void }) {
    this.#batcher = options.batcher
    this.#publisher = options.publisher
    this.#catalog = options.catalog
    this.#now = options.now
    this.#onCommitted = options.onCommitted
  }

  /** Accepts one event; resolves once it is durable. */
  async accept(raw: unknown): Promise<IngestResult> {
    const event = parseEvent(raw)
    const result = await this.#batcher.run((trx) => this.#apply(trx, event))
    if (result.runs.length > 0 || result.exited_runs?.length) this.#onCommitted()
    return result
  }

  /** Records an event inside the caller's transaction (e.g. a step's payment.succeeded). */
  async acceptInTransaction(trx: Kysely<Database>, raw: unknown): Promise<IngestResult> {
    return this.#apply(trx, parseEvent(raw))
  }

  /**
   * Accepts events that must be recorded together or not at all (an offer's acceptance and the
   * record change it brings); all are validated before any is recorded.
   */
  async acceptTogether(raws: readonly unknown[]): Promise<IngestResult[]> {
    const events = raws.map((raw, i) => parseEvent(raw, raws.length > 1 ? [i] : []))
    const results = await this.#batcher.run(async (trx) => {
      const out: IngestResult[] = []
      for (const event of events) out.push(await this.#apply(trx, event))
      return out
    })
    if (results.some((r) => r.runs.length > 0 || r.exited_runs?.length)) this.#onCommitted()
    return results
  }

  /** Accepts a batch; each event is judged on its own. */
  async acceptMany(raws: readonly unknown[]): Promise<BatchItem[]> {
    const items = await Promise.all(
      raws.map(async (raw, index): Promise<BatchItem> => {
        let event: RecoupEvent
        try {
          event = parseEvent(raw, ['events', index])
        } catch (err) {
          const id = (raw as { id?: unknown } | null)?.id
          return { index, status: 422, ...(typeof id === 'string' ? { event_id: id } : {}), errors: (err as ValidationError).issues }
        }
        const result = await this.#batcher.run((trx) => this.#apply(trx, event))
        return { index, status: result.duplicate ? 200 : 202, ...result }
      }),
    )
    if (items.some((i) => i.status === 202)) this.#onCommitted()
    return items
  }

  async #apply(db: Kysely<Database>, event: RecoupEvent): Promise<IngestResult> {
    const nowMs = this.#now()
    const now = new Date(nowMs).toISOString()
    const occurredAt = event.occurred_at ? new Date(event.occurred_at).toISOString() : now
    const inserted = await db
      .insertInto('events')
      .values({ id: event.id, type: event.type, customer_id: event.customer.id, payload: JSON.stringify(event), occurred_at: occurredAt, received_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (!inserted) return { event_id: event.id, duplicate: true, runs: await runsOfEvent(db, event.id) }

    const { id: customerId, ...customerFields } = event.customer
    const customer = await upsertCustomer(db, customerId, customerFields)
    await applyToRecords(db, event, occurredAt, now)
    const exited = await this.#exitRuns(db, event)
    if (event.type === 'payment_method.updated' || event.type === 'payment.retry_requested') {
      // A new card (or the customer asking): waiting payment retries of this customer go now.
      const waiting = db.selectFrom('runs').select('id').where('customer_id', '=', customerId).where('status', '=', 'waiting')
      await db.updateTable('jobs').set({ run_at: nowMs }).where('run_id', 'in', waiting).execute()
    }
    if (event.type === 'offer.declined') {
      // The offer step waits for an answer: a decline lets the workflow go on now, not at expiry.
      const offering = db.selectFrom('runs').select('id').where('id', '=', event.run_id).where('customer_id', '=', customerId).where('status', '=', 'waiting')
      await db.updateTable('jobs').set({ run_at: nowMs }).where('run_id', 'in', offering).execute()
    }

    const runs: RunRow[] = []
    for (const wf of await this.#catalog.activeFor(db, event.type)) {
      const productIds = selectedProducts(wf.trigger, event)
      const products = await this.#catalog.products(db, productIds)
      const context = eventContext(event, products, occurredAt)
      if (!triggerMatches(wf.trigger, event, { ...context, customer })) continue
      runs.push({
        id: newId('run'),
        workflow_id: wf.id,
        workflow_version: wf.version,
        event_id: event.id,
        customer_id: customerId,
        product_ids: JSON.stringify(productIds),
        subscription_id: subscriptionIdOf(event) ?? null,
        plan_id: planIdOf(event) ?? null,
        exit_on: JSON.stringify(wf.exit_on),
        status: 'running',
        // Steps are numbered in document order, so every program starts at 0.
        cursor: 0,
        seq: 0,
        context: JSON.stringify(context),
        wait_until: null,
        wait_reason: null,
        error: null,
        created_at: now,
        updated_at: now,
        finished_at: null,
      })
    }
    await insertRuns(db, runs, nowMs)
    return {
      event_id: event.id,
      duplicate: false,
      runs: runs.map((r) => ({ id: r.id, workflow_id: r.workflow_id })),
      exited_runs: exited,
    }
  }

  /** Ends active runs of the customer whose exit_on this event meets. */
  async #exitRuns(db: Kysely<Database>, event: RecoupEvent): Promise<string[]> {
    const candidates = await activeRunsOf(db, [event.customer.id])
    const exited: string[] = []
    for (const run of candidates) {
      // An accepted offer is the goal of the run that made it, whatever that run's exit_on says.
      const acceptedHere = event.type === 'offer.accepted' && event.run_id === run.id
      if (!acceptedHere && !meetsExit(run, event)) continue
      const reason = `goal met: ${event.type} (event ${event.id})`
      if (!(await finishRun(db, run.id, 'exited', reason))) continue
      exited.push(run.id)
      const outcome = event.type === 'payment.succeeded' ? 'recovered' : 'offer_accepted'
      await this.#publisher.runEnded(db, run, 'exited', reason, outcome)
    }
    return exited
  }
}

/** True when `event` meets the run's exit_on: right type, same customer and product / subscription / plan. */
export function meetsExit(run: RunRow, event: RecoupEvent): boolean {
  if (!(JSON.parse(run.exit_on) as string[]).includes(event.type)) return false
  if (run.customer_id !== event.customer.id) return false
  const sub = subscriptionIdOf(event)
  if (run.subscription_id && sub) return run.subscription_id === sub
  const plan = planIdOf(event)
  if (run.plan_id && plan) return run.plan_id === plan
  const runProducts = JSON.parse(run.product_ids) as string[]
  if (runProducts.length === 0 || event.product_ids.length === 0) return true
  return event.product_ids.some((p) => runProducts.includes(p))
}
