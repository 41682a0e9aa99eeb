import type { Kysely } from 'kysely'
import type { JobQueue } from '../queue/job-queue.js'
import { allEndpointRows, queueDelivery, type OutboundEventType } from '../store/repos/webhook-endpoints.js'
import type { Database, RunRow, WebhookEndpointRow } from '../store/schema.js'
import type { RecoveryOutcome } from '../domain/statuses.js'

export type { RecoveryOutcome } from '../domain/statuses.js'

/**
 * Turns run endings into deliveries for subscribed endpoints, each with its `deliver_webhook` job,
 * written in the same transaction as the ending itself. Endpoints are cached (they change rarely;
 * changes through this process invalidate at once, other processes within `ttlMs`).
 */
export class EventPublisher {
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #jobs: JobQueue
  #cache: { at: number; rows: WebhookEndpointRow[] } | undefined

  constructor(options: { now: () => number; jobs: JobQueue; ttlMs?: number }) {
    this.#now = options.now
    this.#jobs = options.jobs
    this.#ttlMs = options.ttlMs ?? 5000
  }

  /** Forget cached endpoints (one was added or removed). */
  invalidate(): void {
    this.#cache = undefined
  }

  // Reads through the caller's transaction: on SQLite the one connection is held by it, so a
  // query on the pool would wait forever.
  async #endpoints(trx: Kysely<Database>): Promise<WebhookEndpointRow[]> {
    const now = Date.now()
    if (!this.#cache || now - this.#cache.at > this.#ttlMs) this.#cache = { at: now, rows: await allEndpointRows(trx) }
    return this.#cache.rows
  }

  /** Queues `type` for every endpoint subscribed to it, each delivery with its job. */
  async publish(trx: Kysely<Database>, type: OutboundEventType, data: Record<string, unknown>): Promise<void> {
    const endpoints = (await this.#endpoints(trx)).filter((e) => e.disabled === 0 && (JSON.parse(e.events) as string[]).some((t) => t === type || t === '*'))
    if (endpoints.length === 0) return
    const now = this.#now()
    const payload = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data })
    for (const e of endpoints) await this.#jobs.scheduleDelivery(trx, await queueDelivery(trx, e.id, type, payload, now), now)
  }

  /** Publishes `run.<status>` and `recovery.ended` for a run that just ended. */
  async runEnded(trx: Kysely<Database>, run: RunRow, status: 'completed' | 'failed' | 'exited' | 'canceled', reason: string | null, outcome?: RecoveryOutcome): Promise<void> {
    const summary = { run_id: run.id, workflow_id: run.workflow_id, workflow_version: run.workflow_version, customer_id: run.customer_id, event_id: run.event_id, status, reason }
    await this.publish(trx, `run.${status}`, summary)
    const ended: RecoveryOutcome = outcome ?? (status === 'exited' ? 'recovered' : status === 'canceled' ? 'canceled' : 'exhausted')
    await this.publish(trx, 'recovery.ended', { ...summary, outcome: ended })
  }
}
