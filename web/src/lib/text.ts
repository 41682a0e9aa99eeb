/** Inserts `insertion` over the selection [start, end) of `text`; returns the new text and caret. */
export function insertAt(text: string, start: number, end: number, insertion: string): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, text.length))
  const e = Math.max(s, Math.min(end, text.length))
  return { text: text.slice(0, s) + insertion + text.slice(e), caret: s + insertion.length }
}

/** Splits a comma- or newline-separated sequence into trimmed, non-empty items, in order and with repeats (a retry schedule). */
export function splitSequence(text: string): string[] {
  return text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0)
}

/** Splits a comma- or newline-separated set (tags) into trimmed, non-empty, unique items. */
export function splitList(text: string): string[] {
  return [...new Set(splitSequence(text))]
}

const UNITS: ReadonlyArray<readonly [string, string]> = [
  ['W', 'week'], ['D', 'day'], ['H', 'hour'], ['M', 'minute'], ['S', 'second'],
]

/** Describes an ISO 8601 duration in words (`P1DT2H` → `1 day 2 hours`); null when it is not one. */
export function describeDuration(text: string): string | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim())
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return null
  const parts = m.slice(1).flatMap((v, i) => {
    if (v === undefined) return []
    const unit = UNITS[i]![1]
    const n = Number(v)
    return [`${v} ${unit}${n === 1 ? '' : 's'}`]
  })
  return parts.length ? parts.join(' ') : null
}
