// Server CPU per event of ingest alone, in one process with no HTTP and no load generator beside it:
// the figure that moves least when other work shares the machine (wall-clock rates do). Applies
// batches of payment.failed events (their runs park in a day-long wait, so the engine stays idle)
// and single events 50 at a time, and prints CPU µs per event for each.
//
//   npx tsx bench/ingest-cpu.ts [--events 20000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { paymentFailedJson } from './lib.js'

const i = process.argv.indexOf('--events')
const N = i >= 0 ? Number(process.argv[i + 1]) : 20_000
const KEY = 'rk_bench_cpu_0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'recoup-bench-cpu-'))
const app = await buildApp(loadConfig({ DATABASE_URL: join(dir, 'cpu.db'), RECOUP_API_KEY: KEY, RECOUP_LOG_LEVEL: 'silent' }))
try {
  const post = async (url: string, payload: object) => {
    const res = await app.http.inject({ method: 'POST', url, headers: { authorization: `Bearer ${KEY}` }, payload })
    if (res.statusCode >= 300) throw new Error(`${url} → ${res.statusCode} ${res.body}`)
  }
  await post('/v1/products', { id: 'prod_pro', name: 'Pro plan' })
  await post('/v1/workflows', {
    id: 'wf_hold', name: 'hold', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
    steps: [{ id: 'hold', type: 'wait', duration: 'P1D' }],
  })
  const events = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, k) => JSON.parse(paymentFailedJson(`${prefix}${from + k}`, from + k, 'prod_pro')) as unknown)
  const measure = async (label: string, fn: () => Promise<number>) => {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const n = await fn()
    const c = process.cpuUsage(c0)
    const ms = performance.now() - t0
    console.log(`${label}: ${n} events, ${((c.user + c.system) / n).toFixed(0)} µs CPU per event, ${Math.round(n / (ms / 1000))} events/s wall`)
  }
  // Warm-up: statements prepared, code optimized.
  await app.ingestor.acceptMany(events('evt_warm_', 10_000_000, 2000))
  await measure('1,000-event batches', async () => {
    for (let at = 0; at < N; at += 1000) await app.ingestor.acceptMany(events('evt_b_', at, 1000))
    return N
  })
  const single = Math.min(N, 10_000)
  await measure('single events, 50 in flight', async () => {
    let next = 0
    await Promise.all(Array.from({ length: 50 }, async () => {
      for (let k = next++; k < single; k = next++) await app.ingestor.accept(events('evt_s_', 5_000_000 + k, 1)[0])
    }))
    return single
  })
} finally {
  await app.close()
  rmSync(dir, { recursive: true, force: true })
}
