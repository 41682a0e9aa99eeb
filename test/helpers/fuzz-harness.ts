// Sends the fuzzer's requests (node:http, or bytes on a node:net socket for malformed HTTP), judges
// each answer against the API's error contract, seeds the data the generator aims at, and tallies.
// Shared by test/fuzz.test.ts (in-process app, sequential, data snapshots) and bench/fuzz.ts
// (a `recoup start` process, 16 at a time, 100,000 requests).
import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import { LinkSigner, type LinkPurpose } from '../../src/domain/links.js'
import { paymentFailed, planCanceled, planWorkflow, recoveryWorkflow } from './fixtures.js'
import { describeRequest, fuzzRequest, type FuzzPlan, type FuzzRequest } from './fuzz.js'

/** What came back: a status, or why nothing did. */
export interface Outcome {
  readonly status?: number
  readonly contentType?: string
  /** The body, cut at 4 MiB (errors may echo a large input; judging needs the whole document). */
  readonly body: string
  /** `timeout`: no answer within the limit (a hang); `no-answer`: the connection ended without one; `not-sent`: node:http refused to build it. */
  readonly failure?: 'timeout' | 'no-answer' | 'not-sent'
  readonly error?: string
  readonly ms: number
}

export type FindingKind = '5xx' | 'hang' | 'no-answer' | 'not-problem-json' | 'bad-problem-body' | 'wrong-status' | 'auth-bypass'

export interface Finding {
  readonly kind: FindingKind
  readonly request: FuzzRequest
  readonly outcome: Outcome
  readonly detail: string
  /** What the server logged while answering (in-process runs only). */
  readonly serverLog?: string
}

const MAX_BODY = 4 * 1024 * 1024

/** Sends one request to 127.0.0.1:`port`; never throws. */
export function sendFuzz(port: number, req: FuzzRequest, options: { agent?: Agent; timeoutMs: number }): Promise<Outcome> {
  return req.raw ? sendRaw(port, req.raw, options.timeoutMs) : sendHttp(port, req, options)
}

function sendHttp(port: number, r: FuzzRequest, options: { agent?: Agent; timeoutMs: number }): Promise<Outcome> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  return new Promise((resolve) => {
    let done = false
    const finish = (o: Omit<Outcome, 'ms'>) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve({ ...o, ms: ms() })
    }
    let req: ReturnType<typeof request>
    try {
      req = request({ host: '127.0.0.1', port, method: r.method, path: r.target, headers: r.headers, agent: options.agent ?? false })
    } catch (err) {
      resolve({ body: '', failure: 'not-sent', error: (err as Error).message, ms: 0 })
      return
    }
    const timer = setTimeout(() => {
      finish({ body: '', failure: 'timeout', error: `no answer within ${options.timeoutMs} ms` })
      req.destroy()
    }, options.timeoutMs)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c)
        size += c.length
      })
      const end = () => finish({ status: res.statusCode, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY) })
      res.on('end', end)
      res.on('error', end)
      res.on('aborted', end)
    })
    req.on('error', (err) => finish({ body: '', failure: 'no-answer', error: err.message }))
    req.end(r.body)
  })
}

/** Writes bytes on a fresh socket and reads one HTTP/1.x answer (until its length is in, or the socket ends). */
function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<Outcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = Buffer.alloc(0)
    let done = false
    const finish = (failure?: Outcome['failure'], error?: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const parsed = parseResponse(received)
      const ms = Math.round(performance.now() - started)
      if (parsed) resolve({ ...parsed, ms })
      else resolve({ body: '', failure: failure ?? 'no-answer', error: error ?? (received.length ? `unparseable answer ${JSON.stringify(received.toString('latin1').slice(0, 200))}` : 'closed without an answer'), ms })
    }
    const timer = setTimeout(() => finish('timeout', `no answer within ${timeoutMs} ms`), timeoutMs)
    socket.on('connect', () => socket.write(bytes))
    socket.on('data', (c: Buffer) => {
      received = Buffer.concat([received, c])
      if (parseResponse(received, true)) finish()
    })
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    socket.on('error', (err) => finish('no-answer', err.message))
  })
}

/** Status, content type and body of a raw answer; with `complete`, only once the whole body is in. */
function parseResponse(buf: Buffer, complete = false): Omit<Outcome, 'ms'> | undefined {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const head = buf.subarray(0, end).toString('latin1').split('\r\n')
  const status = /^HTTP\/\d\.\d (\d{3})/.exec(head[0] ?? '')
  if (!status) return undefined
  const header = (name: string) => head.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim()
  const length = Number(header('content-length') ?? NaN)
  const chunked = /chunked/i.test(header('transfer-encoding') ?? '')
  let body = buf.subarray(end + 4)
  if (chunked) {
    const decoded = dechunk(body)
    if (complete && !decoded) return undefined
    body = decoded ?? body
  } else if (complete && !(Number.isFinite(length) && body.length >= length)) {
    return undefined
  }
  return { status: Number(status[1]), contentType: header('content-type'), body: body.toString('utf8').slice(0, MAX_BODY) }
}

/** A chunked body decoded, or undefined until its last chunk is in. */
function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = buf.indexOf('\r\n', at)
    if (eol < 0) return undefined
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16)
    if (!Number.isFinite(size)) return undefined
    if (size === 0) return Buffer.concat(parts)
    if (buf.length < eol + 2 + size) return undefined
    parts.push(buf.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** What is wrong with an answer, if anything: the API's error contract, stated once. */
export function judge(r: FuzzRequest, o: Outcome): Omit<Finding, 'request' | 'outcome'> | undefined {
  if (o.failure === 'timeout') return { kind: 'hang', detail: o.error ?? 'timeout' }
  // Node closes a CONNECT (a proxy tunnel request) it has no handler for; nothing reaches the app.
  if (o.failure === 'no-answer' && r.method !== 'CONNECT') return { kind: 'no-answer', detail: o.error ?? 'no answer' }
  if (o.failure === 'not-sent' || o.status === undefined) return undefined
  const status = o.status
  if (status >= 500) return { kind: '5xx', detail: `${status} ${o.body.slice(0, 300)}` }
  if (r.expectStatus !== undefined && status !== r.expectStatus) return { kind: 'wrong-status', detail: `expected ${r.expectStatus}, got ${status}: ${o.body.slice(0, 200)}` }
  const type = (o.contentType ?? '').toLowerCase()
  const path = r.target.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0]!
  if (!r.authorized && status < 300 && path.startsWith('/v1/') && !path.startsWith('/v1/webhooks/') && type.includes('json')) {
    return { kind: 'auth-bypass', detail: `${status} without a valid key: ${o.body.slice(0, 200)}` }
  }
  if (status < 400) return undefined
  if (isBatchVerdict(r, status, o.body)) return undefined
  // Portal pages answer errors as HTML pages by design (customers see them); problem+json is accepted there too.
  if (r.family === 'portal' && type.startsWith('text/html')) return undefined
  if (!type.startsWith('application/problem+json')) return { kind: 'not-problem-json', detail: `${status} with content-type ${o.contentType ?? '(none)'}: ${o.body.slice(0, 200)}` }
  if (r.method === 'HEAD') return undefined
  let p: Record<string, unknown>
  try {
    p = JSON.parse(o.body) as Record<string, unknown>
  } catch {
    return { kind: 'bad-problem-body', detail: `${status} problem+json that is not JSON: ${o.body.slice(0, 200)}` }
  }
  const missing = ['type', 'title', 'detail'].filter((k) => typeof p?.[k] !== 'string')
  if (missing.length || p.status !== status) return { kind: 'bad-problem-body', detail: `${status} problem without ${[...missing, ...(p?.status !== status ? [`status=${status}`] : [])].join(', ')}: ${o.body.slice(0, 200)}` }
  return undefined
}

/** A batch of events none of which was accepted: the documented per-event answer `{accepted, rejected, results}` (README), not a problem. */
function isBatchVerdict(r: FuzzRequest, status: number, body: string): boolean {
  if (status !== 422 || r.method !== 'POST' || r.target.split('?')[0] !== '/v1/events') return false
  try {
    const b = JSON.parse(body) as { accepted?: unknown; rejected?: unknown; results?: unknown }
    return b.accepted === 0 && typeof b.rejected === 'number' && Array.isArray(b.results)
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// Seed data: what the generator aims at besides random ids.

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>

/** Creates products, workflows, events (so runs, a subscription, a plan), a customer and a webhook endpoint; returns their ids and known-good bodies. */
export async function seedFuzzData(call: ApiCall): Promise<{ ids: Record<string, string[]>; validBodies: Record<string, unknown[]>; run: { id: string; customer: string } }> {
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body)
    if (r.status >= 300) throw new Error(`seeding: ${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  await must('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
  await must('POST', '/v1/products', { id: 'prod_course', name: 'Course' })
  await must('POST', '/v1/workflows', recoveryWorkflow())
  await must('POST', '/v1/workflows', planWorkflow())
  await must('POST', '/v1/events', paymentFailed('evt_seed_failed'))
  await must('POST', '/v1/events', planCanceled('evt_seed_canceled'))
  await must('PUT', '/v1/customers/cus_zed', { email: 'zed@example.com', tags: ['vip'], fields: { plan: 'pro' } })
  const endpoint = await call('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.com/recoup', events: ['run.completed'] })
  const list = async (path: string) => ((await must('GET', path)).data as { id: string }[]).map((x) => x.id)
  const runs = await must('GET', '/v1/runs?workflow_id=wf_pro_recovery')
  const run = (runs.data as { id: string; customer_id: string }[])[0]
  if (!run) throw new Error('seeding: the payment.failed event started no run')
  const ids: Record<string, string[]> = {
    products: ['prod_pro', 'prod_course'],
    workflows: ['wf_pro_recovery', 'wf_course_winback'],
    events: ['evt_seed_failed', 'evt_seed_canceled'],
    customers: await list('/v1/customers'),
    runs: await list('/v1/runs'),
    subscriptions: await list('/v1/subscriptions'),
    'installment-plans': await list('/v1/installment-plans'),
    'workflow-templates': await list('/v1/workflow-templates'),
    'webhook-endpoints': endpoint.status < 300 ? [endpoint.body.id as string] : [],
  }
  const validBodies: Record<string, unknown[]> = {
    'POST /v1/products': [{ name: 'Fuzz product' }, { id: 'prod_fuzz', name: 'Fuzz', description: 'made by the fuzzer' }],
    'PATCH /v1/products/:id': [{ name: 'Renamed' }, { description: null, archived: false }],
    'PUT /v1/customers/:id': [{ email: 'fuzz@example.com', phone: '+15555550123', name: 'Fuzz', tags: ['a'], fields: { plan: 'pro', seats: 3 } }],
    'POST /v1/events': [paymentFailed('evt_fuzz_failed'), planCanceled('evt_fuzz_canceled'), { events: [paymentFailed('evt_fuzz_batch')] }],
    'POST /v1/workflows': [recoveryWorkflow({ id: 'wf_fuzz' }), planWorkflow({ id: 'wf_fuzz_plan' })],
    'PUT /v1/workflows/:id': [recoveryWorkflow(), planWorkflow()],
    'PATCH /v1/workflows/:id': [{ status: 'paused' }, { status: 'active' }],
    'POST /v1/workflows/:id/test': [{ event: paymentFailed('evt_fuzz_test') }],
    'POST /v1/webhook-endpoints': [{ url: 'https://hooks.example.com/fuzz', events: ['*'], description: 'fuzz' }],
    'POST /v1/keys': [{ name: 'fuzz' }],
  }
  return { ids, validBodies, run: { id: run.id, customer: run.customer_id } }
}

/** Signed portal tokens for a run: each purpose, valid for a year, and one already expired. */
export function portalTokens(options: { secret: string; publicUrl: string; run: string; customer: string }): string[] {
  const signer = new LinkSigner({ secret: options.secret, publicUrl: options.publicUrl })
  const exp = Date.now() + 365 * 86_400_000
  const purposes: LinkPurpose[] = ['update_payment', 'offer', 'unsubscribe']
  return [
    ...purposes.map((p) => signer.token({ p, run: options.run, cus: options.customer, exp })),
    signer.token({ p: 'update_payment', run: options.run, cus: options.customer, exp: Date.now() - 1000 }),
  ]
}

// ---------------------------------------------------------------------------------------------
// Running and tallying.

/** Counts by outcome and every finding; `report()` groups findings by kind, strategy and status. */
export class FuzzTally {
  readonly counts: Record<string, number> = {}
  readonly findings: Finding[] = []

  add(r: FuzzRequest, o: Outcome, serverLog?: string): Finding | undefined {
    const cls = o.failure ?? `${Math.floor((o.status ?? 0) / 100)}xx`
    this.counts[cls] = (this.counts[cls] ?? 0) + 1
    const verdict = judge(r, o)
    if (!verdict) return undefined
    // Findings are kept for the report: their answers only need a beginning.
    const finding: Finding = { ...verdict, request: r, outcome: { ...o, body: o.body.slice(0, 2000) }, ...(serverLog ? { serverLog } : {}) }
    this.findings.push(finding)
    return finding
  }

  count(kind: FindingKind): number {
    return this.findings.filter((f) => f.kind === kind).length
  }

  /** Findings grouped by cause (kind, strategy, status, the server's logged error), with the first examples of each. */
  report(examplesPerGroup = 2): string {
    const groups = new Map<string, Finding[]>()
    for (const f of this.findings) {
      const key = `${f.kind} | ${f.outcome.status ?? f.outcome.failure} | ${causeOf(f)}`
      groups.set(key, [...(groups.get(key) ?? []), f])
    }
    const lines: string[] = []
    for (const [key, fs] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      lines.push(`${fs.length} × ${key}`)
      for (const f of fs.slice(0, examplesPerGroup)) {
        lines.push(`    ${describeRequest(f.request, 160)}`)
        lines.push(`      → ${f.detail.slice(0, 300)}`)
        if (f.serverLog) lines.push(`      server: ${f.serverLog.slice(0, 300)}`)
      }
    }
    return lines.join('\n')
  }
}

/**
 * What a finding is most likely caused by, so one bug is one group: the error the server logged;
 * for a wrong content type, the framework's own message with the request's specifics cut out;
 * otherwise the generator strategy.
 */
function causeOf(f: Finding): string {
  if (f.serverLog) return f.serverLog.split('\n')[0]!.slice(0, 160)
  if (f.kind === 'not-problem-json' || f.kind === 'bad-problem-body') {
    let said = f.outcome.body.slice(0, 300)
    try {
      const b = JSON.parse(f.outcome.body) as { code?: string; message?: string; error?: string }
      said = `${b.code ?? b.error ?? ''} ${b.message ?? ''}`
    } catch {
      // not JSON: keep the text
    }
    if (f.request.method === 'HEAD') said = '(HEAD: no body)'
    const where = f.request.family === 'portal' ? 'portal ' : f.request.raw ? 'raw ' : ''
    return `${where}${f.outcome.contentType ?? '(no content-type)'}: ${said.replace(/'[^']*'|"[^"]*"|\d{3,}/g, '…').slice(0, 100)}`
  }
  return f.request.strategy
}

/**
 * Sends requests `from`…`from + count - 1` of `seed`, `concurrency` at a time, calling `after` for
 * each (in the order answers arrive; with concurrency 1 that is strictly one request after another).
 */
export async function runFuzz(options: {
  port: number
  plan: FuzzPlan
  seed: number
  count: number
  from?: number
  concurrency: number
  timeoutMs: number
  before?: (r: FuzzRequest) => void
  after: (r: FuzzRequest, o: Outcome) => Promise<void> | void
}): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const from = options.from ?? 0
  let next = from
  const worker = async () => {
    while (next < from + options.count) {
      const r = fuzzRequest(options.plan, options.seed, next++)
      options.before?.(r)
      await options.after(r, await sendFuzz(options.port, r, { agent, timeoutMs: options.timeoutMs }))
    }
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker))
  } finally {
    agent.destroy()
  }
}
