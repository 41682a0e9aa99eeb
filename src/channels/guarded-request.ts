// An HTTP request to a user-supplied URL. node:http rather than fetch because it takes a `lookup`
// hook: the SSRF check then runs on the very address the socket connects to.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { PermanentError } from '../domain/errors.js'
import { assertPublicAddress, publicOnlyLookup } from './address-guard.js'
import { excerpt, httpStatusError, networkError } from './http-status.js'

export interface GuardedRequest {
  readonly url: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly timeoutMs: number
  readonly allowPrivate: boolean
  /** Names the other side in error messages; the URL itself may hold a secret (Slack) and is never shown. */
  readonly service: string
}

export interface GuardedResponse {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  /** The first few KB of the answer; enough for an error message, bounded against huge answers. */
  readonly text: string
}

const MAX_BODY_BYTES = 16 * 1024

/** Sends one request; throws PermanentError for a refused address, RetryLaterError when no answer came. */
export async function guardedRequest(req: GuardedRequest): Promise<GuardedResponse> {
  const url = await assertPublicAddress(req.url, { allowPrivate: req.allowPrivate })
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const payload = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8')
  const headers: Record<string, string> = { ...req.headers }
  if (payload !== undefined) headers['content-length'] = String(payload.length)

  return new Promise<GuardedResponse>((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: req.method,
        headers,
        signal: AbortSignal.timeout(req.timeoutMs),
        ...(req.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (incoming) => {
        const chunks: Buffer[] = []
        let size = 0
        incoming.on('data', (chunk: Buffer) => {
          if (size >= MAX_BODY_BYTES) return
          chunks.push(chunk)
          size += chunk.length
        })
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
          }),
        )
        incoming.on('error', (error) => reject(networkError(req.service, error)))
        // A timeout or reset mid-answer may end the stream without an 'error'; never hang on it.
        incoming.on('close', () => {
          if (!incoming.complete) reject(networkError(req.service, new Error('the answer was cut off')))
        })
      },
    )
    outgoing.on('error', (error) => {
      // The lookup hook's refusal surfaces here as a socket error; keep it permanent.
      reject(error instanceof PermanentError ? error : networkError(req.service, error))
    })
    outgoing.end(payload)
  })
}

/**
 * Throws the retry-or-not error for a non-2xx answer (see httpStatusError); `detailMax` bounds the
 * body excerpt quoted in the message.
 */
export function requireSuccess(response: GuardedResponse, service: string, detailMax?: number): void {
  if (response.status >= 200 && response.status < 300) return
  const retryAfter = response.headers['retry-after']
  throw httpStatusError({
    service,
    status: response.status,
    retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
    detail: excerpt(response.text, detailMax),
  })
}
