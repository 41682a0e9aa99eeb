import { describe, expect, it } from 'vitest'
import { describeEvents, eventsToApi, nextAttemptIso } from './endpoints'

describe('webhook endpoint helpers', () => {
  it('sends "*" for all events, else the chosen known events in order', () => {
    expect(eventsToApi(true, ['run.failed'])).toEqual(['*'])
    expect(eventsToApi(false, ['recovery.ended', 'run.failed', 'nope'])).toEqual(['run.failed', 'recovery.ended'])
    expect(eventsToApi(false, [])).toEqual([])
  })
  it('describes events and next attempts', () => {
    expect(describeEvents(['*'])).toBe('All events')
    expect(describeEvents(['run.failed', 'run.exited'])).toBe('run.failed, run.exited')
    expect(nextAttemptIso(Date.parse('2026-11-21T12:00:00Z'))).toBe('2026-11-21T12:00:00.000Z')
    expect(nextAttemptIso('1795262400000')).toBe('2026-11-21T12:00:00.000Z')
    expect(nextAttemptIso(null)).toBeNull()
  })
})
