import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')
/** The `recoup` command as users run it (the bundle global-setup builds, or the sources when edited since). */
export const RECOUP_BIN = join(ROOT, 'bin', 'recoup.js')
export const TEST_API_KEY = 'rk_test_key_for_the_suite_0123456789'

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => res(port))
    })
  })
}

export interface RunningServer {
  readonly url: string
  readonly apiKey: string
  readonly databaseUrl: string
  readonly process: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  /** Calls the API with the key; JSON in and out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  /** SIGTERM, then wait for exit. */
  stop(): Promise<number | null>
  /** kill -9, then wait for exit. */
  kill(): Promise<void>
}

/**
 * Starts the real server (`recoup start`) as a child process on a free port, with its own SQLite
 * file unless DATABASE_URL is given, and waits until /healthz answers.
 */
export async function startServer(options: { env?: Record<string, string>; databaseUrl?: string; command?: readonly string[] } = {}): Promise<RunningServer> {
  const port = await freePort()
  const databaseUrl = options.databaseUrl ?? join(mkdtempSync(join(tmpdir(), 'recoup-e2e-')), 'recoup.db')
  const recoup = spawnRecoup(options.command ?? ['start'], { DATABASE_URL: databaseUrl, RECOUP_PORT: String(port), ...options.env })
  const child = recoup.process
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${recoup.output()}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not come up within 60 s:\n${recoup.output()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    ...recoup,
    url,
    apiKey: TEST_API_KEY,
    databaseUrl,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
  }
}

export interface RunningWorker {
  readonly process: ChildProcess
  output(): string
  /** Resolves once the worker says it runs (needs RECOUP_LOG_LEVEL info or lower). */
  ready(timeoutMs?: number): Promise<void>
  /** SIGTERM, then wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>
  /** kill -9, then wait for exit. */
  kill(): Promise<void>
}

/** Starts `recoup worker` (engine only, no HTTP) as a child process on the given database. */
export function startWorker(options: { databaseUrl: string; concurrency?: number; env?: Record<string, string> }): RunningWorker {
  const args = ['worker', ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : [])]
  const recoup = spawnRecoup(args, { DATABASE_URL: options.databaseUrl, ...options.env })
  return {
    ...recoup,
    async ready(timeoutMs = 60_000) {
      await eventually(async () => recoup.output().includes('worker running'), timeoutMs, `the worker to start:\n${recoup.output()}`)
    },
  }
}

/** Runs `recoup <args>` with the suite's API key, collecting what it prints; stop() and kill() wait for its exit. */
function spawnRecoup(args: readonly string[], env: Record<string, string>): Pick<RunningWorker, 'process' | 'output' | 'stop' | 'kill'> {
  const child = spawn(process.execPath, [RECOUP_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, RECOUP_API_KEY: TEST_API_KEY, RECOUP_LOG_LEVEL: 'warn', RECOUP_POLL_MS: '100', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return {
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      return exited
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGKILL')
      await exited
    },
  }
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
