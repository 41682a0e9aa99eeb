// Shared pieces of the benchmarks: a real Recoup server in its own process, /proc samplers, a small
// keep-alive HTTP client, event bodies and workflow shapes. Talks to 127.0.0.1 only.
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { RECOUP_BIN, freePort } from '../test/helpers/server.js'

export const ROOT = resolve(import.meta.dirname, '..')
export const BENCH_API_KEY = 'rk_bench_key_0123456789abcdef'
const CLK_TCK = 100 // Linux USER_HZ; `getconf CLK_TCK` is 100 on every mainstream kernel config

// ---------------------------------------------------------------------------------------------
// Cleanup registry: every child process and temp dir we make is undone on exit, error or signal.

const cleanups = new Set<() => void>()
let exiting = false

/** Registers a synchronous undo step; returns a function that runs and forgets it. */
export function onCleanup(fn: () => void): () => void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    cleanups.delete(once)
    try {
      fn()
    } catch {
      // best effort
    }
  }
  cleanups.add(once)
  return once
}

export function cleanupAll(): void {
  for (const fn of [...cleanups].reverse()) fn()
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (exiting) return
    exiting = true
    process.stderr.write(`\n${sig}: stopping servers and removing temp files\n`)
    cleanupAll()
    process.exit(130)
  })
}
process.on('exit', () => cleanupAll())

/** A temp dir removed at exit (or earlier by the returned function). */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: onCleanup(() => rmSync(path, { recursive: true, force: true })) }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** bin/recoup.js: the bundle dist/recoup.mjs, or the sources through tsx when edited since the build. */
export { RECOUP_BIN }

// ---------------------------------------------------------------------------------------------
// HTTP: a keep-alive client for 127.0.0.1 (node:http, no fetch overhead).

export interface HttpResult {
  readonly status: number
  readonly text: string
}

export class Client {
  readonly #agent: Agent
  readonly #port: number
  readonly #auth: string

  constructor(port: number, apiKey: string, maxSockets = 16) {
    this.#port = port
    this.#auth = `Bearer ${apiKey}`
    this.#agent = new Agent({ keepAlive: true, maxSockets })
  }

  send(method: string, path: string, body?: string, timeoutMs = 120_000): Promise<HttpResult> {
    return new Promise((res, rej) => {
      const headers: Record<string, string | number> = { authorization: this.#auth }
      if (body !== undefined) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = Buffer.byteLength(body)
      }
      const req = request({ host: '127.0.0.1', port: this.#port, method, path, headers, agent: this.#agent }, (r) => {
        const chunks: Buffer[] = []
        r.on('data', (c: Buffer) => chunks.push(c))
        r.on('end', () => res({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        r.on('error', rej)
      })
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)))
      req.on('error', rej)
      req.end(body)
    })
  }

  /** JSON in and out; throws on a non-2xx answer. */
  async json<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body))
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 500)}`)
    return (r.text ? JSON.parse(r.text) : null) as T
  }

  close(): void {
    this.#agent.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// The server under test.

export interface BenchServer {
  readonly port: number
  readonly url: string
  readonly pid: number
  readonly dir: string
  readonly client: Client
  /** Last lines the process printed (for error messages). */
  output(): string
  /** Runs by status from /metrics, and how long the scrape took. */
  runCounts(): Promise<{ counts: Record<string, number>; ms: number }>
  /** SIGTERM, wait (then SIGKILL), remove the temp dir. */
  stop(): Promise<void>
}

/** Starts `recoup start` on a fresh SQLite file (or `command`, and `env.DATABASE_URL` when given) and waits for /healthz. */
export async function startBenchServer(options: { name: string; env?: Record<string, string>; nodeArgs?: string[]; keepDir?: boolean; command?: string[] }): Promise<BenchServer> {
  const tmp = tempDir(`recoup-bench-${options.name}-`)
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), RECOUP_BIN, ...(options.command ?? ['start'])], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: join(tmp.path, 'recoup.db'),
      RECOUP_HOST: '127.0.0.1',
      RECOUP_PORT: String(port),
      RECOUP_API_KEY: BENCH_API_KEY,
      RECOUP_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const killNow = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let out = ''
  const keep = (b: Buffer) => {
    out += b.toString()
    if (out.length > 20_000) out = out.slice(-10_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const client = new Client(port, BENCH_API_KEY)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) {
      killNow()
      tmp.remove()
      throw new Error(`server exited with ${child.exitCode}:\n${out}`)
    }
    try {
      const r = await client.send('GET', '/healthz', undefined, 2_000)
      if (r.status === 200) break
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      killNow()
      tmp.remove()
      throw new Error(`server did not come up within 60 s:\n${out}`)
    }
    await sleep(100)
  }
  let stopped = false
  return {
    port,
    url,
    pid: child.pid!,
    dir: tmp.path,
    client,
    output: () => out.slice(-4000),
    async runCounts() {
      const t0 = performance.now()
      const r = await client.send('GET', '/metrics', undefined, 60_000)
      const ms = performance.now() - t0
      if (r.status !== 200) throw new Error(`/metrics → ${r.status}`)
      const counts: Record<string, number> = {}
      for (const m of r.text.matchAll(/^recoup_runs\{status="(\w+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) counts[m[1]] = Number(m[2])
      return { counts, ms }
    },
    async stop() {
      if (stopped) return
      stopped = true
      client.close()
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000)
        await exited
        clearTimeout(t)
      }
      killNow()
      if (!options.keepDir) tmp.remove()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes of our own (load generators), spawned with tsx and cleaned up.

export interface ChildRun<T> {
  readonly pid: number
  readonly result: Promise<T>
  kill(): void
}

/**
 * Runs `node --import tsx bench/<script>` with `args` as JSON; lines on its stderr starting with
 * `{"progress"` go to `onProgress`, other stderr is echoed; the last stdout line is the JSON result.
 */
export function runChild<T>(script: string, args: unknown, onProgress?: (p: any) => void, timeoutMs = 30 * 60_000): ChildRun<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), JSON.stringify(args)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const kill = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  let errBuf = ''
  let errTail = ''
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()))
  child.stderr!.on('data', (b: Buffer) => {
    errBuf += b.toString()
    let nl: number
    while ((nl = errBuf.indexOf('\n')) >= 0) {
      const line = errBuf.slice(0, nl)
      errBuf = errBuf.slice(nl + 1)
      if (line.startsWith('{"progress"')) {
        try {
          onProgress?.(JSON.parse(line).progress)
        } catch {
          // ignore a torn line
        }
      } else if (line.trim()) {
        errTail = (errTail + line + '\n').slice(-4000)
        process.stderr.write(`  [${script}] ${line}\n`)
      }
    }
  })
  const result = new Promise<T>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      rej(new Error(`${script} did not finish within ${timeoutMs / 1000} s`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      kill()
      const last = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0) return rej(new Error(`${script} exited with ${code}: ${errTail}`))
      try {
        res(JSON.parse(last) as T)
      } catch {
        rej(new Error(`${script} printed no result: ${stdout.slice(-500)} ${errTail}`))
      }
    })
  })
  return { pid: child.pid!, result, kill }
}

// ---------------------------------------------------------------------------------------------
// A real SMTP peer in its own process: bench/smtp-throughput.ts in --serve-peer mode (an smtp-server
// on 127.0.0.1 that accepts and counts every message), driven over IPC.

export interface SmtpPeerStats {
  readonly received: number
  /** CPU microseconds the peer used since start or the last reset (user + system). */
  readonly cpuMicros: number
}

export interface SmtpPeer {
  readonly pid: number
  readonly port: number
  /** `smtp://127.0.0.1:<port>` for RECOUP_SMTP_URL. */
  readonly url: string
  stats(): Promise<SmtpPeerStats>
  reset(): Promise<void>
  /** Asks the peer to stop, then kills it if it has not within 5 s. */
  close(): Promise<void>
}

export async function startSmtpPeer(timeoutMs = 30_000): Promise<SmtpPeer> {
  const child = fork(join(ROOT, 'bench', 'smtp-throughput.ts'), ['--serve-peer'], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const kill = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  // The peer answers commands in order: one waiter per command, first in first out.
  const waiters: { resolve: (m: any) => void; reject: (e: Error) => void }[] = []
  child.on('message', (m) => waiters.shift()?.resolve(m))
  child.once('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`SMTP peer exited with ${code}`))
  })
  const reply = <T>(what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMTP peer: no answer to ${what} within ${timeoutMs} ms`)), timeoutMs)
      waiters.push({
        resolve: (m) => (clearTimeout(timer), resolve(m as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
    })
  let ready: { port: number }
  try {
    ready = await reply<{ port: number }>('start-up')
  } catch (err) {
    kill()
    throw err
  }
  return {
    pid: child.pid!,
    port: ready.port,
    url: `smtp://127.0.0.1:${ready.port}`,
    async stats() {
      const answer = reply<{ stats: SmtpPeerStats }>('stats')
      child.send('stats')
      return (await answer).stats
    },
    async reset() {
      const answer = reply<{ reset: true }>('reset')
      child.send('reset')
      await answer
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null && child.connected) child.send('close')
      const t = setTimeout(() => kill(), 5_000)
      await exited
      clearTimeout(t)
      kill()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// /proc sampling: RSS and CPU of a process, and of the whole machine.

export interface CpuMark {
  readonly at: number
  readonly ticks: number
  /** CPU ticks per thread id of the process (the main thread's id is the pid). */
  readonly threads: ReadonlyMap<number, number>
}

/** CPU ticks of each thread of `pid`. */
function readThreadTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>()
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const t = readTicks(pid, Number(tid))
      if (t !== null) out.set(Number(tid), t)
    }
  } catch {
    // the process is gone
  }
  return out
}

function readTicks(pid: number, tid?: number): number | null {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime (fields 14 and 15)
  } catch {
    return null
  }
}

function readRssKb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** Whole-machine CPU: busy and total jiffies from /proc/stat. */
function readMachine(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = (v[3] ?? 0) + (v[4] ?? 0)
  const total = v.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

/** Samples a process's RSS every `intervalMs` and reads CPU use between marks. */
export class ProcSampler {
  readonly pid: number
  peakRssKb = 0
  lastRssKb = 0
  readonly #timer: NodeJS.Timeout
  readonly #rss: { at: number; kb: number }[] = []

  constructor(pid: number, intervalMs = 200) {
    this.pid = pid
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), intervalMs)
    this.#timer.unref()
  }

  #sample(): void {
    const kb = readRssKb(this.pid)
    if (kb === null) return
    this.lastRssKb = kb
    if (kb > this.peakRssKb) this.peakRssKb = kb
    this.#rss.push({ at: Date.now(), kb })
  }

  /** Peak RSS (kB) since `fromMs` (epoch ms). */
  peakSince(fromMs: number): number {
    let p = 0
    for (const s of this.#rss) if (s.at >= fromMs && s.kb > p) p = s.kb
    return p
  }

  mark(): CpuMark {
    return { at: performance.now(), ticks: readTicks(this.pid) ?? 0, threads: readThreadTicks(this.pid) }
  }

  /**
   * CPU use since `m` of the main thread (HTTP, ingest) and of the busiest other thread (the engine
   * thread when there is one; else a libuv or V8 helper), as % of one core.
   */
  threadsSince(m: CpuMark, end: CpuMark = this.mark()): { main: number; other: number } {
    const secs = (end.at - m.at) / 1000
    const pct = (tid: number) => (secs > 0 ? (((end.threads.get(tid) ?? 0) - (m.threads.get(tid) ?? 0)) / CLK_TCK / secs) * 100 : 0)
    let other = 0
    for (const tid of end.threads.keys()) if (tid !== this.pid) other = Math.max(other, pct(tid))
    return { main: pct(this.pid), other }
  }

  /** CPU use since `m` as % of one core (100 = one core busy the whole time). */
  cpuSince(m: CpuMark, end: CpuMark = this.mark()): number {
    const secs = (end.at - m.at) / 1000
    return secs > 0 ? ((end.ticks - m.ticks) / CLK_TCK / secs) * 100 : 0
  }

  /** CPU time (ms) the process used since `m`. */
  cpuMsSince(m: CpuMark, end: CpuMark = this.mark()): number {
    return ((end.ticks - m.ticks) / CLK_TCK) * 1000
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#sample()
  }
}

/** Whole-machine CPU use between two marks, as % of all cores. */
export class MachineCpu {
  #m = readMachine()
  reset(): void {
    this.#m = readMachine()
  }
  since(): number {
    const now = readMachine()
    const total = now.total - this.#m.total
    return total > 0 ? ((now.busy - this.#m.busy) / total) * 100 : 0
  }
}

// ---------------------------------------------------------------------------------------------
// Event bodies and workflows.

/** One payment.failed event as JSON text; `n` makes the customer, subscription and payment distinct. */
export function paymentFailedJson(id: string, n: number, product: string): string {
  return (
    `{"id":"${id}","type":"payment.failed","customer":{"id":"cus_${n}","email":"c${n}@example.com","name":"Customer ${n}"},` +
    `"product_ids":["${product}"],"payment":{"id":"pay_${id}","amount":4900,"currency":"USD","subscription_id":"sub_${n}",` +
    `"invoice_id":"in_${id}","failure_code":"card_declined","failure_message":"Your card was declined.","attempt":1}}`
  )
}

/** A `{"events":[...]}` body of events `from` .. `from + count - 1`. */
export function batchJson(prefix: string, from: number, count: number, product: string): string {
  const parts: string[] = new Array(count)
  for (let i = 0; i < count; i++) parts[i] = paymentFailedJson(`${prefix}${from + i}`, from + i, product)
  return `{"events":[${parts.join(',')}]}`
}

export async function createProduct(c: Client, id: string, name: string): Promise<void> {
  await c.json('POST', '/v1/products', { id, name })
}

/** The core benchmark's three-step workflow: email the customer (outbox unless SMTP is set), tag them, alert finance. */
export const BILLING_DAY_STEPS = [
  { id: 'tell-customer', type: 'send_email', subject: "Your {{ product.name }} payment didn't go through", body: 'Hi {{ customer.name }}, we could not charge {{ payment.amount | money: payment.currency }}. Update your card: {{ links.update_payment }}' },
  { id: 'tag', type: 'update_customer', add_tags: ['payment-failed'] },
  { id: 'alert-finance', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.email }} failed a {{ product.name }} payment' },
] as const

export async function createWorkflow(c: Client, wf: { id: string; product: string; steps: unknown[]; name?: string }): Promise<void> {
  await c.json('POST', '/v1/workflows', {
    id: wf.id,
    name: wf.name ?? wf.id,
    status: 'active',
    trigger: { type: 'payment.failed', products: [wf.product] },
    steps: wf.steps,
  })
}

// ---------------------------------------------------------------------------------------------
// Numbers.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n))
export const fmtNum = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n))
export const fmtMs = (ms: number) => (ms >= 10_000 ? `${fmtNum(ms / 1000, 1)} s` : ms >= 1000 ? `${fmtNum(ms / 1000, 2)} s` : `${fmtNum(ms, ms < 10 ? 2 : 0)} ms`)
export const fmtMb = (kb: number) => `${fmtNum(kb / 1024, 0)} MB`

/**
 * The main thread's `.cpuprofile` in `dir`, if any. Node writes one per thread
 * (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile); when the sources run through tsx, thread 1
 * is its module loader's worker, which only shows start-up work.
 */
export function newestProfile(dir: string): string | undefined {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()
    const main = files.filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    const pick = main.length ? main : files
    return pick.length ? join(dir, pick[pick.length - 1]) : undefined
  } catch {
    return undefined
  }
}
