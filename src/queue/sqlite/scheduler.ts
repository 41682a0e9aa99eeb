import { hostname } from 'node:os'
import type { Kysely } from 'kysely'
import type { Database } from '../../store/schema.js'
import { deliveryIdOf, type JobQueue, type Scheduler, type TaskHandlers } from '../job-queue.js'
import { claimDueJobs, nextDueAt, prepareQueue } from './job-queue.js'

export interface PollingSchedulerOptions {
  readonly db: Kysely<Database>
  readonly tasks: TaskHandlers
  /** The jobs table's queue (the one ingest and the engine write to). */
  readonly jobs: JobQueue
  readonly now: () => number
  /** Most jobs run at once. */
  readonly concurrency: number
  /** Longest sleep between looks at the jobs table. */
  readonly pollMs?: number
  /** How long a claimed job stays ours (a job whose task died without a word runs again after it). */
  readonly leaseMs?: number
  readonly onError?: (err: unknown, key: string) => void
}

/** Claims due jobs from the `jobs` table and runs their tasks, at most `concurrency` at a time. */
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
    await prepareQueue(this.#o.db)
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
          const jobs = await claimDueJobs(this.#o.db, {
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
        const due = await nextDueAt(this.#o.db)
        if (due !== null) delay = Math.max(0, Math.min(pollMs, due - this.#o.now()))
      } catch {
        // polling again later is the recovery
      }
      await this.#sleep(delay)
    }
  }

  #spawn(key: string): void {
    this.#inFlight.add(key)
    this.#task(key)
      .catch((err) => this.#o.onError?.(err, key))
      .finally(() => {
        this.#inFlight.delete(key)
        this.wake()
      })
  }

  async #task(key: string): Promise<void> {
    const { tasks, jobs, db } = this.#o
    const deliveryId = deliveryIdOf(key)
    if (deliveryId !== undefined) {
      await tasks.deliverWebhook(deliveryId).catch(async (err) => {
        // The outcome could not be written (the disk, a bug): look again a little later.
        await jobs.scheduleDelivery(db, deliveryId, this.#o.now() + 5_000).catch(() => {})
        throw err
      })
      return
    }
    await tasks.advanceRun(key, { inItsJob: false }).catch(async (err) => {
      this.#o.onError?.(err, key)
      // An unexpected error (a bug, the database down): try the run again a little later,
      // unless it keeps failing for a reason that is not an outage: then it fails visibly.
      const next = await tasks.onAdvanceError(key, err).catch(() => 'retry' as const)
      if (next === 'retry') await jobs.schedule(db, key, this.#o.now() + 5_000).catch(() => {})
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
