import { z } from 'zod'

/** True when `tz` is an IANA time zone this runtime knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/**
 * A time zone field in API input (a workflow's quiet hours, a customer's zone): an IANA name this
 * runtime knows. Checked on the way in: quiet hours would silently pass over a stored unknown zone.
 */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
  .describe('IANA time zone, e.g. Europe/Paris or America/New_York')
