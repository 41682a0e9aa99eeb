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

const WORD_UNITS: ReadonlyArray<readonly [RegExp, 'W' | 'D' | 'H' | 'M' | 'S']> = [
  [/^(w|wk|wks|weeks?)$/, 'W'], [/^(d|days?)$/, 'D'], [/^(h|hr|hrs|hours?)$/, 'H'], [/^(m|min|mins|minutes?)$/, 'M'], [/^(s|sec|secs|seconds?)$/, 'S'],
]

/**
 * A duration as the API stores it (ISO 8601) from what people type: `3 days` → `P3D`,
 * `1 day 12 hours` → `P1DT12H`, `90 minutes` → `PT90M`; ISO input is kept as it is. Null when the
 * text is neither (the server then says what it expects).
 */
export function toIsoDuration(text: string): string | null {
  const t = text.trim()
  if (describeDuration(t.toUpperCase()) !== null) return t.toUpperCase()
  const words = t.toLowerCase().replace(/,|\band\b/g, ' ').replace(/(\d)([a-z])/g, '$1 $2').split(/\s+/).filter(Boolean)
  if (words.length === 0 || words.length % 2 !== 0) return null
  const parts: Partial<Record<'W' | 'D' | 'H' | 'M' | 'S', number>> = {}
  for (let i = 0; i < words.length; i += 2) {
    const n = words[i] === 'a' || words[i] === 'an' || words[i] === 'one' ? 1 : Number(words[i])
    const unit = WORD_UNITS.find(([re]) => re.test(words[i + 1]!))?.[1]
    if (!unit || !Number.isInteger(n) || n < 0 || parts[unit] !== undefined) return null
    parts[unit] = n
  }
  const date = `${parts.W !== undefined ? `${parts.W}W` : ''}${parts.D !== undefined ? `${parts.D}D` : ''}`
  const time = `${parts.H !== undefined ? `${parts.H}H` : ''}${parts.M !== undefined ? `${parts.M}M` : ''}${parts.S !== undefined ? `${parts.S}S` : ''}`
  return `P${date}${time ? `T${time}` : ''}`
}

/** The duration as sent to the API: ISO 8601 when the text reads as a duration, else the text as typed. */
export function durationForApi(text: string): string {
  return toIsoDuration(text) ?? text.trim()
}
