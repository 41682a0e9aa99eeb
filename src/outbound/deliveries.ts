import type { Channels } from '../channels/channel.js'
import { PermanentError } from '../domain/errors.js'
import type { Store } from '../store/database.js'
import { claimDeliveries, getEndpointRow, recordAttempt } from '../store/repos/webhook-endpoints.js'
import { backoffDelay, type RetryPolicy } from '../runs/retry-policy.js'

/**
 * Sends queued deliveries of Recoup's own events to subscribed endpoints, signed with each
 * endpoint's secret, retrying with backoff. Runs beside the scheduler in worker processes.
 */
export class DeliveryDispatcher {
  readonly #store: Store
  readonly #channels: Channels
  readonly #now: () => number
  readonly #pollMs: number
  readonly #retry: RetryPolicy
  readonly #onError: (err: unknown) => void
  #timer: NodeJS.Timeout | undefined
  #busy: Promise<void> | undefined
  #running = false

  constructor(options: { store: Store; channels: Channels; now: () => number; pollMs: number; retry: RetryPolicy; onError: (err: unknown) => void }) {
    this.#store = options.store
    this.#channels = options.channels
    this.#now = options.now
    this.#pollMs = options.pollMs
    // Endpoints get more patience than steps: a receiver may be down for a while.
    this.#retry = { ...options.retry, maxAttempts: Math.max(8, options.retry.maxAttempts) }
    this.#onError = options.onError
  }

  start(): void {
    this.#running = true
    this.#schedule()
  }

  /** Stops polling and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    await this.#busy
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => {
      this.#busy = this.#tick()
        .then(() => undefined, this.#onError)
        .finally(() => this.#schedule())
    }, this.#pollMs)
  }

  /** Sends everything due now; returns how many were attempted. */
  async #tick(): Promise<number> {
    const db = this.#store.db
    const channel = this.#channels.webhook
    if (!channel) return 0
    const due = await claimDeliveries(db, this.#store.dialect, this.#now(), 50, 60_000)
    await Promise.all(
      due.map(async (d) => {
        const attempts = d.attempts + 1
        try {
          const endpoint = await getEndpointRow(db, d.endpoint_id)
          await channel.send({ kind: 'webhook', to: endpoint.url, body: d.payload, idempotencyKey: d.id, meta: { secret: endpoint.secret } })
          await recordAttempt(db, d.id, { status: 'delivered', attempts, nextAttemptAt: this.#now(), error: null })
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          const final = err instanceof PermanentError || attempts >= this.#retry.maxAttempts
          await recordAttempt(db, d.id, {
            status: final ? 'failed' : 'pending',
            attempts,
            nextAttemptAt: this.#now() + (final ? 0 : backoffDelay(this.#retry, attempts)),
            error: message,
          })
        }
      }),
    )
    return due.length
  }
}
