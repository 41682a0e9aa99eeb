// Load generator for single-event POSTs, in its own process so it never shares the server's (or
// the orchestrator's) event loop. Started by bench/run.ts with one JSON argument; prints progress
// lines on stderr and one JSON result line on stdout.
import autocannon from 'autocannon'
import { paymentFailedJson } from './lib.js'

interface Args {
  readonly url: string
  readonly apiKey: string
  readonly connections: number
  readonly seconds: number
  readonly prefix: string
  readonly product: string
  /** Requests/s offered across all connections (a steady rate instead of as fast as answered). */
  readonly rate?: number
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args
let n = 0
const cpu0 = process.cpuUsage()
const t0 = performance.now()

const instance = autocannon(
  {
    url: args.url,
    connections: args.connections,
    duration: args.seconds,
    timeout: 30,
    ...(args.rate ? { overallRate: args.rate } : {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${args.apiKey}` },
    requests: [
      {
        method: 'POST',
        path: '/v1/events',
        // A distinct event (and customer) per request.
        setupRequest: (req) => {
          n++
          return { ...req, body: paymentFailedJson(`${args.prefix}${n}`, n, args.product) }
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      process.stderr.write(`autocannon failed: ${String(err)}\n`)
      process.exit(1)
    }
    const used = process.cpuUsage(cpu0)
    const secs = (performance.now() - t0) / 1000
    const out = {
      duration: result.duration,
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      status4xx: result['4xx'],
      status5xx: result['5xx'],
      errors: result.errors,
      timeouts: result.timeouts,
      sent: result.requests.sent,
      latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
      statusCodes: result.statusCodeStats,
      loadCpuPct: ((used.user + used.system) / 1e6 / secs) * 100,
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
    process.exit(0)
  },
)

let done2xx = 0
instance.on('response', (_client, statusCode) => {
  if (statusCode >= 200 && statusCode < 300) done2xx++
})
const tick = setInterval(() => process.stderr.write(`${JSON.stringify({ progress: { ok: done2xx, sent: n } })}\n`), 1000)
tick.unref()
