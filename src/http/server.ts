import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { createApiKey, listApiKeys } from '../store/api-keys.js'
import { KeyChecker } from './auth.js'
import type { HttpDeps } from './deps.js'
import { openApiDocument } from './openapi.js'
import { errorHandler, problem, sendProblem } from './problem.js'
import { catalogRoutes } from './routes-catalog.js'
import { endpointRoutes } from './routes-endpoints.js'
import { eventRoutes } from './routes-events.js'
import { analyticsRoutes, runRoutes } from './routes-runs.js'
import { workflowRoutes } from './routes-workflows.js'
import { serveWeb } from './static.js'
import { templateRoutes } from './routes-templates.js'
import { parseBody } from './validate.js'
import { z } from 'zod'

export interface HttpOptions {
  readonly deps: HttpDeps
  readonly logger: Logger
  readonly bodyLimit: number
  readonly adminKey?: string
  readonly version: string
}

/** Builds the HTTP app: auth, routes, problem+json errors. It does not listen. */
export function buildHttp(options: HttpOptions): FastifyInstance {
  const { deps: d } = options
  // Per-request info logs would drown everything else at thousands of events per second.
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger.child({}, { level: options.logger.level === 'silent' ? 'silent' : 'warn' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    return503OnClosing: true,
  })
  const keys = new KeyChecker({ db: d.db, adminKey: options.adminKey })
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && d.webRoot && !req.url.startsWith('/v1/')) {
      const served = serveWeb(d.webRoot, req.url, reply)
      if (served) return served
    }
    return sendProblem(reply, problem(404, 'route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`))
  })
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/v1/') && !req.url.startsWith('/v1/webhooks/')) await keys.check(req)
  })

  app.get('/healthz', async (_req, reply) => {
    try {
      await d.db.selectFrom('settings').select('key').limit(1).execute()
      return { status: 'ok', database: d.store.dialect }
    } catch {
      return sendProblem(reply, problem(503, 'database_unavailable', 'The database does not answer'))
    }
  })
  app.get('/metrics', async (_req, reply) => reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics()))
  app.get('/openapi.json', async () => openApiDocument(options.version))

  app.post('/v1/keys', async (req, reply) => {
    const { name } = parseBody(z.strictObject({ name: z.string().min(1).max(100).default('api') }), req.body ?? {})
    return reply.code(201).send(await createApiKey(d.db, name))
  })
  app.get('/v1/keys', async () => ({ data: await listApiKeys(d.db), next_cursor: null }))
  if (d.loadDemo) {
    const load = d.loadDemo
    app.post('/v1/demo', async (_req, reply) => reply.code(201).send(await load()))
  }

  catalogRoutes(app, d)
  eventRoutes(app, d)
  workflowRoutes(app, d)
  templateRoutes(app, d)
  runRoutes(app, d)
  analyticsRoutes(app, d)
  endpointRoutes(app, d)
  return app
}
