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
import type { Socket } from 'node:net'
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
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 409: 'Conflict',
  408: 'Request timeout', 413: 'Payload too large', 414: 'URI too long', 415: 'Unsupported media type',
  422: 'Validation failed', 429: 'Too many requests', 431: 'Request header fields too large',
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
    if (fe.code === 'FST_ERR_BAD_URL') return problem(400, 'bad_url', 'The URL has an invalid percent-encoding or character.', [{ path: '(url)', message: 'is not a valid URL' }])
    if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return problem(414, 'id_too_long', 'A path parameter is longer than any id Recoup accepts (255 characters).', [{ path: '(url)', message: 'has a path parameter that is too long' }])
    return problem(fe.statusCode, code.replace(/^fst_err_/, ''), fe.message)
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

/**
 * Answers errors Node's HTTP parser raises before a request exists (a malformed request line,
 * headers over the limit, a timeout) with problem+json, then closes the connection.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const p =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? problem(408, 'request_timeout', 'The request took too long to arrive.')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? problem(431, 'headers_too_large', 'The request headers are larger than this server accepts (16 KiB).')
        : problem(400, 'malformed_request', 'The request is not valid HTTP/1.1.')
  if (socket.writable) {
    const body = JSON.stringify(p)
    socket.write(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
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
