// Scale-out on real processes: `recoup serve --no-worker` plus several `recoup worker`s on one
// PostgreSQL schema, workers killed with SIGKILL while they work; the embedded `recoup start`
// killed mid-burst; two API processes receiving one event id at once. Repeated step executions are
// counted by duplicate Standard Webhooks `webhook-id`s at a local receiver.
import { createServer, type Server } from 'node:http'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually, startServer, startWorker, type RunningServer, type RunningWorker } from './helpers/server.js'

const postgres = DIALECTS.find((d) => d.name === 'postgres')
const EVENTS = Number(process.env.SCALE_OUT_EVENTS ?? 20_000)
const BATCH = 500
const WORKER_CONCURRENCY = 8

/** Counts deliveries per webhook-id: a repeated step shows up as a second delivery of its id. */
async function startReceiver(): Promise<{ url: string; counts: Map<string, number>; close(): Promise<void> }> {
  const counts = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const id = String(req.headers['webhook-id'] ?? '')
    req.resume()
    req.on('end', () => {
      counts.set(id, (counts.get(id) ?? 0) + 1)
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}/hook`, counts, close: () => new Promise((r) => server.close(() => r())) }
}

function workflow(hookUrl: string) {
  return {
    id: 'wf_chaos',
    name: 'Chaos',
    status: 'active',
    trigger: { type: 'payment.failed', products: ['prod_pro'] },
    steps: [
      { id: 'tag', type: 'update_customer', add_tags: ['payment-failed'] },
      { id: 'hook', type: 'webhook', url: hookUrl },
      { id: 'pause', type: 'wait', duration: 'PT1S' },
      { id: 'alert', type: 'notify_team', channel: 'email', to: 'finance@example.com', message: '{{ customer.id }} failed a payment' },
    ],
  }
}
const STEPS_PER_RUN = 4

/** A deterministic sequence in [0, 1) (fixtures are seeded, never random). */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32)
}

/** Posts `count` events (ids `${prefix}${i}`) in batches; returns the ids answered 202/200. */
async function sendEvents(api: RunningServer, prefix: string, count: number, onBatch?: () => void): Promise<string[]> {
  const accepted: string[] = []
  for (let from = 0; from < count; from += BATCH) {
    const events = []
    for (let i = from; i < Math.min(count, from + BATCH); i++) events.push(paymentFailed(`${prefix}${i}`, { customer: `cus_${prefix}${i}`, subscription: `sub_${prefix}${i}` }))
    const res = await api.api('POST', '/v1/events', { events })
    if (res.status >= 300) throw new Error(`batch at ${from} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`)
    for (const r of res.body.results as { event_id: string; status: number }[]) if (r.status < 300) accepted.push(r.event_id)
    onBatch?.()
  }
  return accepted
}

function duplicates(counts: Map<string, number>): number {
  let n = 0
  for (const c of counts.values()) n += c - 1
  return n
}

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {})
})

describe.skipIf(!postgres)('scale-out on PostgreSQL (real processes)', () => {
  it(`loses no run and repeats only steps in flight while workers are killed (${EVENTS} events)`, async () => {
    const databaseUrl = await postgres!.freshDatabaseUrl()
    const receiver = await startReceiver()
    cleanups.push(() => receiver.close())
    // 4 processes × 10 connections (+ a lifeline per worker) leave room for the test files running beside this one.
    const env = { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_BASE_MS: '200', RECOUP_RETRY_MAX_MS: '2000', RECOUP_PG_POOL_SIZE: '10' }
    const api = await startServer({ databaseUrl, command: ['serve', '--no-worker'], env })
    cleanups.push(() => api.kill())
    expect((await api.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })).status).toBe(201)
    expect((await api.api('POST', '/v1/workflows', workflow(receiver.url))).status).toBe(201)

    const workers: RunningWorker[] = []
    const spawnWorker = () => {
      const w = startWorker({ databaseUrl, concurrency: WORKER_CONCURRENCY, env: { ...env, RECOUP_LOG_LEVEL: 'info' } })
      workers.push(w)
      cleanups.push(() => w.kill())
    }
    for (let i = 0; i < 3; i++) spawnWorker()

    const db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    cleanups.push(() => db.end())
    const count = async (q: string) => Number((await db.query<{ n: string }>(q)).rows[0]!.n)

    // Chaos: every 4 s kill -9 one live worker (chosen by a seeded sequence) and start another.
    const pick = seeded(6)
    let kills = 0
    let chaos = true
    const chaosLoop = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, 4_000))
        if (!chaos) break
        const live = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null)
        const victim = live[Math.floor(pick() * live.length)]
        if (!victim) continue
        await victim.kill()
        kills++
        spawnWorker()
      }
    })()

    const t0 = Date.now()
    const accepted = await sendEvents(api, 'evt_x', EVENTS)
    const sentMs = Date.now() - t0
    await eventually(async () => (await count(`select count(*) as n from runs where status <> 'completed'`)) === 0, 540_000, 'every run to complete')
    const doneMs = Date.now() - t0
    chaos = false
    await chaosLoop

    // Graceful stop: SIGTERM → exit 0.
    const live = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null)
    await Promise.all(live.map((w) => w.ready()))
    const codes = await Promise.all(live.map((w) => w.stop()))

    const events = await count('select count(*) as n from events')
    const runs = await count('select count(*) as n from runs')
    const orphans = await count('select count(*) as n from events e where not exists (select 1 from runs r where r.event_id = e.id)')
    const stepsDone = await count(`select count(*) as n from step_results where status = 'completed'`)
    const hooks = [...receiver.counts.values()].reduce((a, b) => a + b, 0)
    const repeated = duplicates(receiver.counts)
    console.log(
      `[scale-out chaos] ${accepted.length} events accepted in ${(sentMs / 1000).toFixed(1)} s; all ${runs} runs completed after ${(doneMs / 1000).toFixed(1)} s ` +
        `(${Math.round(runs / (doneMs / 1000))} runs/s) with 1 API + 3 workers × concurrency ${WORKER_CONCURRENCY}; ${kills} workers killed with SIGKILL; ` +
        `${stepsDone} steps completed; webhook deliveries ${hooks} for ${receiver.counts.size} distinct steps → ${repeated} repeated executions (bound: kills × concurrency = ${kills * WORKER_CONCURRENCY})`,
    )
    expect(accepted).toHaveLength(EVENTS)
    expect(events).toBe(EVENTS)
    expect(orphans).toBe(0)
    expect(runs).toBe(EVENTS)
    expect(stepsDone).toBe(EVENTS * STEPS_PER_RUN)
    expect(receiver.counts.size).toBe(EVENTS)
    expect(kills).toBeGreaterThan(0)
    expect(repeated).toBeLessThanOrEqual(kills * WORKER_CONCURRENCY)
    expect(codes.every((c) => c === 0)).toBe(true)
  }, 660_000)

  it('two API processes receiving one event id at the same moment create one event and one set of runs', async () => {
    const databaseUrl = await postgres!.freshDatabaseUrl()
    const a = await startServer({ databaseUrl, command: ['serve', '--no-worker'], env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
    cleanups.push(() => a.kill())
    const b = await startServer({ databaseUrl, command: ['serve', '--no-worker'], env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
    cleanups.push(() => b.kill())
    expect((await a.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })).status).toBe(201)
    expect((await a.api('POST', '/v1/workflows', workflow('http://127.0.0.1:9/hook'))).status).toBe(201)
    for (let i = 0; i < 20; i++) {
      const event = paymentFailed(`evt_same_${i}`, { customer: `cus_same_${i}`, subscription: `sub_same_${i}` })
      const [ra, rb] = await Promise.all([a.api('POST', '/v1/events', event), b.api('POST', '/v1/events', event)])
      expect([ra.status, rb.status].sort()).toEqual([200, 202])
      expect([ra.body.duplicate, rb.body.duplicate].sort()).toEqual([false, true])
      expect(ra.body.runs).toHaveLength(1)
      expect(rb.body.runs).toEqual(ra.body.runs)
    }
    const db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    try {
      expect(Number((await db.query('select count(*) as n from events')).rows[0].n)).toBe(20)
      expect(Number((await db.query('select count(*) as n from runs')).rows[0].n)).toBe(20)
    } finally {
      await db.end()
    }
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
  }, 120_000)
})

describe('embedded mode (real process)', () => {
  it('completes every run after `recoup start` is killed with SIGKILL mid-burst and restarted', async () => {
    const receiver = await startReceiver()
    cleanups.push(() => receiver.close())
    const env = { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_RETRY_BASE_MS: '200', RECOUP_RETRY_MAX_MS: '2000' }
    let server = await startServer({ env })
    cleanups.push(() => server.kill())
    const databaseUrl = server.databaseUrl
    expect((await server.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })).status).toBe(201)
    expect((await server.api('POST', '/v1/workflows', workflow(receiver.url))).status).toBe(201)
    const total = 4_000
    // Kill during the burst: after half the batches were accepted, with steps in flight.
    let batches = 0
    const first = await sendEvents(server, 'evt_e', total / 2, () => batches++)
    await server.kill()
    const killedAt = receiver.counts.size
    server = await startServer({ env, databaseUrl })
    cleanups.push(() => server.kill())
    const second = await sendEvents(server, 'evt_f', total / 2)
    await eventually(async () => {
      if (receiver.counts.size < total) return false
      const [running, waiting] = await Promise.all([server.api('GET', '/v1/runs?status=running&limit=1'), server.api('GET', '/v1/runs?status=waiting&limit=1')])
      return running.body.data.length === 0 && waiting.body.data.length === 0
    }, 120_000, 'every run to complete')
    expect(await server.stop()).toBe(0)
    const db = new Sqlite(databaseUrl, { readonly: true })
    try {
      const n = (q: string) => (db.prepare(q).get() as { n: number }).n
      const pending = async () => n(`select count(*) as n from runs where status <> 'completed'`)
      console.log(
        `[scale-out embedded] ${first.length + second.length} events accepted; killed after ${batches} batches with ${killedAt} webhook steps done; ` +
          `runs ${n('select count(*) as n from runs')}, not completed ${await pending()}; repeated webhook executions ${duplicates(receiver.counts)}`,
      )
      expect(first.length + second.length).toBe(total)
      expect(n('select count(*) as n from events')).toBe(total)
      expect(n('select count(*) as n from events e where not exists (select 1 from runs r where r.event_id = e.id)')).toBe(0)
      expect(n('select count(*) as n from runs')).toBe(total)
      expect(await pending()).toBe(0)
      expect(n(`select count(*) as n from step_results where status = 'completed'`)).toBe(total * STEPS_PER_RUN)
      expect(duplicates(receiver.counts)).toBeLessThanOrEqual(64)
    } finally {
      db.close()
    }
  }, 180_000)
})
