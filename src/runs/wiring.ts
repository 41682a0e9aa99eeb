import type { Logger } from 'pino'
import type { Channels } from '../channels/index.js'
import type { Config } from '../config.js'
import type { LinkSigner } from '../domain/links.js'
import { DEFAULT_RETRY_BUDGET } from '../domain/retry-rules.js'
import type { Ingestor } from '../ingest/ingest.js'
import { deliverWebhook } from '../outbound/deliver-webhook.js'
import type { EventPublisher } from '../outbound/publisher.js'
import { createManualRetryProvider } from '../providers/manual.js'
import { createStripeRetryProvider, type PaymentRetryProvider } from '../providers/stripe/payments.js'
import type { Scheduler, TaskHandlers } from '../queue/job-queue.js'
import type { Queue } from '../queue/open-queue.js'
import type { TransactionBatcher } from '../store/batcher.js'
import type { Store } from '../store/database.js'
import type { TemplateRenderer } from '../templates/render.js'
import { Engine } from './engine.js'

/** The payment provider the configuration names: Stripe with a secret key, else manual (recorded, never charged). */
export function configuredPayments(config: Config): PaymentRetryProvider {
  return config.stripe.secretKey
    ? createStripeRetryProvider({ secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase })
    : createManualRetryProvider()
}

export interface EngineParts {
  readonly config: Config
  readonly store: Store
  readonly queue: Queue
  readonly batcher: TransactionBatcher
  /** Records the events steps produce (a payment.succeeded after a retry) in the step's transaction. */
  readonly ingestor: Ingestor
  readonly channels: Channels
  readonly payments: PaymentRetryProvider
  readonly templates: TemplateRenderer
  readonly links: LinkSigner
  readonly publisher: EventPublisher
  readonly now: () => number
  readonly publicUrl: string
  readonly logger: Logger
  readonly onStep: (type: string, ms: number, status: string) => void
}

/**
 * The engine and the scheduler that runs its jobs, wired the same way wherever they run: in the
 * HTTP process (PostgreSQL, in-memory SQLite, tests with a moved clock) or on the engine thread.
 * The scheduler is absent when this process runs no worker.
 */
export function wireEngine(p: EngineParts): { engine: Engine; scheduler: Scheduler | undefined } {
  const { config, store, queue } = p
  const jobs = queue.jobs
  const engine = new Engine({
    store,
    batcher: p.batcher,
    jobs,
    channels: p.channels,
    payments: p.payments,
    recordEvent: (trx, event) => p.ingestor.acceptInTransaction(trx, event),
    templates: p.templates,
    links: p.links,
    retry: config.retry,
    retryBudget: { ...DEFAULT_RETRY_BUDGET, perCard30Days: config.retryBudget },
    publisher: p.publisher,
    dailyMessageCap: config.dailyMessageCap,
    now: p.now,
    publicUrl: p.publicUrl,
    business: config.business,
    onStep: p.onStep,
  })
  if (!config.worker) return { engine, scheduler: undefined }
  const tasks: TaskHandlers = {
    advanceRun: (runId, o) => engine.advance(runId, o),
    onAdvanceError: (runId, err) => engine.onAdvanceError(runId, err),
    deliverWebhook: (deliveryId) => deliverWebhook({ db: store.db, channels: p.channels, jobs, now: p.now, retry: config.retry }, deliveryId),
  }
  const scheduler = queue.scheduler({
    tasks, now: p.now, concurrency: config.concurrency, pollMs: config.pollMs, localQueue: config.pgLocalQueue,
    log: (level, message, meta) => p.logger[level](meta ?? {}, message),
  })
  return { engine, scheduler }
}
