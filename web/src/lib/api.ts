import { asProblem, type Problem } from './problem'

const KEY = 'recoup.apiKey'

/** The API key of this browser tab, kept in sessionStorage (gone when the tab closes). */
export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string): void => sessionStorage.setItem(KEY, key),
  clear: (): void => sessionStorage.removeItem(KEY),
}

/** An API answer that was not 2xx, with its problem+json body when there is one. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | null
  constructor(status: number, problem: Problem | null, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }
}

let onUnauthorized: (message: string) => void = () => {}

/** Registers what to do when the API answers 401 (the app returns to sign-in). */
export function setUnauthorizedHandler(fn: (message: string) => void): void {
  onUnauthorized = fn
}

export type Query = Record<string, string | number | undefined | null>

/** Builds `/v1/...?a=b`, leaving out empty query values. */
export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

/** Calls the Recoup API with the session's key; throws ApiError on a non-2xx answer. */
export async function request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; key?: string } = {}): Promise<T> {
  const key = opts.key ?? session.get() ?? ''
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${key}` }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    })
  } catch (err) {
    throw new ApiError(0, null, `Could not reach Recoup (${err instanceof Error ? err.message : 'network error'}).`)
  }
  const text = await res.text()
  let body: unknown = null
  if (text) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  if (!res.ok) {
    const problem = asProblem(body)
    const error = new ApiError(res.status, problem, `${method} ${path} failed with HTTP ${res.status}`)
    if (res.status === 401 && opts.key === undefined) {
      onUnauthorized('Your API key was not accepted (HTTP 401). Please sign in again.')
    }
    throw error
  }
  return body as T
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
}

/** A page of a list endpoint. */
export interface Page<T> {
  data: T[]
  next_cursor: string | null
}

/** A message fit for people from any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem
    if (p?.title && p.detail && p.detail !== p.title) return `${p.title}: ${p.detail}`
    return err.message
  }
  return err instanceof Error ? err.message : String(err)
}
