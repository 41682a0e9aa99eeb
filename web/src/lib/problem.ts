/** One field error from an RFC 9457 problem's `errors` list. */
export interface FieldError {
  readonly path: string
  readonly message: string
}

/** An RFC 9457 problem+json body, as far as the dashboard reads it. */
export interface Problem {
  readonly type?: string
  readonly title?: string
  readonly status?: number
  readonly detail?: string
  readonly errors?: readonly FieldError[]
}

/**
 * Normalizes the spellings of a field path to `steps[2].subject`:
 * accepts `steps.2.subject`, `/steps/2/subject` (JSON Pointer) and `steps[2].subject`.
 */
export function normalizePath(path: string): string {
  let p = path.trim()
  if (p.startsWith('/')) p = p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.')
  if (p.startsWith('body.')) p = p.slice(5)
  if (p.startsWith('$.')) p = p.slice(2)
  return p
    .split('.')
    .filter((s) => s.length > 0)
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '')
}

/** Parent paths of a path, longest first: `a[1].b` → `a[1].b`, `a[1]`, `a`. */
export function pathAncestors(path: string): string[] {
  const out: string[] = []
  let p = path
  while (p) {
    out.push(p)
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
    p = cut > 0 ? p.slice(0, cut) : ''
  }
  return out
}

export interface PlacedErrors {
  /** Messages keyed by the field path that should show them. */
  readonly byField: ReadonlyMap<string, readonly string[]>
  /** Errors no field on the page can show (shown in the summary only). */
  readonly unplaced: readonly FieldError[]
}

/** Puts each API error beside the nearest field the form renders (the longest matching ancestor path). */
export function placeErrors(errors: readonly FieldError[], fields: Iterable<string>): PlacedErrors {
  const known = new Set(fields)
  const byField = new Map<string, string[]>()
  const unplaced: FieldError[] = []
  for (const err of errors) {
    const path = normalizePath(err.path)
    const target = pathAncestors(path).find((p) => known.has(p))
    if (target === undefined) unplaced.push({ path, message: err.message })
    else byField.set(target, [...(byField.get(target) ?? []), err.message])
  }
  return { byField, unplaced }
}

/** A DOM id for a field path: `steps[2].subject` → `field-steps-2-subject`. */
export function fieldId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+$/, '')}`
}

/** Reads a problem from an unknown JSON body; null when it is not one. */
export function asProblem(body: unknown): Problem | null {
  if (body === null || typeof body !== 'object') return null
  const b = body as Record<string, unknown>
  const errors = Array.isArray(b.errors)
    ? b.errors.flatMap((e): FieldError[] => {
        if (e === null || typeof e !== 'object') return []
        const r = e as Record<string, unknown>
        const path = Array.isArray(r.path) ? r.path.join('.') : typeof r.path === 'string' ? r.path : ''
        return [{ path, message: typeof r.message === 'string' ? r.message : 'is invalid' }]
      })
    : undefined
  return {
    type: typeof b.type === 'string' ? b.type : undefined,
    title: typeof b.title === 'string' ? b.title : undefined,
    status: typeof b.status === 'number' ? b.status : undefined,
    detail: typeof b.detail === 'string' ? b.detail : undefined,
    errors,
  }
}
