// One place that decides what an HTTP answer or failure means for a retrying step.
import { PermanentError, RetryLaterError } from '../domain/errors.js'

/** Milliseconds a `Retry-After` header asks us to wait (delta-seconds or HTTP-date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export interface HttpFailure {
  /** Who answered, for the message: `Twilio`, `Slack`, `Webhook endpoint`. */
  readonly service: string
  readonly status: number
  readonly retryAfter?: string | null
  /** A short, secret-free description of the answer (error code, body excerpt). */
  readonly detail?: string
}

/** A non-2xx answer: 408, 429 and 5xx are worth retrying; other 4xx and 3xx are not. */
export function httpStatusError(failure: HttpFailure): PermanentError | RetryLaterError {
  const detail = failure.detail !== undefined && failure.detail !== '' ? `: ${failure.detail}` : ''
  const { status } = failure
  if (status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(failure.retryAfter)
    return new RetryLaterError(`${failure.service} answered ${status}${detail}`, { afterMs })
  }
  if (status >= 300 && status < 400) {
    // Following redirects would let an endpoint bounce us to an address the SSRF guard refused.
    return new PermanentError(`${failure.service} answered ${status} (a redirect, which is not followed)${detail}`)
  }
  return new PermanentError(`${failure.service} refused the request with ${status}${detail}`)
}

/** A request that got no answer (refused, reset, timed out, DNS): always worth retrying. */
export function networkError(service: string, error: unknown): RetryLaterError {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new RetryLaterError(`${service} did not answer in time`, { cause: error })
  }
  const code = errorCode(error)
  return new RetryLaterError(`${service} could not be reached${code !== undefined ? ` (${code})` : ''}`, { cause: error })
}

/** Shortens an answer body for an error message. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (typeof code === 'string') return code
  }
  return undefined
}
