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

/** A time zone field in API input: an IANA name this runtime knows. */
export const timeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
