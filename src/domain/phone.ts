import { z } from 'zod'

/**
 * E.164 as the API documents it: `+`, a country code starting 1-9, then 6 to 14 more digits.
 * (The dashboard's builder checks the same rule as people type, in web/src/lib/draft-checks.ts.)
 */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/

/** The example number messages show: a reserved US number that reaches no one. */
export const E164_EXAMPLE = '+15555550100'

/** The message a field gets when its phone number is not E.164 (the field's path names it). */
export const E164_MESSAGE = `must be an E.164 phone number such as ${E164_EXAMPLE}`

/** True when `phone` is an E.164 number as the API accepts it. */
export function isE164(phone: string): boolean {
  return E164_PATTERN.test(phone)
}

/** A phone field in API input: E.164, with a message that says what to write. */
export const phoneSchema = z.string().regex(E164_PATTERN, E164_MESSAGE)
