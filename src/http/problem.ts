import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ConflictError,
  NotFoundError,
  RecoupError,
  ResourceBusyError,
  UnauthorizedError,
  ValidationError,
  type FieldIssue,
} from '../domain/errors.js'
import { isDatabaseUnavailable } from '../store/database.js'

/** An RFC 9457 problem document. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors?: readonly FieldIssue[]
}

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict',
  413: 'Payload too large', 415: 'Unsupported media type', 422: 'Validation failed', 429: 'Too many requests',
  500: 'Internal error', 503: 'Service unavailable',
}

/** Builds a problem document. */
export function problem(status: number, code: string, detail: string, errors?: readonly FieldIssue[]): Problem {
  return { type: `/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) }
}

/** Maps any error to a problem; the only place that turns errors into HTTP statuses. */
export function toProblem(err: unknown): Problem {
  if (err instanceof ValidationError) return problem(422, err.code, err.message, err.issues)
  if (err instanceof NotFoundError) return problem(404, err.code, err.message)
  if (err instanceof ConflictError) return problem(409, err.code, err.message)
  if (err instanceof UnauthorizedError) return problem(401, err.code, err.message)
  if (err instanceof ResourceBusyError) return problem(503, err.code, err.message)
  if (err instanceof RecoupError) return problem(400, err.code, err.message)
  const fe = err as FastifyError
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = (fe.code ?? 'bad_request').toLowerCase()
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || code.includes('json')) {
      return problem(400, 'malformed_json', `The body is not valid JSON: ${fe.message}`, [{ path: '(body)', message: 'is not valid JSON' }])
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem(413, 'body_too_large', 'The body is larger than this server accepts (RECOUP_BODY_LIMIT).')
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.')
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return problem(400, 'empty_body', 'The body is empty; send a JSON document.', [{ path: '(body)', message: 'is empty' }])
    return problem(fe.statusCode, code, fe.message)
  }
  if (isDatabaseUnavailable(err)) {
    return problem(503, 'database_unavailable', 'The database cannot be reached right now; nothing was stored. Send the request again in a moment.')
  }
  return problem(500, 'internal', 'Something went wrong on our side; it has been logged.')
}

/** Sends a problem with the right content type. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p)
}

/** Fastify error handler: problem+json for everything, logging only our own faults. */
export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const p = toProblem(err)
  if (p.status === 503) {
    request.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'request refused: service unavailable')
    reply.header('retry-after', '1')
  } else if (p.status >= 500) {
    request.log.error({ err }, 'request failed')
  }
  return sendProblem(reply, p)
}
