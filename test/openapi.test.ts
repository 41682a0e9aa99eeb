// The OpenAPI document is generated from the route table (src/http/openapi.ts): every registered
// route, with the doc it declares beside its registration. These tests walk fastify's own table,
// so a route added without a doc, or a doc the generator drops, fails here; the last test shows
// that the checks do fail on such a document.
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiDocument } from '../src/http/openapi.js'
import { documented } from '../src/http/route-doc.js'
import { recordRoutes, routeTable, type RouteRecord } from '../src/http/route-table.js'
import { DIALECTS, testApp } from './helpers/dialects.js'

const [sqlite] = DIALECTS

type Op = {
  operationId?: string
  summary?: string
  security?: Record<string, unknown>[]
  parameters?: { name: string; in: string; required?: boolean }[]
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> }
  responses?: Record<string, unknown>
  'x-recoup-auth'?: string
  'x-undocumented'?: boolean
}
type Doc = {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Op>>
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> }
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])
// POSTs that take no body, by design (a status change, loading demo data).
const BODILESS_POSTS = new Set(['/v1/workflows/:id/activate', '/v1/workflows/:id/pause', '/v1/workflows/:id/archive', '/v1/workflows/:id/unarchive', '/v1/demo'])

/** The document's path for a fastify route: `:id` → `{id}`, a wildcard tail → whatever name the document gave it. */
function docPath(url: string, doc: Doc): string | undefined {
  const templated = url.replace(/:(\w+)/g, '{$1}')
  if (!templated.endsWith('*')) return templated
  const prefix = templated.slice(0, -1)
  return Object.keys(doc.paths).find((p) => p.startsWith(prefix) && /^\{\w+\}$/.test(p.slice(prefix.length)))
}

/** Why the document does not describe these routes (empty: it does). */
function coverageProblems(routes: readonly RouteRecord[], doc: Doc): string[] {
  const out: string[] = []
  for (const r of routes) {
    const key = `${r.method} ${r.url}`
    const path = docPath(r.url, doc)
    const op = path ? doc.paths[path]?.[r.method.toLowerCase()] : undefined
    if (!op) {
      out.push(`${key}: not in the document`)
      continue
    }
    if (!r.doc || op['x-undocumented']) out.push(`${key}: declares no doc beside its registration`)
    if (!op.summary?.trim()) out.push(`${key}: no summary`)
    if (op['x-recoup-auth'] !== r.auth) out.push(`${key}: documented as ${op['x-recoup-auth']}, registered as ${r.auth}`)
    const write = r.method === 'PUT' || r.method === 'PATCH' || (r.method === 'POST' && !BODILESS_POSTS.has(r.url))
    if (write && !op.requestBody) out.push(`${key}: takes a body but documents none`)
  }
  return out
}

/** Why the document is not well-formed OpenAPI 3.1 (empty: it looks well-formed). */
function shapeProblems(doc: Doc): string[] {
  const out: string[] = []
  if (doc.openapi !== '3.1.0') out.push(`openapi is ${doc.openapi}`)
  if (!doc.info?.title || !doc.info?.version) out.push('info needs title and version')
  const ids = new Map<string, string>()
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) out.push(`${path}: must start with /`)
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
    for (const [method, op] of Object.entries(ops)) {
      const at = `${method.toUpperCase()} ${path}`
      if (!METHODS.has(method)) out.push(`${at}: not an HTTP method`)
      if (!op.operationId) out.push(`${at}: no operationId`)
      else if (ids.has(op.operationId)) out.push(`${at}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`)
      else ids.set(op.operationId, at)
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path')
      for (const name of templated) if (!inPath.some((p) => p.name === name && p.required === true)) out.push(`${at}: path parameter ${name} not declared (required)`)
      for (const p of inPath) if (!templated.includes(p.name)) out.push(`${at}: path parameter ${p.name} is not in the path`)
      const statuses = Object.keys(op.responses ?? {})
      if (!statuses.length) out.push(`${at}: no responses`)
      for (const s of statuses) if (!/^([1-5]\d\d|default)$/.test(s)) out.push(`${at}: response key ${s}`)
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement)) if (!(scheme in doc.components.securitySchemes)) out.push(`${at}: unknown security scheme ${scheme}`)
      }
      if (op.requestBody) {
        const content = Object.entries(op.requestBody.content ?? {})
        if (!content.length) out.push(`${at}: requestBody without content`)
        for (const [type, media] of content) {
          const schema = media.schema
          if (!schema || typeof schema !== 'object' || !Object.keys(schema).some((k) => ['type', 'anyOf', 'oneOf', 'allOf', '$ref'].includes(k))) {
            out.push(`${at}: ${type} body has no schema`)
          }
        }
      }
    }
  }
  // Every $ref names something in the document.
  const walk = (node: unknown, root: unknown): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, root))
    if (!node || typeof node !== 'object') return
    const ref = (node as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      // A JSON Schema's own $ref ("#/$defs/…") is relative to that schema, checked where it sits.
      const base = ref.startsWith('#/components/') ? doc : root
      const target = ref.slice(2).split('/').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], base)
      if (target === undefined) out.push(`unresolved $ref ${ref}`)
    }
    for (const [k, v] of Object.entries(node)) walk(v, k === 'schema' ? v : root)
  }
  walk(doc, doc)
  return out
}

describe('OpenAPI: generated from the route table', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  let doc: Doc
  beforeAll(async () => {
    app = await testApp(sqlite!, {
      env: {
        RECOUP_WORKER: 'false',
        // Every optional route registered: the Stripe and Twilio webhooks too.
        RECOUP_STRIPE_WEBHOOK_SECRET: 'whsec_test_secret_for_the_suite',
        RECOUP_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
        RECOUP_TWILIO_AUTH_TOKEN: 'twilio_auth_token_for_tests',
        RECOUP_TWILIO_FROM: '+15555550199',
      },
    })
    const res = await app.http.inject({ url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    doc = res.json()
  })
  afterAll(async () => app.close())

  it('every registered route and method is in the document, with the doc it declares', () => {
    const routes = routeTable(app.http)
    const urls = new Set(routes.map((r) => r.url))
    for (const family of ['/v1/webhooks/stripe', '/v1/webhooks/twilio', '/healthz', '/metrics', '/openapi.json', '/l/:code', '/portal/offer/*', '/v1/analytics/recovery', '/v1/payments', '/v1/installment-plans', '/v1/webhook-endpoints']) {
      expect(urls, family).toContain(family)
    }
    expect(coverageProblems(routes, doc)).toEqual([])
    // And nothing the app does not serve (the dashboard's one summary entry aside).
    const served = new Set(routes.map((r) => `${r.method.toLowerCase()} ${docPath(r.url, doc)}`))
    const extra = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).filter((k) => !served.has(k) && k !== 'get /')
    expect(extra).toEqual([])
  })

  it('is well-formed OpenAPI 3.1: unique operationIds, declared path parameters, known security schemes, a schema for every body', () => {
    expect(shapeProblems(doc)).toEqual([])
    expect(Object.keys(doc.paths).length).toBeGreaterThan(40)
  })

  it('security follows each route\'s auth kind', () => {
    expect(doc.paths['/v1/customers']!.get!.security).toEqual([{ bearer: [] }])
    expect(doc.paths['/healthz']!.get!.security).toEqual([])
    expect(doc.paths['/metrics']!.get!.security).toEqual([{ metricsToken: [] }, { bearer: [] }])
    expect(doc.paths['/v1/webhooks/stripe']!.post!.security).toEqual([{ stripeSignature: [] }])
    expect(doc.paths['/v1/webhooks/twilio']!.post!.security).toEqual([{ twilioSignature: [] }])
    expect(doc.paths['/portal/offer/{token}']!.post!['x-recoup-auth']).toBe('link-token')
  })

  it('body schemas are the ones the handlers validate with: what the document forbids, the API refuses', async () => {
    const product = doc.paths['/v1/products']!.post!.requestBody!.content!['application/json']!.schema as { required?: string[]; additionalProperties?: unknown }
    expect(product.required).toEqual(['name'])
    expect(product.additionalProperties).toBe(false)
    expect((await app.inject('POST', '/v1/products', { id: 'prod_doc' })).status).toBe(422)
    expect((await app.inject('POST', '/v1/products', { name: 'Doc', colour: 'red' })).status).toBe(422)
    const endpoint = doc.paths['/v1/webhook-endpoints']!.post!.requestBody!.content!['application/json']!.schema as { required?: string[] }
    expect(endpoint.required).toEqual(['url', 'events'])
    const markPaid = doc.paths['/v1/runs/{id}/mark-paid']!.post!.requestBody as { required?: boolean }
    expect(markPaid.required).toBe(false)
    const runs = doc.paths['/v1/runs']!.get!.parameters!.map((p) => p.name)
    expect(runs).toEqual(expect.arrayContaining(['status', 'outcome', 'workflow_id', 'limit', 'cursor']))
  })

  it('the checks fail on a route without a doc, and on a document that leaves a route out', async () => {
    const routes = routeTable(app.http)
    const target = routes.find((r) => r.method === 'GET' && r.url === '/v1/payments')!
    const undocumented = routes.map((r) => (r === target ? { method: r.method, url: r.url, auth: r.auth } : r))
    const regenerated = openApiDocument({ version: 'x', routes: undocumented }) as Doc
    expect(coverageProblems(undocumented, regenerated)).toEqual(['GET /v1/payments: declares no doc beside its registration'])

    const missing = structuredClone(doc)
    delete missing.paths['/v1/analytics/recovery']!.get
    expect(coverageProblems(routes, missing)).toContain('GET /v1/analytics/recovery: not in the document')

    const bodyless = structuredClone(doc)
    delete bodyless.paths['/v1/products/{id}']!.patch!.requestBody
    expect(coverageProblems(routes, bodyless)).toContain('PATCH /v1/products/:id: takes a body but documents none')
    const schemaless = structuredClone(doc)
    delete schemaless.paths['/v1/customers/{id}']!.put!.requestBody!.content!['application/json']!.schema
    expect(shapeProblems(schemaless)).toContain('PUT /v1/customers/{id}: application/json body has no schema')

    // A route registered the ordinary way, with no doc beside it, is caught from fastify's own table.
    const bare = Fastify()
    recordRoutes(bare)
    bare.get('/v1/documented', documented({ summary: 'Has one' }), async () => ({}))
    bare.post('/v1/forgotten', async () => ({}))
    await bare.ready()
    const bareRoutes = routeTable(bare)
    expect(coverageProblems(bareRoutes, openApiDocument({ version: 'x', routes: bareRoutes }) as Doc)).toEqual([
      'POST /v1/forgotten: declares no doc beside its registration',
      'POST /v1/forgotten: takes a body but documents none',
    ])
    await bare.close()
  })
})
