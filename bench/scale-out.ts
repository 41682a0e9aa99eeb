// Scale-out figures on PostgreSQL: completed runs/s of the three-step workflow with 1, 2 and 3
// `recoup worker` processes, event-to-first-step latency at a steady 500 events/s, and plain
// graphile-worker (a no-op task) for comparison, and how long a new worker takes to start (the
// bundle dist/recoup.mjs against the sources through tsx). Prints figures; asserts nothing.
//
//   npx tsx bench/scale-out.ts [--events N] [--only throughput|latency|graphile|startup] [--workers 1,2,3] [--rate 500] [--profile DIR]
//   (BENCH_DATABASE_URL, default postgres://root@127.0.0.1:5432/test; --profile writes the workers' CPU profiles)
//   bench/run.ts starts it with one JSON argument {databaseUrl, events, only, workers} and reads the
//   figures from the JSON line it then prints last.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { Logger, run, runMigrations } from 'graphile-worker'
import pg from 'pg'
import {
  BENCH_API_KEY, BILLING_DAY_STEPS, Client, MachineCpu, ProcSampler, RECOUP_BIN, ROOT, batchJson, createProduct, createWorkflow, fmtInt, fmtMs, fmtNum, onCleanup, percentile, sleep, startBenchServer,
  type BenchServer,
} from './lib.js'

const fromRun = process.argv[2]?.startsWith('{') ? (JSON.parse(process.argv[2]) as Record<string, string | number | undefined>) : undefined
const BASE = (fromRun?.databaseUrl as string | undefined) ?? process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test'
const arg = (name: string) => {
  if (fromRun) return fromRun[name.slice(2)] === undefined ? undefined : String(fromRun[name.slice(2)])
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
/** Figures for bench/run.ts: runs/s by worker count, plain graphile-worker jobs/s. */
const results: { runsPerSec: Record<number, number>; graphileJobsPerSec?: number } = { runsPerSec: {} }
const EVENTS = Number(arg('--events') ?? 6000)
const ONLY = arg('--only')?.split(',')
const WORKER_COUNTS = (arg('--workers') ?? '1,2,3').split(',').map(Number)
const RATE = Number(arg('--rate') ?? 500)
const PROFILE_DIR = arg('--profile')
// 3 workers × (pool of 20 + 1 lifeline) plus the API's pool stay under max_connections 100.
const WORKER_CONCURRENCY = 16
// With a JSON argument stdout carries only the result line; the narrative goes to stderr.
const log = (msg: string) => (fromRun ? process.stderr.write(`${msg}\n`) : console.log(msg))

async function freshSchemaUrl(tag: string): Promise<string> {
  const schema = `bench_${tag}_${Date.now().toString(36)}`
  const c = new pg.Client({ connectionString: BASE })
  await c.connect()
  await c.query(`create schema "${schema}"`)
  await c.end()
  dropLater.push(schema) // dropped at the end of main()
  const url = new URL(BASE)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}
const dropLater: string[] = []

function spawnRecoup(args: string[], env: Record<string, string>): ChildProcess {
  const profile = PROFILE_DIR && args[0] === 'worker' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []
  const child = spawn(process.execPath, [...profile, RECOUP_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, RECOUP_API_KEY: BENCH_API_KEY, RECOUP_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  onCleanup(() => child.kill('SIGKILL'))
  return child
}

/** A `serve --no-worker` process on the schema, with the core benchmark's product and workflow. */
async function startApi(databaseUrl: string): Promise<BenchServer> {
  const api = await startBenchServer({ name: 'api', command: ['serve', '--no-worker'], env: { DATABASE_URL: databaseUrl } })
  await createProduct(api.client, 'prod_pro', 'Pro plan')
  await createWorkflow(api.client, { id: 'wf_billing_day', product: 'prod_pro', steps: [...BILLING_DAY_STEPS] })
  return api
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

async function ingest(client: Client, prefix: string, count: number): Promise<void> {
  const jobs: Promise<unknown>[] = []
  for (let from = 0; from < count; from += 500) jobs.push(client.send('POST', '/v1/events', batchJson(prefix, from, Math.min(500, count - from), 'prod_pro')))
  await Promise.all(jobs)
}

async function completed(db: pg.Client): Promise<number> {
  return Number((await db.query(`select count(*) as n from runs where status = 'completed'`)).rows[0].n)
}

/** The PostgreSQL server's processes (postmaster and backends), from /proc. */
function postgresPids(): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') out.push(Number(name))
    } catch {
      // gone
    }
  }
  return out
}

/** CPU of PostgreSQL's processes from now on, counting backends that start later (connections pools open as load grows). */
function postgresCpu(): () => number {
  const at = performance.now()
  const marks = new Map(postgresPids().map((pid) => [pid, new ProcSampler(pid, 60_000)] as const).map(([pid, s]) => [pid, { s, m: s.mark() }]))
  return () => {
    let total = 0
    for (const pid of postgresPids()) {
      const known = marks.get(pid)
      const s = known?.s ?? new ProcSampler(pid, 60_000)
      total += s.cpuSince(known?.m ?? { at, ticks: 0, threads: new Map() })
      s.stop()
    }
    return total
  }
}

async function throughput(workers: number): Promise<void> {
  const url = await freshSchemaUrl(`w${workers}`)
  const api = await startApi(url)
  await ingest(api.client, 'evt_', EVENTS)
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  const machine = new MachineCpu()
  const children = Array.from({ length: workers }, () => spawnRecoup(['worker', '--concurrency', String(WORKER_CONCURRENCY)], { DATABASE_URL: url, RECOUP_POLL_MS: '100' }))
  const samplers = children.map((c) => new ProcSampler(c.pid!, 1000))
  let marks = samplers.map((s) => s.mark())
  // Measured from the first completed run: process start-up (module loading, migrations) is not throughput.
  let firstAt = 0
  let n0 = 0
  let pgCpuNow = () => 0
  for (;;) {
    const n = await completed(db)
    if (n > 0 && !firstAt) {
      firstAt = performance.now()
      n0 = n
      machine.reset()
      marks = samplers.map((s) => s.mark())
      pgCpuNow = postgresCpu()
    }
    if (n >= EVENTS) break
    await sleep(100)
  }
  const ms = performance.now() - firstAt
  const workerCpu = samplers.map((s, i) => s.cpuSince(marks[i]!))
  const pgCpu = pgCpuNow()
  results.runsPerSec[workers] = (EVENTS - n0) / (ms / 1000)
  log(
    `  ${workers} worker${workers > 1 ? 's' : ''} × concurrency ${WORKER_CONCURRENCY}: ${fmtInt((EVENTS - n0) / (ms / 1000))} runs/s (${fmtInt(((EVENTS - n0) * 3) / (ms / 1000))} steps/s; ${fmtInt(EVENTS - n0)} runs in ${fmtMs(ms)} after the first completion) — ` +
      `CPU: workers ${workerCpu.map((c) => `${fmtNum(c, 0)}%`).join(' + ')}, PostgreSQL ${fmtNum(pgCpu, 0)}%, machine ${fmtNum(machine.since(), 0)}% of 2 cores`,
  )
  await Promise.all(children.map(stop))
  await api.stop()
  await db.end()
}

async function latency(rate: number, seconds: number): Promise<void> {
  const url = await freshSchemaUrl(`lat${rate}`)
  const api = await startApi(url)
  const children = Array.from({ length: 2 }, () => spawnRecoup(['worker', '--concurrency', String(WORKER_CONCURRENCY)], { DATABASE_URL: url, RECOUP_POLL_MS: '100' }))
  await sleep(3000)
  const total = rate * seconds
  const perTick = rate / 10
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  const procs = [api.pid, ...children.map((c) => c.pid!)].map((pid) => new ProcSampler(pid, 1000))
  const marks = procs.map((p) => p.mark())
  const pgCpuNow = postgresCpu()
  const machine = new MachineCpu()
  // `rate / 10` events every 100 ms, one request each (a billing system's webhook bursts), paced by the clock.
  const t0 = performance.now()
  const sends: Promise<unknown>[] = []
  for (let tick = 0; tick < total / perTick; tick++) {
    const due = t0 + tick * 100
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    sends.push(api.client.send('POST', '/v1/events', batchJson('evt_l', tick * perTick, perTick, 'prod_pro')))
  }
  await Promise.all(sends)
  const sentS = (performance.now() - t0) / 1000
  const cpu = procs.map((p, i) => p.cpuSince(marks[i]!))
  const pgCpu = pgCpuNow()
  const machineCpu = machine.since()
  while ((await completed(db)) < total) await sleep(200)
  const rows = (
    await db.query<{ ms: number }>(`
      select (extract(epoch from (s.started_at::timestamptz - e.received_at::timestamptz)) * 1000)::float8 as ms
      from step_results s join runs r on r.id = s.run_id join events e on e.id = r.event_id
      where s.step_id = 'tell-customer'`)
  ).rows.map((r) => Number(r.ms)).sort((a, b) => a - b)
  log(`  ${fmtInt(total)} events offered at ${fmtInt(rate)}/s, accepted at ${fmtInt(total / sentS)}/s (batches of ${perTick} every 100 ms), 1 API + 2 workers: event → first step p50 ${fmtMs(percentile(rows, 50))}, p99 ${fmtMs(percentile(rows, 99))}, max ${fmtMs(rows.at(-1)!)} — ` +
      `CPU while sending: API ${fmtNum(cpu[0]!, 0)}%, workers ${cpu.slice(1).map((c) => `${fmtNum(c, 0)}%`).join(' + ')}, PostgreSQL ${fmtNum(pgCpu, 0)}%, machine ${fmtNum(machineCpu, 0)}% of 2 cores`)
  await Promise.all(children.map(stop))
  await api.stop()
  await db.end()
}

async function plainGraphile(): Promise<void> {
  const url = await freshSchemaUrl('gw')
  const schema = new URL(url).searchParams.get('options')!.split('=')[1] + '_gw'
  const logger = new Logger(() => () => {})
  await runMigrations({ connectionString: url, schema, logger })
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  const n = 20_000
  await db.query(`select "${schema}".add_jobs(array(select row('noop', json_build_object('i', i), null, null, null, null, null, null)::"${schema}".job_spec from generate_series(1, $1) i))`, [n])
  let done = 0
  const t0 = performance.now()
  const runner = await run({ connectionString: url, schema, concurrency: WORKER_CONCURRENCY, noHandleSignals: true, pollInterval: 100, logger, taskList: { noop: async () => void done++ } })
  while (done < n) await sleep(50)
  const ms = performance.now() - t0
  await runner.stop()
  results.graphileJobsPerSec = n / (ms / 1000)
  log(`  plain graphile-worker, one process × concurrency ${WORKER_CONCURRENCY}, no-op task: ${fmtInt(n / (ms / 1000))} jobs/s (${fmtInt(n)} jobs in ${fmtMs(ms)})`)
  await db.end()
}

/**
 * Starts `recoup worker` on a migrated schema `times` times, from the bundle and from the
 * sources, and prints the time until it says it runs and the CPU it used to get there.
 */
async function startup(times: number): Promise<void> {
  const url = await freshSchemaUrl('startup')
  const api = await startApi(url) // migrates the schema, as `recoup migrate` would
  await api.stop()
  for (const [label, env] of [['bundle dist/recoup.mjs', {}], ['sources through tsx', { RECOUP_FROM_SOURCE: 'true' }]] as const) {
    const walls: number[] = []
    const cpus: number[] = []
    for (let i = 0; i < times; i++) {
      const t0 = performance.now()
      const child = spawn(process.execPath, [RECOUP_BIN, 'worker'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url, RECOUP_API_KEY: BENCH_API_KEY, RECOUP_LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      onCleanup(() => child.kill('SIGKILL'))
      const sampler = new ProcSampler(child.pid!, 1000)
      const start = sampler.mark()
      await new Promise<void>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString()
          if (out.includes('worker running')) resolve()
        })
        child.once('exit', (code) => reject(new Error(`recoup worker exited with ${code} before it ran:\n${out}`)))
      })
      walls.push(performance.now() - t0)
      cpus.push(sampler.cpuMsSince(start))
      sampler.stop()
      await stop(child)
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    log(`  worker start-up, ${label}: ${fmtMs(median(walls))} to "worker running", ${fmtMs(median(cpus))} of CPU (median of ${times})`)
  }
}

async function main(): Promise<void> {
  log(`scale-out bench on ${new URL(BASE).host}: ${fmtInt(EVENTS)} events of send_email (outbox) → update_customer → notify_team, ingested first, then the workers start`)
  try {
    if (!ONLY || ONLY.includes('throughput')) for (const w of WORKER_COUNTS) await throughput(w)
    if (!ONLY || ONLY.includes('latency')) {
      await latency(RATE, 20)
      await latency(100, 20)
    }
    if (!ONLY || ONLY.includes('graphile')) await plainGraphile()
    if (!ONLY || ONLY.includes('startup')) await startup(5)
  } finally {
    const c = new pg.Client({ connectionString: BASE })
    await c.connect()
    for (const s of dropLater) await c.query(`drop schema if exists "${s}" cascade; drop schema if exists "${s}_gw" cascade`).catch(() => {})
    await c.end()
  }
}

await main()
if (fromRun) process.stdout.write(`${JSON.stringify(results)}\n`)
process.exit(0)
