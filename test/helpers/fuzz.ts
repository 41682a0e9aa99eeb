// The API fuzzer's request generator. Given the app's OpenAPI document, fastify's route table and
// a few ids that exist, `fuzzRequest(plan, seed, i)` builds request number i of a seed's sequence:
// always the same request for the same (seed, i), so any finding is reproduced from two numbers.
// Requests are hostile on purpose: wrong types, missing and extra fields, 100 KB strings, 5,000
// levels of nesting, bad percent-encodings, long path parameters, lone surrogates, prototype keys,
// odd content types, huge headers, methods a route does not have, and malformed HTTP on a raw socket.
// The values themselves are fuzz-values.ts; sending and judging the answers is fuzz-harness.ts.
import fc from 'fast-check'
import {
  BAD_PERCENT, ODD_CONTENT_TYPES, ODD_SEGMENTS, brokenBody, chance, deepText, exampleOf, fillPath, formGarbage, int, multipartGarbage, mutate, ownForm, pick, queryString,
  type Draw,
} from './fuzz-values.js'

/** Which kind of answer a path owes: problem+json (api, webhook, ops), HTML pages (portal), the dashboard (web). */
export type Family = 'api' | 'portal' | 'webhook' | 'ops' | 'web'

/** A JSON Schema node as zod's toJSONSchema writes it (only the keywords the generator reads). */
export interface JsonSchema {
  readonly type?: string | readonly string[]
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly required?: readonly string[]
  readonly items?: JsonSchema
  readonly anyOf?: readonly JsonSchema[]
  readonly oneOf?: readonly JsonSchema[]
  readonly allOf?: readonly JsonSchema[]
  readonly enum?: readonly unknown[]
  readonly const?: unknown
  readonly default?: unknown
  readonly format?: string
  readonly pattern?: string
  readonly minLength?: number
  readonly minItems?: number
  readonly minimum?: number
  readonly $ref?: string
  readonly $defs?: Readonly<Record<string, JsonSchema>>
}

/** One route: a method and fastify's path (`/v1/products/:id`, `/portal/offer/*`), with its body schema if the OpenAPI document has one. */
export interface FuzzRoute {
  readonly method: string
  readonly path: string
  readonly body?: { readonly schema: JsonSchema; readonly root: JsonSchema }
}

/** Everything the generator draws from; built once by `fuzzPlan`. */
export interface FuzzPlan {
  readonly routes: readonly FuzzRoute[]
  readonly apiKey: string
  /** Ids that exist, by the collection segment after /v1/ (`products`, `runs`, …). */
  readonly ids: Readonly<Record<string, readonly string[]>>
  /** Valid signed portal tokens (any purpose). */
  readonly portalTokens: readonly string[]
  /** Known-good bodies by `METHOD /path` (fastify form), mutated once before sending. */
  readonly validBodies: Readonly<Record<string, readonly unknown[]>>
}

/** One generated request. `raw` requests are written byte for byte on a socket; the others go through node:http. */
export interface FuzzRequest {
  readonly index: number
  /** The generator strategy that made it (findings are grouped by it). */
  readonly strategy: string
  /** The route aimed at, `METHOD /path` in fastify's form, or `raw`. */
  readonly route: string
  readonly method: string
  /** The request-target exactly as sent. */
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Buffer
  readonly raw?: Buffer
  readonly family: Family
  /** Whether it carries the valid admin key. */
  readonly authorized: boolean
  /** The one status the answer must have, when the contract is that precise (unsigned Stripe deliveries: 400). */
  readonly expectStatus?: number
}

// ---------------------------------------------------------------------------------------------
// The plan: routes from fastify's tree, bodies from the OpenAPI document.

/**
 * Routes from `fastify.printRoutes()` (its default, common-prefix form: the radix tree, one node a
 * line, children indented by four characters; a node's path is its ancestors' text plus its own).
 * The `commonPrefix: false` form is not used: it drops wildcard routes below a shared prefix.
 */
export function routesFromTree(tree: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const at = line.search(/[├└]── /)
    if (at < 0) continue
    const depth = at / 4
    const m = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 4))!
    stack.length = depth
    stack.push(m[1]!)
    if (!m[2]) continue
    const path = stack.join('')
    for (const method of m[2].split(', ')) out.push({ method, path })
  }
  return out
}

/** The generator's plan from the app's own descriptions of itself. */
export function fuzzPlan(options: {
  openapi: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>> }
  routeTree: string
  apiKey: string
  ids: FuzzPlan['ids']
  portalTokens: readonly string[]
  validBodies: FuzzPlan['validBodies']
}): FuzzPlan {
  const seen = new Map<string, FuzzRoute>()
  const add = (method: string, path: string) => {
    const key = `${method} ${path}`
    if (seen.has(key)) return
    const op = options.openapi.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]
    const schema = op?.requestBody?.content?.['application/json']?.schema
    seen.set(key, { method, path, ...(schema ? { body: { schema, root: schema } } : {}) })
  }
  for (const r of routesFromTree(options.routeTree)) add(r.method, r.path)
  // A documented route fastify lacks is still fuzzed: it should answer 404, not crash.
  for (const [path, ops] of Object.entries(options.openapi.paths)) for (const method of Object.keys(ops)) add(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1'))
  return { routes: [...seen.values()], apiKey: options.apiKey, ids: options.ids, portalTokens: options.portalTokens, validBodies: options.validBodies }
}

/** Request number `index` of `seed`'s sequence (deterministic). */
export function fuzzRequest(plan: FuzzPlan, seed: number, index: number): FuzzRequest {
  const [make] = fc.sample(fc.gen(), { seed: mixSeed(seed, index), numRuns: 1 })
  // Unbiased: fast-check leans towards small and boundary values by default, which would favour
  // the first item of every list and make every `chance` come true far too often.
  const draw: Draw = (arb) => make!(() => fc.noBias(arb))
  return { index, ...generate(plan, draw) }
}

/** A short, printable account of a request: enough to replay it by hand. */
export function describeRequest(r: FuzzRequest, max = 300): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s)
  if (r.raw) return `#${r.index} [${r.strategy}] raw socket: ${JSON.stringify(cut(r.raw.toString('latin1')))}`
  const headers = Object.entries(r.headers)
    .filter(([k]) => k !== 'authorization')
    .map(([k, v]) => `${k}: ${cut(v)}`)
  const auth = r.authorized ? 'admin key' : r.headers.authorization ? `authorization: ${cut(r.headers.authorization)}` : 'no key'
  const body = r.body ? ` body(${r.body.length} B): ${JSON.stringify(cut(r.body.toString('utf8')))}` : ''
  return `#${r.index} [${r.strategy}] ${r.method} ${cut(r.target)} (${auth}${headers.length ? `; ${headers.join('; ')}` : ''})${body}`
}

/** The family a path belongs to (decides which error format it owes). Customer-facing pages (the portal, short links `/l/…`) are HTML. */
export function familyOf(target: string): Family {
  const path = target.split('?')[0]!
  if (path.startsWith('/portal/') || path === '/portal' || path.startsWith('/l/')) return 'portal'
  if (path.startsWith('/v1/webhooks/')) return 'webhook'
  if (path.startsWith('/v1/') || path === '/v1') return 'api'
  if (path === '/healthz' || path === '/metrics' || path === '/openapi.json') return 'ops'
  return 'web'
}

function mixSeed(seed: number, index: number): number {
  // splitmix32-style mixing so neighbouring indexes get unrelated streams.
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) | 0
}

// ---------------------------------------------------------------------------------------------
// Strategies.

interface Draft {
  strategy: string
  route: FuzzRoute | undefined
  method: string
  target: string
  headers: Record<string, string>
  body?: Buffer
  raw?: Buffer
  authorized: boolean
  expectStatus?: number
}

function baseDraft(draw: Draw, plan: FuzzPlan, strategy: string, route: FuzzRoute): Draft {
  return { strategy, route, method: route.method, target: fillPath(draw, plan, route), headers: {}, authorized: false }
}

function bodyFor(draw: Draw, plan: FuzzPlan, route: FuzzRoute): unknown {
  const known = plan.validBodies[`${route.method} ${route.path}`]
  if (known?.length && chance(draw, 0.6)) return structuredClone(pick(draw, known))
  if (route.body) return exampleOf(draw, route.body.schema, route.body.root)
  return pick(draw, [{}, { name: 'x' }, { event: {} }, { status: 'active' }, { events: [] }])
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function generate(plan: FuzzPlan, draw: Draw): Omit<FuzzRequest, 'index'> {
  const kind = draw(
    fc.oneof(
      { weight: 30, arbitrary: fc.constant('mutated-body' as const) },
      { weight: 8, arbitrary: fc.constant('broken-body' as const) },
      { weight: 8, arbitrary: fc.constant('odd-content-type' as const) },
      { weight: 16, arbitrary: fc.constant('path-and-query' as const) },
      { weight: 6, arbitrary: fc.constant('wrong-method' as const) },
      { weight: 4, arbitrary: fc.constant('huge-headers' as const) },
      { weight: 8, arbitrary: fc.constant('portal' as const) },
      { weight: 6, arbitrary: fc.constant('webhook' as const) },
      { weight: 6, arbitrary: fc.constant('raw-http' as const) },
    ),
  )
  const bodyRoutes = plan.routes.filter((r) => BODY_METHODS.has(r.method))
  let d: Draft
  switch (kind) {
    case 'mutated-body': {
      const route = pick(draw, bodyRoutes)
      d = baseDraft(draw, plan, kind, route)
      const m = mutate(draw, bodyFor(draw, plan, route))
      d.strategy = `mutated-body: ${m.what.replace(/ at .*| in .*| ".*/, '')}`
      d.body = Buffer.from(m.text)
      d.headers['content-type'] = 'application/json'
      break
    }
    case 'broken-body': {
      const route = pick(draw, bodyRoutes)
      d = baseDraft(draw, plan, kind, route)
      const b = brokenBody(draw)
      d.body = b.body
      d.headers['content-type'] = pick(draw, ['application/json', 'application/json', 'application/json; charset=utf-8'])
      d.strategy = `broken-body`
      break
    }
    case 'odd-content-type': {
      const route = pick(draw, bodyRoutes)
      d = baseDraft(draw, plan, kind, route)
      const type = chance(draw, 0.15) ? undefined : pick(draw, ODD_CONTENT_TYPES)
      if (type) d.headers['content-type'] = type
      d.body = type?.startsWith('multipart/') ? multipartGarbage(draw) : type === 'application/x-www-form-urlencoded' ? Buffer.from(formGarbage(draw)) : Buffer.from(JSON.stringify(bodyFor(draw, plan, route)))
      d.strategy = `odd-content-type: ${type ?? '(none)'}`.slice(0, 60)
      break
    }
    case 'path-and-query': {
      const reads = plan.routes.filter((r) => r.method === 'GET' || r.method === 'HEAD')
      const route = chance(draw, 0.7) && reads.length ? pick(draw, reads) : pick(draw, plan.routes)
      d = baseDraft(draw, plan, kind, route)
      if (chance(draw, 0.5)) d.target += queryString(draw, plan)
      if (chance(draw, 0.3)) d.target = d.target.replace(/\/[^/?]*/, (seg) => seg + pick(draw, ['/', '//', `/${pick(draw, BAD_PERCENT)}`, `/${pick(draw, ODD_SEGMENTS)}`]))
      if (BODY_METHODS.has(route.method)) {
        d.body = Buffer.from(JSON.stringify(bodyFor(draw, plan, route)))
        d.headers['content-type'] = 'application/json'
      }
      break
    }
    case 'wrong-method': {
      const route = pick(draw, plan.routes)
      d = baseDraft(draw, plan, kind, route)
      const has = new Set(plan.routes.filter((r) => r.path === route.path).map((r) => r.method))
      const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'PURGE'].filter((m) => !has.has(m))
      d.method = pick(draw, others)
      if (chance(draw, 0.5) && d.method !== 'TRACE') {
        d.body = Buffer.from(JSON.stringify(bodyFor(draw, plan, route)))
        d.headers['content-type'] = 'application/json'
      }
      break
    }
    case 'huge-headers': {
      const route = pick(draw, plan.routes)
      d = baseDraft(draw, plan, kind, route)
      // Node's default maxHeaderSize is 16 KiB for the whole head; stay a little under it.
      const room = 15_000 - d.target.length
      const header = pick(draw, ['x-padding', 'cookie', 'accept', 'user-agent', 'x-forwarded-for', 'authorization', 'content-type', 'stripe-signature', 'x-twilio-signature'])
      d.headers[header] = header === 'x-forwarded-for' ? Array.from({ length: Math.floor(room / 16) }, (_, i) => `10.0.${i % 256}.${i % 250}`).join(', ').slice(0, room) : 'a'.repeat(room)
      if (BODY_METHODS.has(route.method)) {
        d.body = Buffer.from(JSON.stringify(bodyFor(draw, plan, route)))
        d.headers['content-type'] ??= 'application/json'
      }
      d.strategy = `huge-headers: ${header}`
      break
    }
    case 'portal':
      d = portalDraft(draw, plan)
      break
    case 'webhook':
      d = webhookDraft(draw, plan)
      break
    case 'raw-http':
      d = rawDraft(draw, plan)
      break
  }
  // Authorization: the admin key on most requests, none or a bad one on the rest.
  if (d.headers.authorization === undefined && !d.raw) {
    const auth = draw(fc.nat(19))
    if (auth < 16) {
      d.headers.authorization = `Bearer ${plan.apiKey}`
      d.authorized = true
    } else if (auth > 16) {
      d.headers.authorization = pick(draw, ['Bearer', 'Bearer ', 'Bearer wrong_key_0123456789', `Basic ${Buffer.from(`${plan.apiKey}:`).toString('base64')}`, `bearer  ${plan.apiKey}x`, `Bearer ${plan.apiKey} ${plan.apiKey}`, `Bearer ${'k'.repeat(8000)}`, `Bearer ${plan.apiKey.slice(0, -1)}`])
    }
  }
  if (d.body && !d.headers['content-length'] && !d.raw) d.headers['content-length'] = String(d.body.length)
  if (!d.raw) clampHead(d)
  const route = d.route ? `${d.route.method} ${d.route.path}` : 'raw'
  return {
    strategy: d.strategy,
    route,
    method: d.method,
    target: d.target,
    headers: d.headers,
    ...(d.body ? { body: d.body } : {}),
    ...(d.raw ? { raw: d.raw } : {}),
    family: familyOf(d.target),
    authorized: d.authorized,
    ...(d.expectStatus !== undefined ? { expectStatus: d.expectStatus } : {}),
  }
}

/**
 * Keeps a node:http request's head under node's 16 KiB limit by shortening the target's tail (or
 * the longest header). Heads over the limit are raw-socket templates: node's HTTP client cannot
 * read the server's 431 to a HEAD request that never got parsed (the answer has a body).
 */
function clampHead(d: Draft): void {
  const LIMIT = 15_500
  const size = () => d.target.length + Object.entries(d.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0)
  let over = size() - LIMIT
  if (over <= 0) return
  const cut = Math.min(over, Math.max(0, d.target.length - 200))
  d.target = d.target.slice(0, d.target.length - cut)
  over -= cut
  if (over <= 0) return
  const [name, value] = Object.entries(d.headers).sort((a, b) => b[1].length - a[1].length)[0]!
  d.headers[name] = value.slice(0, Math.max(0, value.length - over))
}

function portalDraft(draw: Draw, plan: FuzzPlan): Draft {
  const portal = plan.routes.filter((r) => familyOf(r.path) === 'portal')
  const route = portal.length ? pick(draw, portal) : { method: 'GET', path: '/portal/offer/*' }
  const d = baseDraft(draw, plan, 'portal', route)
  if (route.method === 'POST' || chance(draw, 0.1)) {
    const kind = pick(draw, ['own-form', 'own-form', 'form', 'form', 'multipart', 'json', 'none', 'text'] as const)
    d.strategy = `portal: ${route.method} ${kind}`
    if (kind === 'form' || kind === 'own-form') d.headers['content-type'] = 'application/x-www-form-urlencoded'
    if (kind === 'multipart') d.headers['content-type'] = pick(draw, ['multipart/form-data; boundary=xyz', 'multipart/form-data', 'multipart/form-data; boundary=' + 'b'.repeat(200)])
    if (kind === 'json') d.headers['content-type'] = 'application/json'
    if (kind === 'text') d.headers['content-type'] = 'text/plain'
    const form = kind === 'own-form' ? ownForm(draw, route.path.split('/')[2] ?? '', ['give-it-time', 'offer', 'tell-customer']) : undefined
    d.body = form !== undefined ? Buffer.from(form) : kind === 'multipart' ? multipartGarbage(draw) : kind === 'json' ? Buffer.from(pick(draw, ['{"action":"retry"}', deepText(draw), '{"__proto__":{"polluted":"yes"}}'])) : kind === 'none' ? undefined : Buffer.from(formGarbage(draw))
    if (chance(draw, 0.2)) d.headers['sec-fetch-site'] = pick(draw, ['cross-site', 'same-origin', 'none', '\u00ff'])
  } else {
    d.strategy = `portal: ${route.method}`
  }
  return d
}

function stripeEvent(draw: Draw): string {
  const type = pick(draw, ['invoice.payment_failed', 'invoice.paid', 'customer.subscription.updated', 'charge.failed', 'unknown.type'])
  return JSON.stringify({ id: `evt_${int(draw, 1, 1e6)}`, object: 'event', type, created: 1_790_000_000, data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_1', amount_due: 4900, currency: 'usd', subscription: 'sub_1' } } })
}

function webhookDraft(draw: Draw, plan: FuzzPlan): Draft {
  const stripe = { method: 'POST', path: '/v1/webhooks/stripe' }
  const twilio = { method: 'POST', path: '/v1/webhooks/twilio' }
  const route = plan.routes.find((r) => r.path === (chance(draw, 0.7) ? stripe.path : twilio.path)) ?? stripe
  const d = baseDraft(draw, plan, 'webhook', route)
  if (route.path === stripe.path) {
    const signature = pick(draw, [undefined, '', 't=1,v1=abc', `t=1790000000,v1=${'0'.repeat(64)}`, 'garbage', 't=,v1=', 'v1=' + 'f'.repeat(5000), 't=99999999999999999999,v1=00', '\u00ff'])
    if (signature !== undefined) d.headers['stripe-signature'] = signature
    const contentType = pick(draw, ['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', undefined])
    if (contentType) d.headers['content-type'] = contentType
    const body = pick(draw, ['event', 'event', 'mutated', 'broken'] as const)
    d.body = body === 'event' ? Buffer.from(stripeEvent(draw)) : body === 'mutated' ? Buffer.from(mutate(draw, JSON.parse(stripeEvent(draw))).text) : brokenBody(draw).body
    d.strategy = `webhook: stripe unsigned (${signature === undefined ? 'no header' : 'bad header'}, ${contentType ?? 'no type'})`
    // Nothing here is signed with the endpoint's secret: the contract is a 400 for every JSON delivery.
    if (contentType?.startsWith('application/json') && !/[?#]/.test(d.target)) d.expectStatus = 400
  } else {
    d.headers['content-type'] = pick(draw, ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'application/json', 'text/plain'])
    if (chance(draw, 0.7)) d.headers['x-twilio-signature'] = pick(draw, ['', 'abc', 'a'.repeat(28), '\u00ff'.repeat(28)])
    d.body = Buffer.from(formGarbage(draw))
    d.strategy = 'webhook: twilio unsigned'
  }
  return d
}

function rawDraft(draw: Draw, plan: FuzzPlan): Draft {
  const key = `Authorization: Bearer ${plan.apiKey}\r\n`
  const json = '{"name":"x"}'
  const templates: [string, string][] = [
    ['absolute-form', `GET http://evil.example/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['absolute-form', `GET http://127.0.0.1/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['absolute-form', `POST https://127.0.0.1/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`],
    ['asterisk-form', `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['asterisk-form', `GET * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['authority-form', `CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['no host', `GET /v1/products HTTP/1.1\r\n${key}Connection: close\r\n\r\n`],
    ['http/1.0', `GET /v1/products HTTP/1.0\r\n${key}\r\n`],
    ['bad version', `GET /v1/products HTTP/9.9\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['bad version', `GET /v1/products HTTP/1.1x\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['double space', `GET  /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['space in target', `GET /v1/pro ducts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['control char in target', `GET /v1/products/\x01 HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['DEL in target', `GET /v1/products/a\x7f HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['raw utf-8 in target', `GET /v1/products/\xc3\xa9 HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['raw surrogate bytes in target', `GET /v1/customers/\xed\xa0\x80 HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['raw 0xff in target', `GET /\xff HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['unknown method', `FOO /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['lowercase method', `get /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['duplicate content-length', `POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 13\r\nConnection: close\r\n\r\n${json}`],
    ['content-length and chunked', `POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nc\r\n${json}\r\n0\r\n\r\n`],
    ['bad chunk size', `POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n${json}\r\n0\r\n\r\n`],
    ['unknown transfer-encoding', `POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n${json}`],
    ['negative content-length', `POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n${json}`],
    ['header without colon', `GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\nConnection: close\r\n\r\n`],
    ['space before colon', `GET /v1/products HTTP/1.1\r\nHost : 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['obs-fold', `GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n  folded\r\nConnection: close\r\n\r\n`],
    ['bare LF', `GET /v1/products HTTP/1.1\nHost: 127.0.0.1\n${key.replace('\r', '')}Connection: close\n\n`],
    ['NUL in header', `GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x00b\r\nConnection: close\r\n\r\n`],
    ['chunked body, bad JSON', `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\n{"a\r\n0\r\n\r\n`],
    ['dot segments', `GET /v1/products/../keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['dot segments', `GET /portal/../v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['encoded slash', `GET /v1%2Fkeys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['double slash', `GET //v1//keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['case', `GET /V1/KEYS HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['webhook prefix', `GET /v1/webhooks/../keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['fragment', `GET /v1/keys#x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
    ['long request line', `GET /v1/products?${'a=1&'.repeat(3500)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['head over 16 KiB', `GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}X-Padding: ${'a'.repeat(17_000)}\r\nConnection: close\r\n\r\n`],
    ['target over 16 KiB', `GET /v1/products/${'a'.repeat(17_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}Connection: close\r\n\r\n`],
    ['too many headers', `GET /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n${key}${Array.from({ length: 1500 }, (_, i) => `X-${i}: ${i}\r\n`).join('')}Connection: close\r\n\r\n`],
  ]
  const [name, text] = pick(draw, templates)
  const target = text.split(/\r?\n/)[0]!.split(' ')[1] ?? ''
  return { strategy: `raw-http: ${name}`, route: undefined, method: text.split(' ')[0]!, target, headers: {}, raw: Buffer.from(text, 'latin1'), authorized: text.includes(key) || text.includes(key.replace('\r', '')) }
}
