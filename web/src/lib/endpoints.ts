// Pure helpers of the webhook endpoints page.
import { OUTBOUND_EVENTS } from './types'

export const EVENT_DESCRIPTIONS: Record<(typeof OUTBOUND_EVENTS)[number], string> = {
  'run.completed': 'a run finished all its steps',
  'run.failed': 'a run stopped on a failed step',
  'run.exited': 'a run ended early on an exit event (e.g. the customer paid)',
  'run.canceled': 'someone canceled a run',
  'recovery.ended': 'a recovery ended, recovered or not',
}

/** The `events` of a create request from the form's choices: `['*']` when "all" is chosen. */
export function eventsToApi(all: boolean, chosen: readonly string[]): string[] {
  if (all) return ['*']
  return OUTBOUND_EVENTS.filter((e) => chosen.includes(e))
}

/** An endpoint's events in words. */
export function describeEvents(events: readonly string[]): string {
  if (events.includes('*')) return 'All events'
  return events.length ? events.join(', ') : '—'
}

/** A delivery's next attempt (epoch ms or ISO) as ISO, or null. */
export function nextAttemptIso(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v).toISOString()
  if (typeof v === 'string' && v !== '') {
    if (/^\d+$/.test(v)) return new Date(Number(v)).toISOString()
    return v
  }
  return null
}
