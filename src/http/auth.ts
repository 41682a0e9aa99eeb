import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { UnauthorizedError } from '../domain/errors.js'
import { findKeyByHash, hashKey } from '../store/repos/api-keys.js'
import type { Database } from '../store/schema.js'

/**
 * How a route proves who is calling. Every route needs an API key unless its own config says
 * otherwise (`documented({ auth })`, route-doc.ts); the decision is made from the route that
 * matched, never from the URL's text.
 * - `api-key`: `Authorization: Bearer <key>` (the default).
 * - `public`: nothing to prove (health, the OpenAPI document).
 * - `signature`: the provider's signature on the body (Stripe, Twilio), checked by the route.
 * - `link-token`: a signed, expiring portal link in the path, checked by the route.
 * - `metrics-token`: `RECOUP_METRICS_TOKEN`, or an API key.
 */
export type RouteAuth = 'api-key' | 'public' | 'signature' | 'link-token' | 'metrics-token'

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
}

/** Marks every route later registered in `scope` (a plugin) as authenticated by `auth`. */
export function authenticateScopeBy(scope: FastifyInstance, auth: RouteAuth): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object | undefined), auth }
  })
}

/** The auth a matched request's route declares (`api-key` when it says nothing). */
export function routeAuth(request: FastifyRequest): RouteAuth {
  return request.routeOptions.config?.auth ?? 'api-key'
}

/** Checks bearer keys: the configured admin key, or a stored key (by hash, cached briefly). */
export class KeyChecker {
  readonly #db: Kysely<Database>
  readonly #adminHash: Buffer | undefined
  readonly #metricsHash: Buffer | undefined
  readonly #cache = new Map<string, number>()

  constructor(options: { db: Kysely<Database>; adminKey?: string; metricsToken?: string }) {
    this.#db = options.db
    this.#adminHash = options.adminKey ? Buffer.from(hashKey(options.adminKey)) : undefined
    this.#metricsHash = options.metricsToken ? Buffer.from(hashKey(options.metricsToken)) : undefined
  }

  /** Resolves when the request may use its route; throws UnauthorizedError otherwise. */
  async authorize(request: FastifyRequest): Promise<void> {
    // No route matched: the not-found handler answers 404 or serves the dashboard's files.
    if (request.is404) return
    const auth = routeAuth(request)
    if (auth === 'public' || auth === 'signature' || auth === 'link-token') return
    await this.check(request, auth === 'metrics-token' ? this.#metricsHash : undefined)
  }

  /** Resolves when the request carries a valid key (or the extra token given); throws otherwise. */
  async check(request: FastifyRequest, alsoAccept?: Buffer): Promise<void> {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    if (!match) throw new UnauthorizedError()
    const hash = Buffer.from(hashKey(match[1]!))
    if (this.#adminHash && timingSafeEqual(this.#adminHash, hash)) return
    if (alsoAccept && timingSafeEqual(alsoAccept, hash)) return
    const key = hash.toString()
    const seen = this.#cache.get(key)
    if (seen && Date.now() - seen < 60_000) return
    if (!(await findKeyByHash(this.#db, key))) throw new UnauthorizedError('The API key is not valid.')
    if (this.#cache.size > 10_000) this.#cache.clear()
    this.#cache.set(key, Date.now())
  }
}
