import type { FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { ValidationError } from '../domain/errors.js'
import { zodIssues } from '../domain/zod-issues.js'

/** Parses a request body with a schema or throws a ValidationError naming each bad field (`subject`: what is saved, for the messages). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, subject?: string): z.output<S> {
  if (body === undefined || body === null) throw new ValidationError('A JSON body is required', [{ path: '(body)', message: 'is missing' }])
  const r = schema.safeParse(body)
  if (!r.success) throw new ValidationError('The request body is not valid', zodIssues(r.error, [], subject))
  return r.data
}

/** The query string as plain strings (repeated keys: the last wins). */
export function query(req: FastifyRequest): Record<string, string | undefined> {
  const q = (req.query ?? {}) as Record<string, string | string[] | undefined>
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v.at(-1) : v]))
}
