import { ValidationError } from '../domain/errors.js'

/** One page of a list, as the API returns it. */
export interface Page<T> {
  readonly data: T[]
  readonly next_cursor: string | null
}

export interface PageRequest {
  readonly limit: number
  /** The id after which (in list order) this page starts. */
  readonly after?: string
}

/** Decodes `?limit=&cursor=` (default 50, max 500); the cursor is opaque to callers. */
export function pageRequest(query: { limit?: unknown; cursor?: unknown }): PageRequest {
  let limit = 50
  if (query.limit !== undefined) {
    limit = Number(query.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new ValidationError('Invalid query', [{ path: 'limit', message: 'must be an integer from 1 to 500' }])
    }
  }
  let after: string | undefined
  if (query.cursor !== undefined && query.cursor !== '') {
    after = Buffer.from(String(query.cursor), 'base64url').toString('utf8')
    if (!after) throw new ValidationError('Invalid query', [{ path: 'cursor', message: 'is not a cursor this API gave out' }])
  }
  return { limit, after }
}

/** Turns `limit + 1` fetched rows into a page with the cursor of the last row shown. */
export function toPage<R, T>(rows: R[], req: PageRequest, idOf: (r: R) => string, map: (r: R) => T): Page<T> {
  const more = rows.length > req.limit
  const shown = more ? rows.slice(0, req.limit) : rows
  const last = shown.at(-1)
  return {
    data: shown.map(map),
    next_cursor: more && last ? Buffer.from(idOf(last)).toString('base64url') : null,
  }
}
