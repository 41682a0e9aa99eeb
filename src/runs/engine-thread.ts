import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Scheduler } from '../queue/job-queue.js'
import { WriteGate } from '../store/write-gate.js'

/** What the engine thread starts from (structured-cloned). */
export interface EngineThreadData {
  readonly config: Config
  /** The link-signing secret (from RECOUP_SECRET or the database). */
  readonly secret: string
  readonly publicUrl: string
  /** The store's write gate, so the two threads' writers take turns (see WriteGate). */
  readonly writeGate: SharedArrayBuffer | undefined
  /** The HTTP thread's log level: lines below it are not even sent. */
  readonly logLevel: string
}

/** HTTP thread → engine thread. */
export type ToEngine = { t: 'wake' } | { t: 'invalidate' } | { t: 'stop'; deadlineMs: number }

/** Engine thread → HTTP thread. */
export type FromEngine =
  | { t: 'ready' }
  | { t: 'log'; line: string }
  | { t: 'steps'; timings: [type: string, ms: number, status: string][] }

export interface EngineThreadOptions {
  readonly data: EngineThreadData
  readonly logger: Logger
  readonly onStep: (type: string, ms: number, status: string) => void
  /** Pause before a thread that died is started again. */
  readonly restartMs?: number
}

/**
 * The engine and its scheduler on their own thread (SQLite files): the HTTP thread keeps ingest and
 * its group commit, and steps never hold it up. It is the scheduler of the HTTP side: `wake` says
 * new work was committed, `stop` lets steps in flight finish. A thread that dies (a bug) is logged
 * and started again; the jobs it held are leased in the database, so none is lost.
 */
export class EngineThread implements Scheduler {
  readonly #o: EngineThreadOptions
  #worker: Worker | undefined
  #stopping = false
  #wakePosted = false
  #stopped: (() => void) | undefined

  constructor(options: EngineThreadOptions) {
    this.#o = options
  }

  /** Starts the thread; resolves once its scheduler runs (rejects if it could not start). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = spawn(this.#o.data)
      this.#worker = worker
      let ready = false
      worker.on('message', (m: FromEngine) => {
        if (m.t === 'ready') {
          ready = true
          resolve()
        } else this.#onMessage(m)
      })
      worker.on('error', (err) => {
        if (!ready) reject(err)
        else this.#o.logger.error({ err }, 'the engine thread failed; it is started again')
      })
      const id = worker.threadId
      worker.on('exit', (code) => {
        if (this.#worker === worker) this.#worker = undefined
        // A thread that died inside a write would leave the gate shut for the HTTP thread.
        if (this.#o.data.writeGate && WriteGate.releaseIfHeldBy(this.#o.data.writeGate, id)) {
          this.#o.logger.warn('the engine thread ended inside a write; its transaction was rolled back and the write gate freed')
        }
        this.#stopped?.()
        if (!ready) return reject(new Error(`the engine thread exited (code ${code}) before it started`))
        if (this.#stopping) return
        this.#o.logger.error({ code }, 'the engine thread stopped unexpectedly; starting it again')
        setTimeout(() => {
          if (!this.#stopping) this.start().catch((err: unknown) => this.#o.logger.error({ err }, 'the engine thread could not start again'))
        }, this.#o.restartMs ?? 1000).unref()
      })
    })
  }

  /** New work was committed: the thread looks at once. Posts at most one message per turn of the event loop. */
  wake(): void {
    if (this.#wakePosted || !this.#worker) return
    this.#wakePosted = true
    this.#post({ t: 'wake' })
    setImmediate(() => {
      this.#wakePosted = false
    })
  }

  /** Ends the thread at once, as a crash would (tests use it); it is started again after `restartMs`. */
  async kill(): Promise<void> {
    await this.#worker?.terminate()
  }

  /** A workflow or product changed: the thread forgets its cached copies. */
  invalidateCatalog(): void {
    this.#post({ t: 'invalidate' })
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    this.#stopping = true
    const worker = this.#worker
    if (!worker) return
    const exited = new Promise<void>((resolve) => {
      this.#stopped = resolve
    })
    this.#post({ t: 'stop', deadlineMs })
    // A thread that does not finish in time (a step stuck past the deadline) is ended; its jobs'
    // leases run out and they run again.
    const force = setTimeout(() => void worker.terminate(), deadlineMs + 5_000)
    await exited
    clearTimeout(force)
  }

  #post(m: ToEngine): void {
    this.#worker?.postMessage(m)
  }

  #onMessage(m: FromEngine): void {
    if (m.t === 'steps') {
      for (const [type, ms, status] of m.timings) this.#o.onStep(type, ms, status)
    } else if (m.t === 'log') {
      forwardLog(this.#o.logger, m.line)
    }
  }
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal',
}

/** Writes a pino line from the engine thread through the HTTP thread's logger, at its own level. */
function forwardLog(logger: Logger, line: string): void {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    logger.warn({ line }, 'unreadable log line from the engine thread')
    return
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = entry
  const name = LEVELS[Number(level)] ?? 'info'
  logger[name](rest, typeof msg === 'string' ? msg : '')
}

/**
 * The engine thread's young generation, smaller than V8's default. Its objects (a step's loaded
 * run, rendered messages) die young, and the default lets the space fill with garbage. Measured
 * with `npm run bench -- --only waiting --waiting 200000` and `--quick --only burst`: 48 MB (the
 * default) peaked at 252 MB RSS, 24 MB at 246 MB, 12 MB at 237 MB but cost the engine ~8% of its
 * runs/s; 16 MB sits between.
 */
const LIMITS = { maxYoungGenerationSizeMb: 16 }

/**
 * Starts the worker: the bundle's sibling (dist/engine-worker.mjs) when this code runs bundled,
 * else the TypeScript source through tsx, as bin/recoup.js does for the CLI.
 */
function spawn(data: EngineThreadData): Worker {
  const here = fileURLToPath(import.meta.url)
  const options: WorkerOptions = { workerData: data, resourceLimits: LIMITS }
  if (here.endsWith('.mjs')) return new Worker(join(dirname(here), 'engine-worker.mjs'), options)
  return typeScriptWorker(join(dirname(here), 'engine-worker.ts'), options)
}

/** A worker thread running a TypeScript module: it registers tsx's loader first, then imports it. */
export function typeScriptWorker(file: string, options: WorkerOptions): Worker {
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(pathToFileURL(file).href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options)
}
