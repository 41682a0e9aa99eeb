/** A date-time for people, in the browser's zone; `—` when missing or invalid. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** Any JSON-ish value as readable text. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v, null, 2)
}

/** Encodes an id for a URL path segment. */
export const enc = (id: string): string => encodeURIComponent(id)
