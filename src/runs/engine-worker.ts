/**
 * The engine thread's entry (started by EngineThread, src/runs/engine-thread.ts). It opens its own
 * connection to the SQLite file the HTTP thread owns and runs the scheduler and the engine there,
 * so steps never take the HTTP thread's time: ingest keeps answering while a backlog is worked
 * through. Everything it needs crosses as plain data; logs and step timings go back as messages.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { buildChannels, closeChannels } from '../channels/index.js'
import { LinkSigner } from '../domain/links.js'
import { CatalogCache } from '../ingest/catalog-cache.js'
import { Ingestor } from '../ingest/ingest.js'
import { EventPublisher } from '../outbound/publisher.js'
import { openQueue } from '../queue/open-queue.js'
import { TransactionBatcher } from '../store/batcher.js'
import { openStore } from '../store/database.js'
import { WriteGate } from '../store/write-gate.js'
import { TemplateRenderer } from '../templates/render.js'
import type { FromEngine, ToEngine, EngineThreadData } from './engine-thread.js'
import { configuredPayments, wireEngine } from './wiring.js'

const port = parentPort
if (!port) throw new Error('engine-worker.ts runs only as a worker thread (see EngineThread)')
const post = (m: FromEngine) => port.postMessage(m)
const { config, secret, publicUrl, logLevel, writeGate } = workerData as EngineThreadData

// Log lines go to the HTTP thread's logger, which writes them with its own.
const logger = pino(
  { level: logLevel, base: { thread: 'engine' } },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      post({ t: 'log', line: chunk.toString('utf8') })
      done()
    },
  }),
)

// Step timings, sent in small batches rather than one message per step.
let timings: [string, number, string][] = []
function onStep(type: string, ms: number, status: string) {
  if (timings.length === 0) setImmediate(flushTimings)
  timings.push([type, ms, status])
}
function flushTimings() {
  if (timings.length === 0) return
  post({ t: 'steps', timings })
  timings = []
}

const now = Date.now
const store = await openStore({ url: config.databaseUrl, sqliteRole: 'joined', writeGate })
// This thread copies the write-ahead log into the file (the HTTP thread's commits never do: see
// Store.checkpointBy). A passive checkpoint waits for nobody, but under a steady stream of writes
// it never catches up, and the log only starts again from its beginning once it has: past 4,000
// pages (16 MB) the checkpoint is finished at the write gate, between two writers' transactions.
const gate = writeGate ? new WriteGate(writeGate) : undefined
function checkpoint() {
  const done = store.checkpoint?.()
  if (!done || !gate || done.log - done.checkpointed < 4000) return
  gate.lock()
  try {
    store.checkpoint?.()
  } finally {
    gate.unlock()
  }
}
const checkpoints = setInterval(() => {
  try {
    checkpoint()
  } catch (err) {
    // The gate stayed shut (a long write) or the disk refused: the next tick tries again.
    logger.warn({ err }, 'checkpoint of the write-ahead log failed; trying again shortly')
  }
}, 250)
const queue = openQueue(store, { databaseUrl: config.databaseUrl, workerSchema: config.workerSchema, clockOffset: () => 0 })
// Shorter group commits than the HTTP thread's: while this thread holds the write lock, ingest waits.
const batcher = new TransactionBatcher({ db: store.db, maxBatch: 64 })
const catalog = new CatalogCache()
const publisher = new EventPublisher({ now, jobs: queue.jobs })
const channels = buildChannels(config)
let wakeScheduler = () => {}
const ingestor = new Ingestor({ batcher, catalog, publisher, jobs: queue.jobs, now, onCommitted: () => wakeScheduler() })
const { scheduler } = wireEngine({
  config, store, queue, batcher, ingestor, channels,
  payments: configuredPayments(config),
  templates: new TemplateRenderer(),
  links: new LinkSigner({ secret, publicUrl }),
  publisher, now, publicUrl, logger, onStep,
})
if (!scheduler) throw new Error('the engine thread was started for a process that runs no worker')
wakeScheduler = () => scheduler.wake()

port.on('message', (m: ToEngine) => {
  if (m.t === 'wake') scheduler.wake()
  else if (m.t === 'invalidate') catalog.invalidate()
  else if (m.t === 'stop') void stop(m.deadlineMs)
})

async function stop(deadlineMs: number) {
  try {
    await scheduler!.stop(deadlineMs)
    await batcher.drain()
    clearInterval(checkpoints)
    flushTimings()
    await closeChannels(channels)
    await store.close()
  } finally {
    // With its port closed the thread has nothing left to run and exits; EngineThread waits for that.
    port!.close()
  }
}

await scheduler.start()
logger.info({ concurrency: config.concurrency }, 'the engine thread is running')
post({ t: 'ready' })
