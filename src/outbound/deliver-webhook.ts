import type { Kysely } from 'kysely'
import type { Channels } from '../channels/channel.js'
import { PermanentError } from '../domain/errors.js'
import type { JobQueue } from '../queue/job-queue.js'
import { backoffDelay, type RetryPolicy } from '../runs/retry-policy.js'
import { getDeliveryToSend, recordAttempt } from '../store/repos/webhook-endpoints.js'
import type { Database } from '../store/schema.js'

export interface DeliverWebhookDeps {
  readonly db: Kysely<Database>
  readonly channels: Channels
  /** Where the delivery's next attempt is scheduled, with its outcome. */
  readonly jobs: JobQueue
  readonly now: () => number
  readonly retry: RetryPolicy
}

/** Endpoints get more patience than steps: a receiver may be down for a while. */
export function deliveryRetryPolicy(retry: RetryPolicy): RetryPolicy {
  return { ...retry, maxAttempts: Math.max(8, retry.maxAttempts) }
}

/**
 * The `deliver_webhook` task: sends one queued delivery of Recoup's own events, signed with its
 * endpoint's secret, and records the outcome with its next attempt (backoff) in one transaction.
 * A delivery already sent, given up or deleted is left alone.
 */
export async function deliverWebhook(deps: DeliverWebhookDeps, deliveryId: string): Promise<void> {
  const { db, jobs } = deps
  const d = await getDeliveryToSend(db, deliveryId)
  const channel = deps.channels.webhook
  if (!d || !channel) {
    await jobs.cancelDelivery(db, deliveryId, true)
    return
  }
  const attempts = d.attempts + 1
  let outcome: { status: 'delivered' | 'failed' | 'pending'; error: string | null; nextAttemptAt: number }
  try {
    await channel.send({ kind: 'webhook', to: d.url, body: d.payload, idempotencyKey: d.id, meta: { secret: d.secret } })
    outcome = { status: 'delivered', error: null, nextAttemptAt: deps.now() }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const policy = deliveryRetryPolicy(deps.retry)
    const final = err instanceof PermanentError || attempts >= policy.maxAttempts
    outcome = { status: final ? 'failed' : 'pending', error: message, nextAttemptAt: deps.now() + (final ? 0 : backoffDelay(policy, attempts)) }
  }
  await db.transaction().execute(async (trx) => {
    await recordAttempt(trx, d.id, { ...outcome, attempts })
    if (outcome.status === 'pending') await jobs.scheduleDelivery(trx, d.id, outcome.nextAttemptAt)
    else await jobs.cancelDelivery(trx, d.id, true)
  })
}
