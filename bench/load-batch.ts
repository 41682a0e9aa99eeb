// Load generator for 1,000-event batches, in its own process (see load-single.ts). Sends either a
// fixed number of events or for a fixed time, with `clients` requests in flight; each body is
// built just before it is sent. Prints progress on stderr and one JSON result line on stdout.
import { Client, batchJson, percentile, sleep } from './lib.js'

interface Args {
  readonly port: number
  readonly apiKey: string
  readonly clients: number
  readonly batchSize: number
  readonly product: string
  readonly prefix: string
  /** Index of the first event (customer numbers continue from here). */
  readonly start?: number
  /** Stop after this many events... */
  readonly total?: number
  /** ...or after this many seconds. */
  readonly seconds?: number
}

const a = JSON.parse(process.argv[2] ?? '{}') as Args
const client = new Client(a.port, a.apiKey, a.clients)
const start = a.start ?? 0
const endAt = a.seconds ? performance.now() + a.seconds * 1000 : Infinity
const total = a.total ?? Infinity

let next = 0 // events handed out so far
let accepted = 0
let rejected = 0
let failedBatches = 0
let retries = 0
let batches = 0
const latencies: number[] = []
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const firstPostAt = Date.now()

async function worker(): Promise<void> {
  while (next < total && performance.now() < endAt) {
    const from = next
    const count = Math.min(a.batchSize, total - from)
    next += count
    const body = batchJson(a.prefix, start + from, count, a.product)
    for (let attempt = 1; ; attempt++) {
      const t = performance.now()
      try {
        const r = await client.send('POST', '/v1/events', body, 300_000)
        latencies.push(performance.now() - t)
        if (r.status === 202 || r.status === 200) {
          const m = /"accepted":(\d+),"rejected":(\d+)/.exec(r.text.slice(0, 200))
          accepted += m ? Number(m[1]) : count
          rejected += m ? Number(m[2]) : 0
          batches++
          break
        }
        if (r.status < 500 && r.status !== 429) {
          rejected += count
          failedBatches++
          process.stderr.write(`batch at ${from} → ${r.status}: ${r.text.slice(0, 300)}\n`)
          break
        }
        throw new Error(`status ${r.status}: ${r.text.slice(0, 200)}`)
      } catch (err) {
        if (attempt >= 5) {
          failedBatches++
          process.stderr.write(`batch at ${from} failed after ${attempt} attempts: ${String(err)}\n`)
          break
        }
        retries++
        await sleep(200 * attempt)
      }
    }
  }
}

const tick = setInterval(() => process.stderr.write(`${JSON.stringify({ progress: { accepted, sent: next, elapsedMs: performance.now() - t0 } })}\n`), 500)
await Promise.all(Array.from({ length: a.clients }, () => worker()))
clearInterval(tick)
const elapsedMs = performance.now() - t0
const lastDoneAt = Date.now()
const used = process.cpuUsage(cpu0)
latencies.sort((x, y) => x - y)
client.close()
process.stdout.write(
  `${JSON.stringify({
    accepted,
    rejected,
    failedBatches,
    retries,
    batches,
    elapsedMs,
    firstPostAt,
    lastDoneAt,
    batchLatency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN },
    loadCpuPct: ((used.user + used.system) / 1e6 / (elapsedMs / 1000)) * 100,
  })}\n`,
)
process.exit(0)
