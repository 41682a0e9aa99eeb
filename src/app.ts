import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { buildChannels, closeChannels, type Channels } from './channels/index.js'
import { VERSION, type Config } from './config.js'
import { LinkSigner } from './domain/links.js'
import type { Engine } from './runs/engine.js'
import { EngineThread } from './runs/engine-thread.js'
import { configuredPayments, wireEngine } from './runs/wiring.js'
import { EventPublisher } from './outbound/publisher.js'
import { RunsService } from './runs/service.js'
import type { JobQueue, Scheduler } from './queue/job-queue.js'
import { openQueue } from './queue/open-queue.js'
import { WorkSignal } from './queue/work-signal.js'
import { WorkflowService } from './workflows/service.js'
import { loadDemo } from './cli/demo-data.js'
import { buildHttp } from './http/server.js'
import { Metrics } from './http/metrics.js'
import { CatalogCache } from './ingest/catalog-cache.js'
import { Ingestor } from './ingest/ingest.js'
import { stripeWebhookRoutes } from './http/webhooks/stripe.js'
import { StripeReasonEnricher } from './providers/stripe/enricher.js'
import type { PaymentRetryProvider } from './providers/stripe/payments.js'
import { portalRoutes } from './http/portal/routes.js'
import { shortLinkRoutes } from './http/portal/short-links.js'
import { twilioInboundRoutes } from './http/webhooks/twilio.js'
import { countApiKeys, createApiKey } from './store/repos/api-keys.js'
import { TransactionBatcher } from './store/batcher.js'
import { isSharedSqliteFile, migrate, openStore, type Store } from './store/database.js'
import { settingOrCreate } from './store/repos/settings.js'
import { TemplateRenderer } from './templates/render.js'

// The project root from this module's URL: src/app.ts, or dist/recoup.mjs when bundled (same depth).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

export interface App {
  readonly config: Config
  readonly store: Store
  readonly http: FastifyInstance
  /** The engine, when it runs on this thread (absent when it runs on the engine thread). */
  readonly engine: Engine | undefined
  /** Runs due jobs: a scheduler on this thread, or the engine thread (absent for `serve --no-worker`). */
  readonly scheduler: Scheduler | undefined
  /** Where runs' jobs live: the jobs table (SQLite) or graphile-worker (PostgreSQL). */
  readonly jobs: JobQueue
  readonly ingestor: Ingestor
  readonly workflows: WorkflowService
  readonly runs: RunsService
  readonly logger: Logger
  /** Fills in decline reasons that did not come with their failure (worker processes only). */
  readonly stripeEnricher: StripeReasonEnricher | undefined
  /** Loads demo products, workflows and events (idempotent). */
  loadDemo(): Promise<Record<string, unknown>>
  /** Listens on the configured host and port; returns the base URL. */
  listen(): Promise<string>
  /** Stops taking work, lets steps in flight finish (up to `deadlineMs`), closes everything. */
  close(deadlineMs?: number): Promise<void>
}

export interface BuildOptions {
  readonly logger?: Logger
  /** The clock; tests may move time forward. */
  readonly now?: () => number
  /** Called with the generated admin key on first start (the CLI prints it). */
  readonly onFirstKey?: (key: string) => void
  /** The payment provider instead of the configured one (the recovery lab's simulated card issuers). */
  readonly payments?: PaymentRetryProvider
}

/** Composition root: opens and migrates the store, wires every service, builds HTTP. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization'] })
  const now = options.now ?? Date.now
  const store = await openStore({
    url: config.databaseUrl,
    poolSize: config.pgPoolSize,
    onConnectionError: (err) => logger.warn({ err: err.message }, 'a PostgreSQL connection failed; it is replaced on next use'),
  })
  // Tests move the clock; graphile-worker keeps the wall clock, so due times are translated.
  const clockOffset = options.now ? () => now() - Date.now() : () => 0
  // Runs' and deliveries' jobs: our jobs table (SQLite) or graphile-worker in its own schema (PostgreSQL).
  const queue = openQueue(store, { databaseUrl: config.databaseUrl, workerSchema: config.workerSchema, clockOffset })
  try {
    await migrate(store)
    await queue.migrate()
  } catch (err) {
    await store.close()
    throw err
  }
  const db = store.db
  if (!config.apiKey && (await countApiKeys(db)) === 0) {
    const { key } = await createApiKey(db, 'admin (first start)')
    options.onFirstKey?.(key)
  }
  const secret = config.secret ?? (await settingOrCreate(db, 'link_secret', () => randomBytes(32).toString('base64url')))
  const publicUrl = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`
  const links = new LinkSigner({ secret, publicUrl })
  const batcher = new TransactionBatcher({ db, maxBatch: 1000 })
  const jobs = queue.jobs
  // Every change seen here (workflows, products) reaches the engine thread's copy too.
  let engineThread: EngineThread | undefined
  const catalog = new CatalogCache({ onInvalidate: () => engineThread?.invalidateCatalog() })
  const templates = new TemplateRenderer()
  const metrics = new Metrics(db)
  const publisher = new EventPublisher({ now, jobs })
  const payments = options.payments ?? configuredPayments(config)
  // Ingest and the runs service say when they committed new work; the scheduler (built last) listens.
  const signal = new WorkSignal()
  const wake = () => signal.notify()
  const ingestor = new Ingestor({ batcher, catalog, publisher, jobs, now, onCommitted: wake })
  const onStep = (type: string, ms: number, status: string) => metrics.stepLatency.observe({ type, status }, ms / 1000)
  // On a SQLite file the engine runs on its own thread, so steps never hold up ingest. A moved
  // clock or a simulated payment provider (tests, the recovery lab) cannot cross to a thread.
  const threaded = config.worker && config.engineThread && isSharedSqliteFile(config.databaseUrl) && !options.now && !options.payments
  let engine: Engine | undefined
  let scheduler: Scheduler | undefined
  let channels: Channels | undefined
  if (threaded) {
    // The engine thread checkpoints the write-ahead log, so ingest's commits never wait for it.
    store.checkpointBy?.('others')
    engineThread = new EngineThread({ data: { config, secret, publicUrl, logLevel: logger.level, writeGate: store.writeGate }, logger, onStep })
    scheduler = engineThread
  } else {
    channels = buildChannels(config)
    ;({ engine, scheduler } = wireEngine({
      config, store, queue, batcher, ingestor, channels, payments, templates, links, publisher, now, publicUrl, logger, onStep,
    }))
  }
  if (scheduler) signal.listen(() => scheduler.wake())
  const workflows = new WorkflowService({ db, templates, allowPrivateUrls: config.webhookAllowPrivate, preview: { publicUrl, business: config.business }, onChange: () => catalog.invalidate() })
  const runs = new RunsService({ db, batcher, publisher, jobs, now, onChange: wake })
  const webRoot = join(ROOT, 'dist', 'web')
  const http = buildHttp({
    deps: {
      store, db, ingestor, workflows, runs, catalog, metrics, publisher, allowPrivateUrls: config.webhookAllowPrivate,
      webRoot: existsSync(webRoot) ? webRoot : undefined,
      loadDemo: () => loadDemo({ db, workflows, ingestor }),
    },
    logger,
    bodyLimit: config.bodyLimit,
    adminKey: config.apiKey,
    metricsToken: config.metricsToken,
    version: VERSION,
  })
  portalRoutes(http, { db, links, ingestor, now, businessName: config.business.name, payments, cardPageOrigins: config.stripe.apiBase ? [new URL(config.stripe.apiBase).origin] : [] })
  shortLinkRoutes(http, { db, links, now, businessName: config.business.name })
  twilioInboundRoutes(http, { db, authToken: config.twilio?.authToken, publicUrl })
  if (config.stripe.webhookSecret) {
    stripeWebhookRoutes(http, { webhookSecret: config.stripe.webhookSecret, ingestor, db, logger, now, secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase })
  }
  await scheduler?.start()
  const stripeEnricher = config.worker ? new StripeReasonEnricher({ db, ingestor, payments, now, logger }) : undefined
  stripeEnricher?.start()

  return {
    config, store, http, engine, scheduler, jobs, ingestor, workflows, runs, logger, stripeEnricher,
    loadDemo: () => loadDemo({ db, workflows, ingestor }),
    async listen() {
      await http.listen({ host: config.host, port: config.port })
      const addr = http.server.address()
      const port = typeof addr === 'object' && addr ? addr.port : config.port
      return `http://${config.host}:${port}`
    },
    async close(deadlineMs = 10_000) {
      await http.close()
      await scheduler?.stop(deadlineMs)
      await stripeEnricher?.stop()
      await batcher.drain()
      if (channels) await closeChannels(channels)
      await store.close()
    },
  }
}
