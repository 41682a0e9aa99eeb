// Load generator for Recoup's Stripe webhook route, in its own process (like load-single.ts): signed
// `invoice.payment_failed` deliveries over `connections` keep-alive connections (autocannon), each
// request a distinct event whose Stripe-Signature covers its exact body. Started by
// bench/stripe-webhooks.ts with one JSON argument; prints progress lines on stderr (the first says
// the payloads are ready) and one JSON result line on stdout.
//
// Two sources of payloads:
// - `template`: test/helpers/stripe-events.ts builds one basil `invoice.payment_failed`; copies get
//   distinct event, invoice, customer and subscription ids. `pool` of them are made and signed
//   before the clock starts; should the run outlast them, more are made on the fly (and counted).
// - `file`: a JSON array of payloads (what the Stripe stand-in emitted), each delivered once.
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import Stripe from 'stripe'
import { invoicePaymentFailed, payloadOf } from '../test/helpers/stripe-events.js'

export interface LoadStripeArgs {
  readonly url: string
  readonly secret: string
  readonly connections: number
  /** `template` mode: how long to run. */
  readonly seconds?: number
  /** `template` mode: payloads made before the run. */
  readonly pool?: number
  /** `template` mode: makes ids distinct across runs against one server. */
  readonly prefix?: string
  /** `template` mode: the Stripe product on the invoice line (Recoup's product id). */
  readonly product?: string
  /** `file` mode: the payloads, each sent once. */
  readonly file?: string
}

export interface LoadStripeResult {
  readonly duration: number
  readonly sent: number
  readonly ok2xx: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  /** 2xx answers that started at least one run / were duplicates / were ignored (with the first reason). */
  readonly withRuns: number
  readonly duplicates: number
  readonly ignored: number
  readonly ignoredReason?: string
  readonly latency: { p50: number; p90: number; p99: number; max: number; mean: number }
  readonly statusCodes: unknown
  readonly loadCpuPct: number
  /** Wall clock (epoch ms) when the first request was sent, and when the run ended. */
  readonly firstSentAt: number
  readonly lastDoneAt: number
  /** Payloads made and signed before the run, and how long that took. */
  readonly prepared: number
  readonly prepMs: number
  /** `template` mode: payloads made during the run because the pool ran out. */
  readonly madeOnTheFly: number
  /** `file` mode: requests beyond the file (sent again: would be duplicates); 0 expected. */
  readonly beyondFile: number
}

const args = JSON.parse(process.argv[2] ?? '{}') as LoadStripeArgs
const progress = (p: object) => process.stderr.write(`${JSON.stringify({ progress: p })}\n`)

const TOKEN = 'XBENCHX'
const signedAt = () => Math.floor(Date.now() / 1000)
const sign = (payload: string) => Stripe.webhooks.generateTestHeaderString({ payload, secret: args.secret, timestamp: signedAt() })

/** Payload i from the builder's event, by filling in the token: ids and email differ per request. */
function templateMaker(): (i: number) => string {
  const event = invoicePaymentFailed({
    apiVersion: '2025-03-31.basil',
    created: signedAt(),
    customerId: `cus_${TOKEN}`,
    customerEmail: `c.${TOKEN}@example.com`,
    customerName: 'Bench Customer',
    subscriptionId: `sub_1${TOKEN}`,
    invoiceId: `in_1${TOKEN}`,
    productId: args.product ?? 'prod_SBench0000001',
  })
  const parts = payloadOf({ ...event, id: `evt_1${TOKEN}` }).split(TOKEN)
  return (i) => parts.join(`${args.prefix ?? 'b'}${i}`)
}

const t0 = performance.now()
let payloads: string[]
let make: ((i: number) => string) | undefined
if (args.file) {
  payloads = JSON.parse(readFileSync(args.file, 'utf8')) as string[]
} else {
  make = templateMaker()
  payloads = Array.from({ length: args.pool ?? 10_000 }, (_, i) => make!(i))
}
const signatures = payloads.map(sign)
const prepMs = performance.now() - t0
const prepared = payloads.length

let next = 0
let madeOnTheFly = 0
let beyondFile = 0
let withRuns = 0
let duplicates = 0
let ignored = 0
let ignoredReason: string | undefined
let done2xx = 0

const cpu0 = process.cpuUsage()
const started = performance.now()
progress({ ready: true, prepared, prepMs })
const firstSentAt = Date.now()

const instance = autocannon(
  {
    url: args.url,
    connections: args.connections,
    ...(args.file ? { amount: payloads.length } : { duration: args.seconds ?? 10 }),
    timeout: 30,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
    requests: [
      {
        method: 'POST',
        path: '/v1/webhooks/stripe',
        setupRequest: (req) => {
          const i = next++
          let body: string
          let signature: string
          if (i < payloads.length) {
            body = payloads[i]!
            signature = signatures[i]!
          } else if (make) {
            madeOnTheFly++
            body = make(i)
            signature = sign(body)
          } else {
            beyondFile++
            body = payloads[i % payloads.length]!
            signature = sign(body)
          }
          return { ...req, body, headers: { ...req.headers, 'stripe-signature': signature } }
        },
        onResponse: (status, body) => {
          if (status < 200 || status > 299) return
          if (body.includes('"ignored"')) {
            ignored++
            ignoredReason ??= body.slice(0, 300)
          } else if (body.includes('"duplicate":true')) duplicates++
          else if (body.includes('"runs":[{')) withRuns++
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      process.stderr.write(`autocannon failed: ${String(err)}\n`)
      process.exit(1)
    }
    const lastDoneAt = Date.now()
    const used = process.cpuUsage(cpu0)
    const secs = (performance.now() - started) / 1000
    const out: LoadStripeResult = {
      duration: result.duration,
      sent: result.requests.sent,
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      withRuns,
      duplicates,
      ignored,
      ...(ignoredReason ? { ignoredReason } : {}),
      latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
      statusCodes: result.statusCodeStats,
      loadCpuPct: ((used.user + used.system) / 1e6 / secs) * 100,
      firstSentAt,
      lastDoneAt,
      prepared,
      prepMs,
      madeOnTheFly,
      beyondFile,
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
    process.exit(0)
  },
)

instance.on('response', (_client, statusCode) => {
  if (statusCode >= 200 && statusCode < 300) done2xx++
})
const tick = setInterval(() => progress({ ok: done2xx, sent: next }), 1000)
tick.unref()
