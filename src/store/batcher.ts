import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.js'

type Work<T> = (trx: Transaction<Database>) => Promise<T>

interface Pending {
  readonly work: Work<unknown>
  resolve(value: unknown): void
  reject(err: unknown): void
}

/**
 * Group commit: units of work queued in the same moment share one transaction, so a burst of
 * requests pays for one fsync instead of hundreds. Each caller still learns of its own result only
 * after the commit. If the shared transaction fails, every unit is retried in a transaction of its
 * own, so one bad unit cannot sink the others. A unit that PostgreSQL aborts to break a deadlock or a
 * serialization conflict (two transactions taking the same rows in opposite orders, e.g. ingest
 * ending a run while a worker commits that run's step) is run again after a short pause.
 * Units must only touch the database (they may run more than once).
 *
 * Units marked `urgent` (a request someone is waiting on, such as ingest) go ahead of the queued
 * ones in the next commit, so an event does not wait behind a backlog of engine steps.
 */
export class TransactionBatcher {
  readonly #db: Kysely<Database>
  readonly #maxBatch: number
  #queue: Pending[] = []
  #urgent: Pending[] = []
  #flushing = false
  #scheduled = false

  constructor(options: { db: Kysely<Database>; maxBatch?: number }) {
    this.#db = options.db
    this.#maxBatch = options.maxBatch ?? 500
  }

  /** Runs `work` inside a (possibly shared) transaction and resolves after it commits; `urgent` units commit first. */
  run<T>(work: Work<T>, options: { urgent?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      ;(options.urgent ? this.#urgent : this.#queue).push({ work, resolve: resolve as (v: unknown) => void, reject })
      this.#schedule()
    })
  }

  /** Resolves when everything queued so far has been committed or rejected. */
  async drain(): Promise<void> {
    while (this.#pending() > 0 || this.#flushing) await new Promise((r) => setTimeout(r, 5))
  }

  #pending(): number {
    return this.#queue.length + this.#urgent.length
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#pending() === 0) return
    this.#flushing = true
    const batch = this.#urgent.splice(0, this.#maxBatch)
    if (batch.length < this.#maxBatch) batch.push(...this.#queue.splice(0, this.#maxBatch - batch.length))
    try {
      await this.#commit(batch)
    } finally {
      this.#flushing = false
      if (this.#pending() > 0) this.#schedule()
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch
      for (let attempt = 1; ; attempt++) {
        try {
          only.resolve(await this.#db.transaction().execute(only.work))
        } catch (err) {
          if (attempt < TRANSIENT_ATTEMPTS && isTransient(err)) {
            await new Promise((r) => setTimeout(r, attempt * (5 + Math.random() * 20)))
            continue
          }
          only.reject(err)
        }
        return
      }
    }
    try {
      const results = await this.#db.transaction().execute(async (trx) => {
        const out: unknown[] = []
        for (const p of batch) out.push(await p.work(trx))
        return out
      })
      batch.forEach((p, i) => p.resolve(results[i]))
    } catch {
      for (const p of batch) await this.#commit([p])
    }
  }
}

/** How many times a unit is tried when PostgreSQL keeps aborting it as a deadlock victim. */
const TRANSIENT_ATTEMPTS = 5

/** PostgreSQL's deadlock_detected (40P01) and serialization_failure (40001): the same work may succeed when run again. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '40P01' || code === '40001'
}
