import { z } from 'zod'

const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** Parses an ISO 8601 duration (`P3D`, `PT2H`, `PT5S`, `P1DT12H`) into milliseconds; null if invalid. */
export function parseDuration(text: string): number | null {
  const m = PATTERN.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) return null
  const [, w, d, h, min, s] = m
  const ms =
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Math.round(Number(s ?? 0) * 1000)
  return ms
}

/** Zod schema for an ISO 8601 duration string (years and months are refused: their length varies). */
export const durationSchema = z
  .string()
  .refine((v) => parseDuration(v) !== null, {
    message: 'must be an ISO 8601 duration such as P3D, PT2H or PT30S (weeks, days, hours, minutes, seconds)',
  })
