// The `stripe` scenario of `npm run bench` (bench/run.ts calls `stripeWebhooks`): Recoup's Stripe
// webhook route and its decline-reason enricher, against the Stripe stand-in
// (test/helpers/stripe-standin.ts) running in a process of its own.
//
// 1. Signed basil `invoice.payment_failed` deliveries per second over 50 connections, with p99
//    latency, next to single-event `/v1/events` ingest measured in the same run on an identically
//    configured server. Servers have a webhook secret, a secret key and the stand-in as their API.
// 2. A burst of failures without any charge / payment intent event: every decline reason has to be
//    read back from the stand-in by the enricher. The stand-in holds each invoice with a declined
//    first attempt (seeded, then paid once through its own SDK client); its `invoice.payment_failed`
//    Events are what is delivered. Reported: the time from the first delivery until the last
//    failure has its reason, and the enricher's lookup rate.
import { fork } from 'node:child_process'
import { join } from 'node:path'
import { STANDIN_SECRET_KEY } from '../test/helpers/stripe-standin.js'
import type { LoadStripeResult } from './load-stripe.js'
import {
  BENCH_API_KEY,
  Client,
  ProcSampler,
  ROOT,
  createProduct,
  createWorkflow,
  fmtInt,
  fmtMs,
  fmtNum,
  onCleanup,
  percentile,
  runChild,
  sleep,
  tempDir,
  type BenchServer,
} from './lib.js'
import type { SeedCommand, SeedResult, StandInStats } from './stripe-standin-peer.js'

/** CPU use of one phase, as bench/run.ts measures it (% of one core, `machine` in % of all cores). */
export interface CpuWindowFigures {
  readonly server: number
  readonly loader?: number
  readonly self: number
  readonly machine: number
  readonly others: number
}

/** What bench/run.ts lends the scenario: its sizes, its report and its per-scenario server. */
export interface StripeBenchContext {
  readonly quick: boolean
  /** Seconds of load for the throughput figures (as ingest-single). */
  readonly seconds: number
  /** Failures in the decline-reason burst. */
  readonly failures: number
  log(scenario: string, msg: string): void
  fig(scenario: string, figure: string, value: string, target?: string): void
  limit(scenario: string, text: string): void
  withServer(scenario: string, env: Record<string, string>, fn: (ctx: { server: BenchServer; sampler: ProcSampler }) => Promise<void>): Promise<void>
  cpuWindow(sampler: ProcSampler, loaderPid?: number): { end(loaderPct?: number): CpuWindowFigures }
  diagnose(w: CpuWindowFigures): string
}

const S = 'stripe'
const CONNECTIONS = 50
const WEBHOOK_SECRET = 'whsec_bench0123456789abcdefABCDEF'
/** The Stripe product on every invoice line; the webhook maps it to the Recoup product of that id. */
const PRODUCT = 'prod_SBench0000001'

/** Runs both Stripe figures; the stand-in lives for the whole scenario. */
export async function stripeWebhooks(b: StripeBenchContext): Promise<void> {
  const peer = await startStandInPeer()
  b.log(S, `Stripe stand-in (own process) pid ${peer.pid} on ${peer.url}`)
  const env = { RECOUP_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, RECOUP_STRIPE_SECRET_KEY: STANDIN_SECRET_KEY, RECOUP_STRIPE_API_BASE: peer.url }
  try {
    const events = await eventsBaseline(b, env)
    await webhookThroughput(b, env, peer, events)
    await reasonBurst(b, env, peer)
  } finally {
    await peer.close()
  }
}

/** What bench/load-single.ts prints (the part used here). */
interface SingleResult {
  readonly duration: number
  readonly ok2xx: number
  readonly non2xx: number
  readonly errors: number
  readonly loadCpuPct: number
  readonly latency: { p50: number; p99: number; max: number }
}

interface Baseline {
  readonly rate: number
  readonly p99: number
  /** Server CPU per accepted event (µs). */
  readonly cpuUs: number
}

/** Single-event `/v1/events` ingest, as ingest-single measures it, on a server configured like the webhook one. */
async function eventsBaseline(b: StripeBenchContext, env: Record<string, string>): Promise<Baseline | undefined> {
  let out: Baseline | undefined
  await b.withServer('stripe-events', env, async ({ server, sampler }) => {
    await createProduct(server.client, 'prod_pro', 'Pro plan')
    await createWorkflow(server.client, { id: 'wf_hold', product: 'prod_pro', steps: [{ id: 'hold', type: 'wait', duration: 'P1D' }] })
    const base = { url: server.url, apiKey: BENCH_API_KEY, connections: CONNECTIONS, product: 'prod_pro' }
    await runChild('load-single.ts', { ...base, seconds: 1, prefix: 'evt_warm_' }).result
    await sleep(500)
    b.log(S, `baseline: ${CONNECTIONS} connections of single-event POST /v1/events for ${b.seconds} s`)
    const child = runChild<SingleResult>('load-single.ts', { ...base, seconds: b.seconds, prefix: 'evt_s_' })
    const w = b.cpuWindow(sampler, child.pid)
    const r = await child.result
    const cpu = w.end(r.loadCpuPct)
    const rate = r.ok2xx / r.duration
    out = { rate, p99: r.latency.p99, cpuUs: (cpu.server / 100 / rate) * 1e6 }
    b.fig(S, '/v1/events single events/s (same run, 50 connections)', fmtInt(rate), '>= 15,000/s')
    b.fig(S, '/v1/events latency p50 / p99 / max', `${r.latency.p50} / ${r.latency.p99} / ${r.latency.max} ms`)
    b.fig(S, '/v1/events server CPU per event', `${fmtInt(out.cpuUs)} µs (server ${fmtNum(cpu.server, 0)}% of a core, other processes ${fmtNum(cpu.others, 0)}%)`)
    if (r.non2xx + r.errors > 0) b.fig(S, '/v1/events non-2xx / errors', `${fmtInt(r.non2xx)} / ${fmtInt(r.errors)}`, '0')
  })
  return out
}

/** Waits for the load generator's first progress line (its payloads are signed), then opens the CPU window. */
function startLoad(b: StripeBenchContext, sampler: ProcSampler, args: object, sampleLoader = true): { result: Promise<LoadStripeResult>; ready: Promise<{ end(loaderPct?: number): CpuWindowFigures }> } {
  let ready!: (w: { end(loaderPct?: number): CpuWindowFigures }) => void
  const readyP = new Promise<{ end(loaderPct?: number): CpuWindowFigures }>((r) => (ready = r))
  let pid = 0
  let opened = false
  const child = runChild<LoadStripeResult>('load-stripe.ts', args, (p) => {
    if (p.ready && !opened) {
      opened = true
      b.log(S, `load generator signed ${fmtInt(p.prepared)} payloads in ${fmtMs(p.prepMs)}; sending`)
      ready(b.cpuWindow(sampler, sampleLoader ? pid : undefined))
    }
  })
  pid = child.pid
  return { result: child.result, ready: readyP }
}

async function webhookThroughput(b: StripeBenchContext, env: Record<string, string>, peer: StandInPeer, events: Baseline | undefined): Promise<void> {
  await b.withServer('stripe-webhook', env, async ({ server, sampler }) => {
    await createProduct(server.client, PRODUCT, 'Pro plan')
    await createWorkflow(server.client, { id: 'wf_hold', product: PRODUCT, steps: [{ id: 'hold', type: 'wait', duration: 'P1D' }] })
    const base = { url: server.url, secret: WEBHOOK_SECRET, connections: CONNECTIONS, product: PRODUCT }
    await startLoad(b, sampler, { ...base, seconds: 1, pool: 3000, prefix: 'w' }).result
    await sleep(500)
    // Enough signed payloads for the run at the /v1/events rate and then some; more are made on the fly.
    const pool = Math.ceil(Math.max(events?.rate ?? 3000, 1000) * b.seconds * 1.3)
    const before = await server.runCounts()
    const runs0 = Object.values(before.counts).reduce((a, c) => a + c, 0)
    await peer.reset()
    b.log(S, `${CONNECTIONS} connections of signed invoice.payment_failed deliveries to POST /v1/webhooks/stripe for ${b.seconds} s (autocannon in its own process; ${fmtInt(pool)} payloads signed first)`)
    const load = startLoad(b, sampler, { ...base, seconds: b.seconds, pool, prefix: 'm' })
    const w = await Promise.race([load.ready, load.result.then(() => undefined)])
    const r = await load.result
    const cpu = w?.end(r.loadCpuPct)
    const lookups = await peer.stats()
    const after = await server.runCounts()
    const runs = Object.values(after.counts).reduce((a, c) => a + c, 0) - runs0
    const rate = r.ok2xx / r.duration
    const cpuUs = cpu ? (cpu.server / 100 / rate) * 1e6 : NaN
    b.fig(S, 'webhook deliveries/s (signed basil invoice.payment_failed, 50 connections)', fmtInt(rate), 'same order as /v1/events')
    if (events) b.fig(S, 'webhook deliveries/s ÷ /v1/events/s', `${fmtNum((rate / events.rate) * 100, 0)}%`)
    b.fig(S, 'webhook latency p50 / p99 / max', `${r.latency.p50} / ${r.latency.p99} / ${r.latency.max} ms`, events ? `(/v1/events p99 ${events.p99} ms)` : '')
    b.fig(S, 'webhook server CPU per delivery', `${fmtInt(cpuUs)} µs${events ? ` (/v1/events: ${fmtInt(events.cpuUs)} µs per event)` : ''}`)
    b.fig(S, 'webhook answers: 2xx with a run / duplicate / ignored', `${fmtInt(r.withRuns)} / ${fmtInt(r.duplicates)} / ${fmtInt(r.ignored)}`, 'ignored 0')
    b.fig(S, 'webhook non-2xx / socket errors / timeouts', `${fmtInt(r.non2xx)} / ${fmtInt(r.errors)} / ${fmtInt(r.timeouts)}`, '0')
    // autocannon stops the clock with up to one request per connection in flight: those are not counted as answered.
    b.fig(S, 'runs started by the deliveries', `${fmtInt(runs)} (2xx answered in time: ${fmtInt(r.ok2xx)}; up to ${CONNECTIONS} more in flight at the end)`)
    if (r.madeOnTheFly > 0) b.fig(S, 'payloads signed during the run (pool ran out)', fmtInt(r.madeOnTheFly))
    if (r.ignoredReason) b.log(S, `first ignored answer: ${r.ignoredReason}`)
    if (cpu) b.fig(S, 'CPU: server / load gen / other processes', `${fmtNum(cpu.server, 0)}% / ${fmtNum(cpu.loader ?? NaN, 0)}% / ${fmtNum(cpu.others, 0)}% of one core`)
    b.fig(S, 'enricher lookups meanwhile (unseeded invoices: 404 expected)', `${fmtInt(sumOf(lookups.requests))} (${statusText(lookups.statuses)}); stand-in CPU ${fmtMs(lookups.cpuMicros / 1000)}`)
    if (cpu) b.limit(S, `webhook: ${b.diagnose(cpu)}`)
  })
}

async function reasonBurst(b: StripeBenchContext, env: Record<string, string>, peer: StandInPeer): Promise<void> {
  const N = b.failures
  const dir = tempDir('recoup-bench-stripe-')
  const file = join(dir.path, 'invoice-payment-failed.json')
  b.log(S, `seeding ${fmtInt(N)} customers, declining cards, subscriptions and open invoices in the stand-in; paying each invoice once through its SDK`)
  const seeded = await peer.seed({ cmd: 'seed', count: N, prefix: 'Bch', product: PRODUCT, file, concurrency: 16 })
  b.fig(S, `stand-in seeding: ${fmtInt(N)} invoices (state API / first attempts through its SDK)`, `${fmtMs(seeded.stateMs)} / ${fmtMs(seeded.payMs)} (${fmtInt(N / (seeded.payMs / 1000))} pays/s)`)
  if (seeded.declined !== N || seeded.payloads !== N) {
    throw new Error(`seeding made ${seeded.declined} declines and ${seeded.payloads} invoice.payment_failed events for ${N} invoices (other outcomes: ${seeded.otherOutcomes})`)
  }
  await b.withServer('stripe-reasons', env, async ({ server, sampler }) => {
    await createProduct(server.client, PRODUCT, 'Pro plan')
    // No wait first: each run waits for its failure's reason, then tags the customer and completes.
    await createWorkflow(server.client, { id: 'wf_reason', product: PRODUCT, steps: [{ id: 'tag', type: 'update_customer', add_tags: ['declined'] }] })
    await peer.reset()
    const peerCpu = new ProcSampler(peer.pid, 1000)
    const peer0 = peerCpu.mark()
    b.log(S, `delivering ${fmtInt(N)} signed invoice.payment_failed (no charge.failed / payment_intent events) over ${CONNECTIONS} connections; every reason must come from the enricher's API lookups`)
    // The load generator lives only while delivering: its CPU is not sampled over the whole burst (see below).
    const load = startLoad(b, sampler, { url: server.url, secret: WEBHOOK_SECRET, connections: CONNECTIONS, file }, false)
    const whole = await Promise.race([load.ready, load.result.then(() => undefined)])
    const wholeStart = Date.now()
    let delivered: LoadStripeResult | undefined
    let loadError: unknown
    void load.result.then(
      (r) => (delivered = r),
      (err: unknown) => (loadError = err),
    )
    const timeoutMs = Math.max(300_000, N * 90)
    const deadline = Date.now() + timeoutMs
    const lookup: { count: number; firstAt: number; lastAt: number; atDelivered?: number } = { count: 0, firstAt: 0, lastAt: 0 }
    let lastScanAt = 0
    let lastLog = 0
    let scan: PaymentScan | undefined
    let doneAt: number | undefined
    for (;;) {
      if (loadError) throw loadError
      const { counts, ms } = await server.runCounts()
      const stats = await peer.stats()
      const at = Date.now()
      const lk = sumOf(stats.requests)
      if (lk > lookup.count) {
        if (lookup.count === 0) lookup.firstAt = at
        lookup.lastAt = at
        lookup.count = lk
      }
      if (delivered && lookup.atDelivered === undefined) lookup.atDelivered = lk
      if (at - lastLog >= 2000) {
        lastLog = at
        b.log(S, `${delivered ? `all ${fmtInt(N)} delivered` : 'delivering'}; stand-in answered ${fmtInt(lk)} lookups (${statusText(stats.statuses)}); runs: ${countsText(counts)}`)
      }
      const runsDone = (counts.completed ?? 0) + (counts.failed ?? 0)
      // A full read of the payments costs the server a little: only when the runs say it may be
      // done, or every 5 s (a run also starts when its reason is 60 s late, without it).
      if (delivered && (runsDone >= N || at - lastScanAt >= 5000)) {
        scan = await scanPayments(server)
        lastScanAt = Date.now()
        const waiting = (scan.byStatus.pending ?? 0) + (scan.byStatus.fetching ?? 0)
        if (scan.rows.length >= delivered.withRuns && waiting === 0) {
          doneAt = lastScanAt
          break
        }
      }
      if (at > deadline) break
      await sleep(Math.max(250, ms * 10))
    }
    const r = delivered ?? (await load.result)
    // Its own CPU figure covers its run; spread over the whole burst window.
    const cpu = whole?.end((r.loadCpuPct * (r.lastDoneAt - r.firstSentAt)) / Math.max(1, Date.now() - wholeStart))
    const standinPct = peerCpu.cpuSince(peer0)
    const standin = await peer.stats()
    peerCpu.stop()
    const deliverMs = r.lastDoneAt - r.firstSentAt
    b.fig(S, `deliveries of the ${fmtInt(N)}-failure burst`, `${fmtMs(deliverMs)} (${fmtInt(N / (deliverMs / 1000))}/s; p99 ${r.latency.p99} ms; non-2xx ${fmtInt(r.non2xx)}, ignored ${fmtInt(r.ignored)})`)
    const requests = sumOf(standin.requests)
    const during = lookup.atDelivered ?? lookup.count
    const afterS = (lookup.lastAt - r.lastDoneAt) / 1000
    b.fig(
      S,
      'enricher: API lookups/s to the stand-in (while deliveries arrived / after)',
      `${fmtNum(during / Math.max(0.001, deliverMs / 1000), 0)}/s / ${afterS > 0 ? `${fmtNum((lookup.count - during) / afterS, 0)}/s` : '-'}; ${fmtInt(requests)} requests, ${fmtNum(requests / N, 2)} per failure (${kindText(standin.requests)}; ${statusText(standin.statuses)})`,
    )
    b.fig(S, 'stand-in CPU (own process)', `${fmtNum(standinPct, 0)}% of one core over the burst, ${fmtInt(standin.cpuMicros / Math.max(1, requests))} µs per request`)
    if (cpu) b.fig(S, 'CPU over the burst: server / load gen / other processes', `${fmtNum(cpu.server, 0)}% / ${fmtNum(cpu.loader ?? NaN, 0)}% / ${fmtNum(cpu.others, 0)}% of one core`)
    if (cpu) b.limit(S, `reason burst: ${b.diagnose(cpu)}; stand-in ${fmtNum(standinPct, 0)}% of a core`)
    if (!scan || doneAt === undefined) {
      b.fig(S, 'time until every failure has its reason', `NOT DONE after ${fmtMs(Date.now() - r.firstSentAt)}: ${scan ? statusText(scan.byStatus) : 'no scan'}`, fmtMs(timeoutMs))
      throw new Error(`decline reasons still missing after ${fmtMs(timeoutMs)}`)
    }

    b.log(S, `reading the ${fmtInt(scan.rows.length)} recorded reasons (GET /v1/events/stripe:reason:<payment>) and the runs, for their exact times`)
    const reasons = await readReasons(server, scan.rows)
    const times = reasons.map((x) => x.receivedAt).sort((a, c) => a - c)
    const firstReason = times[0] ?? NaN
    const lastReason = times[times.length - 1] ?? NaN
    const waits = reasons.map((x) => x.receivedAt - x.failedAt).sort((a, c) => a - c)
    const found = reasons.filter((x) => x.foundBy === 'stripe_api').length
    b.fig(S, `first delivery → last of ${fmtInt(N)} failures has its reason`, fmtMs(lastReason - r.firstSentAt), `(poll saw it after ${fmtMs(doneAt - r.firstSentAt)})`)
    b.fig(S, 'reasons: known / unknown (found by an API lookup)', `${fmtInt(scan.byStatus.known ?? 0)} / ${fmtInt(scan.byStatus.unknown ?? 0)} (${fmtInt(found)} found by the enricher)`, `${fmtInt(N)} / 0`)
    b.fig(S, 'decline codes recorded', topCodes(scan.rows))
    b.fig(S, 'reason wait per failure p50 / p99 / max (stored → reason)', `${fmtMs(percentile(waits, 50))} / ${fmtMs(percentile(waits, 99))} / ${fmtMs(waits[waits.length - 1] ?? NaN)}`)
    // A run waits for its failure's reason at most 60 s (REASON_WAIT_MS), then goes on without it.
    const reasonAt = new Map(reasons.map((x) => [x.customerId, x.receivedAt]))
    const runs = await scanRuns(server, 'wf_reason')
    const early = runs.filter((x) => x.finished_at !== null && Date.parse(x.finished_at) < (reasonAt.get(x.customer_id) ?? Infinity)).length
    b.fig(S, 'runs that went on before their reason came (60 s wait ran out)', `${fmtInt(early)} of ${fmtInt(runs.length)}`, '0')
    const passes = passesOf(times)
    const reasonRate = N / ((lastReason - firstReason) / 1000)
    b.fig(S, 'enricher: reasons recorded/s (first → last reason)', `${fmtNum(reasonRate, 0)}/s, in ${fmtInt(passes.count)} bursts ≥ 0.5 s apart (median ${fmtInt(passes.medianSize)} reasons, median pause ${fmtMs(passes.medianGapMs)})`)
    b.limit(
      S,
      `reasons: the enricher (src/providers/stripe/enricher.ts, fixed defaults) waits 3 s grace, claims ≤ 200 failures per pass, looks each up and records it 8 at a time, then sleeps pollMs = 1 s after the pass; ` +
        `here ${fmtNum(reasonRate, 0)} reasons/s while the stand-in used ${fmtNum(standinPct, 0)}% of a core (${fmtInt(standin.cpuMicros / Math.max(1, requests))} µs per lookup), so the stand-in is not what limits it; ` +
        `${fmtInt(early)} of ${fmtInt(runs.length)} runs waited out REASON_WAIT_MS (60 s) and went on without their reason`,
    )
  })
  dir.remove()
}

// ---------------------------------------------------------------------------------------------

interface PaymentRowView {
  readonly id: string
  readonly customer_id: string
  readonly created_at: string
  readonly reason_status: string | null
  readonly failure_code: string | null
  readonly decline_code: string | null
}

interface PaymentScan {
  readonly rows: PaymentRowView[]
  readonly byStatus: Record<string, number>
}

/** Every payment, through GET /v1/payments (500 a page). */
async function scanPayments(server: BenchServer): Promise<PaymentScan> {
  const rows: PaymentRowView[] = []
  const byStatus: Record<string, number> = {}
  let cursor: string | null = null
  for (let pages = 0; pages < 10_000; pages++) {
    const page: { data: PaymentRowView[]; next_cursor: string | null } = await server.client.json('GET', `/v1/payments?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    for (const row of page.data) {
      rows.push(row)
      const s = row.reason_status ?? 'none'
      byStatus[s] = (byStatus[s] ?? 0) + 1
    }
    cursor = page.next_cursor
    if (!cursor) break
  }
  return { rows, byStatus }
}

interface ReasonTime {
  readonly customerId: string
  /** When the failure was stored, and when its reason was (epoch ms). */
  readonly failedAt: number
  readonly receivedAt: number
  /** `stripe_api` when the enricher read it, `nobody` when it gave up. */
  readonly foundBy: string
}

/** Every run of a workflow, through GET /v1/runs (500 a page). */
async function scanRuns(server: BenchServer, workflowId: string): Promise<{ customer_id: string; finished_at: string | null }[]> {
  const rows: { customer_id: string; finished_at: string | null }[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 10_000; pages++) {
    const page: { data: { customer_id: string; finished_at: string | null }[]; next_cursor: string | null } = await server.client.json(
      'GET',
      `/v1/runs?workflow_id=${encodeURIComponent(workflowId)}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    rows.push(...page.data)
    cursor = page.next_cursor
    if (!cursor) break
  }
  return rows
}

/** When each failure's reason was recorded (the enricher's `payment.decline_reason` event), 8 reads at a time. */
async function readReasons(server: BenchServer, rows: readonly PaymentRowView[]): Promise<ReasonTime[]> {
  const client = new Client(server.port, BENCH_API_KEY, 8)
  const out: ReasonTime[] = []
  const queue = [...rows]
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let row = queue.pop(); row !== undefined; row = queue.pop()) {
          const event: { received_at: string; metadata?: { found_by?: string } } = await client.json('GET', `/v1/events/${encodeURIComponent(`stripe:reason:${row.id}`)}`)
          out.push({ customerId: row.customer_id, failedAt: Date.parse(row.created_at), receivedAt: Date.parse(event.received_at), foundBy: event.metadata?.found_by ?? '?' })
        }
      }),
    )
  } finally {
    client.close()
  }
  return out
}

/** Reasons arrive in bursts, one per enricher pass: bursts are split by pauses of ≥ 500 ms. */
function passesOf(sorted: readonly number[]): { count: number; medianSize: number; medianGapMs: number } {
  const sizes: number[] = []
  const gaps: number[] = []
  let size = 0
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i]! - sorted[i - 1]! >= 500) {
      sizes.push(size)
      gaps.push(sorted[i]! - sorted[i - 1]!)
      size = 0
    }
    size++
  }
  if (size > 0) sizes.push(size)
  const med = (xs: number[]) => percentile([...xs].sort((a, c) => a - c), 50)
  return { count: sizes.length, medianSize: med(sizes), medianGapMs: gaps.length ? med(gaps) : 0 }
}

function topCodes(rows: readonly PaymentRowView[]): string {
  const counts = new Map<string, number>()
  for (const r of rows) {
    const code = r.decline_code ?? r.failure_code ?? 'none'
    counts.set(code, (counts.get(code) ?? 0) + 1)
  }
  return [...counts].sort((a, c) => c[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${fmtInt(v)}`).join(', ')
}

const sumOf = (c: Record<string, number>) => Object.values(c).reduce((a, x) => a + x, 0)
const statusText = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k}: ${fmtInt(v)}`).join(', ') || 'none'
const kindText = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${fmtInt(v)} ${k}`).join(', ') || 'none'
const countsText = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${fmtInt(v)}`)
    .join(', ') || 'none'

// ---------------------------------------------------------------------------------------------
// The stand-in peer: bench/stripe-standin-peer.ts in its own process, driven over IPC.

interface StandInPeer {
  readonly pid: number
  readonly url: string
  seed(command: SeedCommand): Promise<SeedResult>
  stats(): Promise<StandInStats>
  reset(): Promise<void>
  close(): Promise<void>
}

async function startStandInPeer(): Promise<StandInPeer> {
  const child = fork(join(ROOT, 'bench', 'stripe-standin-peer.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const kill = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  // One answer per command, in order.
  const waiters: { resolve: (m: any) => void; reject: (e: Error) => void }[] = []
  child.on('message', (m) => waiters.shift()?.resolve(m))
  child.once('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`Stripe stand-in exited with ${code}`))
  })
  const ask = <T>(command: object | undefined, what: string, timeoutMs = 30_000): Promise<T> => {
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Stripe stand-in: no answer to ${what} within ${timeoutMs} ms`)), timeoutMs)
      waiters.push({
        resolve: (m) => {
          clearTimeout(timer)
          if (m && typeof m === 'object' && 'error' in m) reject(new Error(`Stripe stand-in: ${what} failed: ${String(m.error)}`))
          else resolve(m as T)
        },
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
    })
    if (command) child.send(command)
    return answer
  }
  let ready: { url: string }
  try {
    ready = await ask<{ url: string }>(undefined, 'start-up')
  } catch (err) {
    kill()
    throw err
  }
  return {
    pid: child.pid!,
    url: ready.url,
    seed: async (command) => (await ask<{ seeded: SeedResult }>(command, 'seed', 30 * 60_000)).seeded,
    stats: async () => (await ask<{ stats: StandInStats }>({ cmd: 'stats' }, 'stats')).stats,
    reset: async () => void (await ask({ cmd: 'reset' }, 'reset')),
    async close() {
      if (child.exitCode === null && child.signalCode === null && child.connected) child.send({ cmd: 'close' })
      const t = setTimeout(() => kill(), 5_000)
      await exited
      clearTimeout(t)
      kill()
    },
  }
}
