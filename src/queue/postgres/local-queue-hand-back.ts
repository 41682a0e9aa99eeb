/**
 * The parts of graphile-worker 0.17's LocalQueue (dist/localQueue.js) that `watchHandBack` reaches
 * into; they are private there, so they are checked before use.
 */
interface LocalQueueInternals {
  readonly mode: string
  backgroundCount: number
  background(promise: Promise<unknown>): void
}

function hasInternals(queue: object): queue is LocalQueueInternals {
  const q = queue as Partial<LocalQueueInternals>
  return typeof q.background === 'function' && typeof q.backgroundCount === 'number' && typeof q.mode === 'string'
}

/**
 * Makes graphile-worker's local queue wait for (and report) the hand-back of its prefetched jobs
 * when its pool stops. Returns false when this graphile-worker's LocalQueue has another shape.
 *
 * Why: `LocalQueue.setModeReleased()` sets mode RELEASED and only then, for a queue still holding
 * jobs (WAITING), calls `returnJobs()`, which starts the hand-back query and passes its promise to
 * `background()`. With no other background task running, `background()` throws "Cannot background
 * something when the queue is already released" before it attaches its handlers: `release()` throws
 * (the pool logs "Releasing local queue failed") and the hand-back promise has no handler at all.
 * When the database is out of reach, that promise rejects with "Error occurred whilst returning
 * jobs from local queue to database queue: …" (its `onError` rethrows in RELEASED mode), an
 * unhandled rejection that ends the process. Counting the hand-back as the background task it is
 * lets `background()` watch it: a failed hand-back then rejects `release()`, which the pool's
 * graceful shutdown handles and logs, and a good one is waited for before the pool goes on.
 *
 * Jobs that could not be handed back stay locked by the stopped pool. Nothing is lost: once that
 * pool's alive lock goes (see GraphileScheduler), our sweeper frees them with
 * `force_unlock_workers`; without it, graphile-worker's get_job would take them again after its
 * 4-hour `job_expiry`, and its resetLockedAt sweep unlocks jobs locked for over 4 hours.
 */
export function watchHandBack(queue: object): boolean {
  if (!hasInternals(queue)) return false
  const background = queue.background
  queue.background = function (this: LocalQueueInternals, promise: Promise<unknown>) {
    if (this.mode !== 'RELEASED' || this.backgroundCount !== 0) return background.call(this, promise)
    // The count graphile-worker's guard reads: one more while it looks, so it counts this task
    // (the count is back to 1, for the hand-back, when it returns).
    this.backgroundCount++
    try {
      background.call(this, promise)
    } finally {
      this.backgroundCount--
    }
  }
  return true
}
