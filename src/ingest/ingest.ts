import type { Kysely } from 'kysely'
import { ValidationError, type FieldIssue } from '../domain/errors.js'
import type { RecoupEvent } from '../domain/events.js'
import { parseEvent } from '../domain/parse-event.js'
import type { EventPublisher } from '../outbound/publisher.js'
import type { TransactionBatcher } from '../store/batcher.js'
import type { JobQueue } from '../queue/job-queue.js'
import type { Database } from '../store/schema.js'
import { applyEventBatch, type IngestResult } from './apply-batch.js'
import type { CatalogCache } from './catalog-cache.js'

export type { IngestResult } from './apply-batch.js'

/** Per-event outcome of a batch: the result, or the problem with that one event. */
export type BatchItem =
  | ({ readonly index: number; readonly status: 200 | 202 } & IngestResult)
  | { readonly index: number; readonly status: 422; readonly event_id?: string; readonly errors: readonly FieldIssue[] }

interface Waiting {
  readonly event: RecoupEvent
  resolve(r: IngestResult): void
  reject(err: unknown): void
}

/** Most events applied by one set of statements. */
const MAX_EVENTS_PER_APPLY = 1000

/**
 * Accepts events: dedupes by id, upserts customers, updates records, ends runs whose goal an event
 * meets, and starts runs of matching workflows. Events arriving together (one batch, or many
 * concurrent requests) are applied by one set of statements in one transaction; each caller is
 * answered only after that commit. If a shared apply fails, each event is retried on its own, so
 * one bad event cannot sink the others.
 */
export class Ingestor {
  readonly #batcher: TransactionBatcher
  readonly #catalog: CatalogCache
  readonly #now: () => number
  readonly #onCommitted: () => void
  readonly #publisher: EventPublisher
  readonly #jobs: JobQueue
  #queue: Waiting[] = []
  #scheduled = false

  constructor(options: { batcher: TransactionBatcher; catalog: CatalogCache; publisher: EventPublisher; jobs: JobQueue; now: () => number; onCommitted: () => void }) {
    this.#jobs = options.jobs
    this.#batcher = options.batcher
    this.#publisher = options.publisher
    this.#catalog = options.catalog
    this.#now = options.now
    this.#onCommitted = options.onCommitted
  }

  /** Accepts one event; resolves once it is durable. */
  async accept(raw: unknown): Promise<IngestResult> {
    return this.#enqueue(parseEvent(raw))
  }

  /** Records an event inside the caller's transaction (e.g. a step's payment.succeeded). */
  async acceptInTransaction(trx: Kysely<Database>, raw: unknown): Promise<IngestResult> {
    const [result] = await this.#apply(trx, [parseEvent(raw)])
    return result
  }

  /**
   * Accepts events that must be recorded together or not at all (an offer's acceptance and the
   * record change it brings); all are validated before any is recorded.
   */
  async acceptTogether(raws: readonly unknown[]): Promise<IngestResult[]> {
    const events = raws.map((raw, i) => parseEvent(raw, raws.length > 1 ? [i] : []))
    const results = await this.#batcher.run((trx) => this.#apply(trx, events), { urgent: true })
    this.#onCommitted()
    return results
  }

  /** Accepts a batch; each event is judged on its own. */
  async acceptMany(raws: readonly unknown[]): Promise<BatchItem[]> {
    return Promise.all(
      raws.map(async (raw, index): Promise<BatchItem> => {
        let event: RecoupEvent
        try {
          event = parseEvent(raw, ['events', index])
        } catch (err) {
          const id = (raw as { id?: unknown } | null)?.id
          return { index, status: 422, ...(typeof id === 'string' ? { event_id: id } : {}), errors: (err as ValidationError).issues }
        }
        const result = await this.#enqueue(event)
        return { index, status: result.duplicate ? 200 : 202, ...result }
      }),
    )
  }

  #apply(trx: Kysely<Database>, events: readonly RecoupEvent[]): Promise<IngestResult[]> {
    return applyEventBatch(trx, events, { catalog: this.#catalog, publisher: this.#publisher, jobs: this.#jobs, nowMs: this.#now() })
  }

  #enqueue(event: RecoupEvent): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush(): void {
    this.#scheduled = false
    while (this.#queue.length > 0) void this.#applyGroup(this.#queue.splice(0, MAX_EVENTS_PER_APPLY))
  }

  async #applyGroup(group: Waiting[]): Promise<void> {
    try {
      // Urgent: a caller waits for this commit, while engine steps can wait for the next one.
      const results = await this.#batcher.run((trx) => this.#apply(trx, group.map((w) => w.event)), { urgent: true })
      group.forEach((w, i) => w.resolve(results[i]))
      this.#onCommitted()
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(err)
        return
      }
      // Find the culprit: every event again, alone.
      await Promise.all(group.map((w) => this.#applyGroup([w])))
    }
  }
}
