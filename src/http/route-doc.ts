import { z } from 'zod'
import type { RouteAuth } from './auth.js'

/**
 * What a route says about itself for the OpenAPI document (openapi.ts), declared beside its
 * registration so a route cannot be added without it. Schemas are the same zod values the
 * handler validates with, so the document cannot drift from what is accepted.
 */
export interface RouteDoc {
  readonly summary: string
  readonly description?: string
  /** The request body, as the handler parses it. */
  readonly body?: z.ZodType
  /** How the body is sent: JSON (the default), an HTML form,. */
  readonly bodyType?: 'json' | 'form'
  /** Whether a request may leave the body out (an empty POST is `{}`). */
  readonly bodyOptional?: boolean
  /** The query string: an object of the parameters the handler reads. */
  readonly query?: z.ZodObject
  /** Path parameters by name (`*` for a wildcard tail), with what each is. */
  readonly params?: Readonly<Record<string, string>>
  /** The name a wildcard tail (`*`) takes in the document's path (default `path`). */
  readonly wildcardName?: string
  /** The status of success (default 200). */
  readonly ok?: number
  /** Other successful statuses, with when they happen. */
  readonly also?: Readonly<Record<number, string>>
  /** What a success carries (default JSON). */
  readonly produces?: 'json' | 'html' | 'text' | 'xml' | 'none'
  /** For `signature` routes: the header that carries the provider's signature. */
  readonly signatureHeader?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc
  }
}

/**
 * Route options carrying the route's documentation and, when it is not an API key, how it is
 * authenticated: `app.get('/healthz', documented({ summary: 'Health', auth: 'public' }), handler)`.
 */
export function documented(doc: RouteDoc & { readonly auth?: RouteAuth }): { config: { doc: RouteDoc; auth?: RouteAuth } } {
  const { auth, ...rest } = doc
  return { config: { doc: rest, ...(auth ? { auth } : {}) } }
}

/** `?limit=&cursor=` of every list (store/page.ts reads them). */
export const pageQuery = z.object({
  limit: z.int().min(1).max(500).optional().describe('Items per page, 1 to 500 (default 50)'),
  cursor: z.string().optional().describe('The next_cursor of the previous page'),
})

/** `{id}`: the path parameter of a single record. */
export const ID_PARAM: Readonly<Record<string, string>> = { id: 'The record\'s id' }
