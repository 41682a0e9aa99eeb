import type { z } from 'zod'
import { ValidationError } from './errors.js'
import { eventSchema, type RecoupEvent } from './events.js'
import { zodIssues } from './zod-issues.js'

/** Validates raw input as an event, or throws a ValidationError naming each bad field. */
export function parseEvent(raw: unknown, prefix: readonly PropertyKey[] = []): RecoupEvent {
  const parsed = eventSchema.safeParse(raw)
  if (!parsed.success) throw new ValidationError('The event is not valid', zodIssues(parsed.error as z.ZodError, prefix))
  return parsed.data
}
