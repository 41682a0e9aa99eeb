import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { createApiKey, listApiKeys } from '../store/repos/api-keys.js'
import { pingDatabase } from '../store/repos/settings.js'
import { KeyChecker } from './auth.js'
import type { HttpDeps } from './deps.js'
import { openApiDocument } from './openapi.js'
import { documented } from './route-doc.js'
import { recordRoutes, routeTable } from './route-table.js'
import { clientErrorHandler, errorHandler, problem, sendProblem } from './problem.js'
import { guardRequestInput } from './request-guard.js'
import { catalogRoutes } from './routes/products-customers.js'
import { endpointRoutes } from './routes/webhook-endpoints.js'
import { eventRoutes } from './routes/events.js'
import { analyticsRoutes, runRoutes } from './routes/runs.js'
import { workflowRoutes } from './routes/workflows.js'
import { serveWeb } from './static.js'
import { templateRoutes } from './routes/workflow-templates.js'
import { workflowCatalogRoutes } from './routes/catalog.js'
import { parseBody } from './validate.js'
import { z } from 'zod'
import { RecoupError } from '../domain/errors.js'
import { MAX_ENCODED_ID_LENGTH } from '../domain/ids.js'

export interface HttpOptions {
  readonly deps: HttpDeps
  readonly logger: Logger
  readonly bodyLimit: number
  readonly adminKey?: string
  /** RECOUP_METRICS_TOKEN: may read /metrics besides API keys. */
  readonly metricsToken?: string
  readonly version: string
}

export { routeTable, type RouteRecord } from './route-table.js'

/** POST /v1/keys: the key's name. */
const keyInput = z.strictObject({ name: z.string().min(1).max(100).default('api') })

/** Builds the HTTP app: auth, routes, problem+json errors. It does not listen. */
export function buildHttp(options: HttpOptions): FastifyInstance {
  const { deps: d } = options
  // Per-request info logs would drown everything else at thousands of events per second.
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger.child({}, { level: options.logger.level === 'silent' ? 'silent' : 'warn' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    return503OnClosing: true,
    // Ids are up to 255 characters (domain/ids.ts), and a percent-encoded one can be nine times longer.
    routerOptions: { maxParamLength: MAX_ENCODED_ID_LENGTH },
    // The router's own refusals (bad percent-encoding, a parameter too long) and the socket's
    // (headers too large, a malformed request line) are problem+json like everything else.
    // The router ignores what this returns. errorHandler returns the reply, which is a thenable
    // (it settles when the response is written): nothing waits on it here, so it is dropped.
    frameworkErrors: (err, req, reply) => {
      errorHandler(err, req, reply)
    },
    clientErrorHandler,
    // Node answers a request without Host with a bare 400 of its own; a hook answers it instead.
    http: { requireHostHeader: false },
  })
  recordRoutes(app)
  const keys = new KeyChecker({ db: d.db, adminKey: options.adminKey, metricsToken: options.metricsToken })
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && d.webRoot && !req.url.startsWith('/v1/')) {
      const served = serveWeb(d.webRoot, req.url, reply)
      if (served) return served
    }
    return sendProblem(reply, problem(404, 'route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`))
  })
  // Decided from the route that matched (its config), never from the URL's text: the router
  // decodes percent-escapes and accepts absolute-form targets, so the text can disguise a route.
  app.addHook('onRequest', async (req) => {
    if (req.headers.host === undefined) throw new RecoupError('missing_host', 'An HTTP/1.1 request needs a Host header.')
    await keys.authorize(req)
  })
  app.addHook('preValidation', async (req) => guardRequestInput(req))

  app.get('/healthz', documented({ summary: 'Health: 200 when the database answers, 503 when it does not', auth: 'public' }), async (_req, reply) => {
    try {
      await pingDatabase(d.db)
      return { status: 'ok', database: d.store.dialect }
    } catch {
      return sendProblem(reply, problem(503, 'database_unavailable', 'The database does not answer'))
    }
  })
  app.get('/metrics', documented({ summary: 'Prometheus metrics', auth: 'metrics-token', produces: 'text' }), async (_req, reply) => reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics()))
  // Built once, on the first request: by then every route is registered (fastify refuses new ones after ready).
  let openApi: Record<string, unknown> | undefined
  app.get('/openapi.json', documented({ summary: 'This document: every route, generated from the route table', auth: 'public' }), async () =>
    (openApi ??= openApiDocument({ version: options.version, routes: routeTable(app), dashboard: d.webRoot !== undefined })),
  )

  app.post('/v1/keys', documented({ summary: 'Create an API key (the key is shown once)', body: keyInput, bodyOptional: true, ok: 201 }), async (req, reply) => {
    const { name } = parseBody(keyInput, req.body ?? {})
    return reply.code(201).send(await createApiKey(d.db, name))
  })
  app.get('/v1/keys', documented({ summary: 'List API keys (without the keys)' }), async () => ({ data: await listApiKeys(d.db), next_cursor: null }))
  if (d.loadDemo) {
    const load = d.loadDemo
    app.post('/v1/demo', documented({ summary: 'Load demo data (products, customers, workflows, events)', ok: 201 }), async (_req, reply) => reply.code(201).send(await load()))
  }

  catalogRoutes(app, d)
  eventRoutes(app, d)
  workflowRoutes(app, d)
  templateRoutes(app, d)
  workflowCatalogRoutes(app, d)
  runRoutes(app, d)
  analyticsRoutes(app, d)
  endpointRoutes(app, d)
  return app
}
