import type { FastifyInstance, RouteOptions } from 'fastify'
import type { RouteAuth } from './auth.js'
import type { RouteDoc } from './route-doc.js'

/** A route as registered: method, url and config (its `auth` and `doc` among them). */
export interface RouteRecord {
  readonly method: string
  readonly url: string
  readonly auth: RouteAuth
  /** What the route declares about itself; undefined for a route that does not (a defect openapi.test.ts catches). */
  readonly doc?: RouteDoc
}

const ROUTE_TABLES = new WeakMap<FastifyInstance, RouteOptions[]>()

/** Starts recording every route `app` (and its plugins) will register. */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteOptions[] = []
  ROUTE_TABLES.set(app, table)
  app.addHook('onRoute', (route) => void table.push(route))
}

/** Every route the app has registered, with the auth and documentation each declares (tests and /openapi.json walk this table). */
export function routeTable(app: FastifyInstance): RouteRecord[] {
  return (ROUTE_TABLES.get(app) ?? []).flatMap((r) =>
    [r.method].flat().map((method) => ({ method, url: r.url, auth: r.config?.auth ?? 'api-key', ...(r.config?.doc ? { doc: r.config.doc } : {}) })),
  )
}
