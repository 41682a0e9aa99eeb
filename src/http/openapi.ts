import { z } from 'zod'
import type { RouteAuth } from './auth.js'
import type { RouteDoc } from './route-doc.js'
import type { RouteRecord } from './route-table.js'

// The OpenAPI 3.1 document, generated from the route table: every registered route with the doc
// it declares beside its registration (route-doc.ts). Request schemas are the handlers' own zod
// schemas, as JSON Schema of what a client sends (`io: 'input'`).

type Json = Record<string, unknown>

/** Fastify's path to OpenAPI's: `:id` → `{id}`, a wildcard tail `*` → `{<wildcard>}`. */
export function openApiPath(url: string, wildcard = 'path'): string {
  return url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, `{${wildcard}}`)
}

function jsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json
}

/** `post` + `/v1/runs/{id}/skip-step` → `postV1RunsIdSkipStep`: unique because method and path are. */
function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
}

const SIGNATURE_SCHEMES: Record<string, string> = { 'Stripe-Signature': 'stripeSignature', 'X-Twilio-Signature': 'twilioSignature' }

function security(auth: RouteAuth, doc: RouteDoc | undefined): Json[] {
  switch (auth) {
    case 'api-key':
      return [{ bearer: [] }]
    case 'metrics-token':
      return [{ metricsToken: [] }, { bearer: [] }]
    case 'signature':
      return doc?.signatureHeader ? [{ [SIGNATURE_SCHEMES[doc.signatureHeader] ?? 'signature']: [] }] : []
    case 'public':
    case 'link-token':
      return []
  }
}

const CONTENT: Record<NonNullable<RouteDoc['produces']>, string | undefined> = {
  json: 'application/json', html: 'text/html', text: 'text/plain', xml: 'text/xml', none: undefined,
}

function responses(doc: RouteDoc, auth: RouteAuth): Json {
  const type = CONTENT[doc.produces ?? 'json']
  const ok = doc.ok ?? 200
  const success = (description: string, status: number) => ({ description, ...(type && status !== 204 ? { content: { [type]: {} } } : {}) })
  const errors =
    // Customer-facing pages (the portal, short links) explain errors in a page, never JSON.
    doc.produces === 'html' || auth === 'link-token'
      ? { description: 'An HTML page explaining what went wrong', content: { 'text/html': {} } }
      : { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
  return {
    [String(ok)]: success(ok === 303 ? 'Redirect (Location)' : 'OK', ok),
    ...Object.fromEntries(Object.entries(doc.also ?? {}).map(([status, why]) => [status, success(why, Number(status))])),
    ...(auth === 'api-key' || auth === 'metrics-token' ? { 401: errors } : {}),
    default: errors,
  }
}

function parameters(path: string, doc: RouteDoc, wildcard: string): Json[] {
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: doc.params?.[name === wildcard ? '*' : name!] ?? '',
  }))
  if (!doc.query) return inPath
  const q = jsonSchema(doc.query) as { properties?: Record<string, Json>; required?: string[] }
  const inQuery = Object.entries(q.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: q.required?.includes(name) ?? false,
    schema,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  }))
  return [...inPath, ...inQuery]
}

function operation(route: RouteRecord, path: string, wildcard: string): Json {
  const doc: RouteDoc = route.doc ?? { summary: `Undocumented: ${route.method} ${route.url}` }
  const body = doc.body
    ? {
        requestBody: {
          required: !doc.bodyOptional,
          content: { [doc.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: jsonSchema(doc.body) } },
        },
      }
    : {}
  const parts = path.split('/')
  return {
    operationId: operationId(route.method, path),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [parts[1] === 'v1' ? parts[2]! : parts[1] || 'ops'],
    security: security(route.auth, route.doc),
    'x-recoup-auth': route.auth,
    ...(route.doc ? {} : { 'x-undocumented': true }),
    ...(parameters(path, doc, wildcard).length ? { parameters: parameters(path, doc, wildcard) } : {}),
    ...body,
    responses: responses(doc, route.auth),
  }
}

/** What `/openapi.json` is built from. */
export interface OpenApiInput {
  readonly version: string
  /** The app's route table (route-table.ts). */
  readonly routes: readonly RouteRecord[]
  /** Whether the built dashboard is served (GET of any other path). */
  readonly dashboard?: boolean
}

/** The OpenAPI 3.1 document of every registered route. An undocumented route still appears, marked `x-undocumented`. */
export function openApiDocument(input: OpenApiInput): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const route of input.routes) {
    const wildcard = route.doc?.wildcardName ?? 'path'
    const path = openApiPath(route.url, wildcard)
    ;(paths[path] ??= {})[route.method.toLowerCase()] = operation(route, path, wildcard)
  }
  if (input.dashboard) {
    paths['/'] ??= {
      get: {
        operationId: 'getDashboard',
        summary: 'The dashboard: any GET outside /v1/ that names no route serves its static files (or index.html, for client-side routes)',
        tags: ['dashboard'],
        security: [],
        'x-recoup-auth': 'public',
        responses: { 200: { description: 'A dashboard file', content: { 'text/html': {} } } },
      },
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Recoup API', version: input.version },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (POST /v1/keys) or the admin key (RECOUP_API_KEY)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'RECOUP_METRICS_TOKEN (an API key works too)' },
        stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: "Stripe's signature over the raw body, with the endpoint's signing secret" },
        twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: "Twilio's signature over the URL and form parameters, with the account's auth token" },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  }
}
