import { hostname } from 'node:os'
import type { Store } from '../../store/database.js'
import type { JobQueue } from '../job-queue.js'
import { claimDueJobs, nextDueAt, releaseAllLeases } from './jobs.js'
import type { Engine } from '../../runs/engine.js'

/** Runs due jobs. The embedded mode polls the jobs table; scale-out may plug in another. */
export interface Scheduler {
  start(): Promise<void>
  /** Stops taking work and waits (up to `deadlineMs`) for steps in flight. */
  stop(deadlineMs?: number): Promise<void>
  /** New work may be due now: look without waiting for the next poll. */
  wake(): void
}

export interface PollingSchedulerOptions {
  readonly store: Store
  readonly engine: Engine
  /** The jobs table's queue (the one ingest and the engine write to). */
  readonly jobs: JobQueue
  readonly now: () => number
  /** Most runs advanced at once. */
  readonly concurrency: number
  /** Longest sleep between looks at the jobs table. */
  readonly pollMs?: number
  /** How long a claimed job stays ours before another worker may take it (PostgreSQL). */
  readonly leaseMs?: number
  readonly onError?: (err: unknown, runId: string) => void
}

/** Claims due jobs from the `jobs` table and advances their runs, at most `concurrency` at a time. */
export class PollingScheduler implements Scheduler {
  readonly #o: PollingSchedulerOptions
  readonly #worker = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`
  readonly #inFlight = new Set<string>()
  #running = false
  #loop: Promise<void> | undefined
  #wakeUp: (() => void) | undefined
  #woken = false

  constructor(options: PollingSchedulerOptions) {
    this.#o = options
  }

  async start(): Promise<void> {
    // A SQLite file has exactly one owner (us), so leases left by a crashed predecessor are void.
    if (this.#o.store.dialect === 'sqlite') await releaseAllLeases(this.#o.store.db)
    this.#running = true
    this.#loop = this.#run()
  }

  wake(): void {
    this.#woken = true
    this.#wakeUp?.()
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    this.#running = false
    this.wake()
    await this.#loop
    const until = Date.now() + deadlineMs
    while (this.#inFlight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  }

  async #run(): Promise<void> {
    const pollMs = this.#o.pollMs ?? 500
    while (this.#running) {
      this.#woken = false
      const free = this.#o.concurrency - this.#inFlight.size
      let claimed = 0
      if (free > 0) {
        const now = this.#o.now()
        try {
          const jobs = await claimDueJobs(this.#o.store.db, this.#o.store.dialect, {
            now,
            limit: free,
            worker: this.#worker,
            leaseUntil: now + (this.#o.leaseMs ?? 300_000),
            exclude: this.#inFlight,
          })
          claimed = jobs.length
          for (const job of jobs) this.#spawn(job.run_id)
        } catch (err) {
          this.#o.onError?.(err, '(claim)')
        }
      }
      if (claimed > 0 && claimed === free) {
        await this.#sleep(0)
        continue
      }
      if (claimed > 0 || this.#woken) continue
      let delay = pollMs
      try {
        const due = await nextDueAt(this.#o.store.db)
        if (due !== null) delay = Math.max(0, Math.min(pollMs, due - this.#o.now()))
      } catch {
        // polling again later is the recovery
      }
      await this.#sleep(delay)
    }
  }

  #spawn(runId: string): void {
    this.#inFlight.add(runId)
    this.#o.engine
      .advance(runId)
      .catch(async (err) => {
        this.#o.onError?.(err, runId)
        // An unexpected error (a bug, the database down): try the run again a little later,
        // unless it keeps failing for a reason that is not an outage: then it fails visibly.
        const next = await this.#o.engine.onAdvanceError(runId, err).catch(() => 'retry' as const)
        if (next === 'retry') await this.#o.jobs.schedule(this.#o.store.db, runId, this.#o.now() + 5_000).catch(() => {})
      })
      .finally(() => {
        this.#inFlight.delete(runId)
        this.wake()
      })
  }

  #sleep(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve()
    return new Promise((resolve) => {
      const t = setTimeout(done, ms)
      function done() {
        clearTimeout(t)
        resolve()
      }
      this.#wakeUp = () => {
        this.#wakeUp = undefined
        done()
      }
      if (this.#woken) done()
    })
  }
}
