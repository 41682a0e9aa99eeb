import { describe, expect, it } from 'vitest'
import { defaultSchedule, isHardDecline, untilNextPayday } from './decline-policy.js'

const DAY = 86_400_000

describe('decline policy', () => {
  it('knows hard declines from soft ones', () => {
    for (const code of ['stolen_card', 'lost_card', 'fraudulent', 'pickup_card', 'invalid_account', 'expired_card', 'incorrect_number']) expect(isHardDecline(code)).toBe(true)
    for (const code of ['insufficient_funds', 'processing_error', 'try_again_later', 'card_declined', undefined]) expect(isHardDecline(code)).toBe(false)
  })
  it('waits for the next payday after insufficient funds', () => {
    expect(untilNextPayday(Date.parse('2026-11-21T10:00:00Z'))).toBe(Date.parse('2026-12-01T14:00:00Z') - Date.parse('2026-11-21T10:00:00Z'))
    // Less than a day before the 15th: the 1st of next month instead.
    expect(untilNextPayday(Date.parse('2026-11-14T20:00:00Z'))).toBe(Date.parse('2026-12-01T14:00:00Z') - Date.parse('2026-11-14T20:00:00Z'))
    const [first, ...rest] = defaultSchedule('insufficient_funds', Date.parse('2026-11-02T00:00:00Z'))
    expect(first).toBe(Date.parse('2026-11-15T14:00:00Z') - Date.parse('2026-11-02T00:00:00Z'))
    expect(rest).toEqual([3 * DAY, 5 * DAY])
  })
  it('retries transient errors within hours and other declines over a week', () => {
    expect(defaultSchedule('processing_error', 0)).toEqual([3_600_000, DAY, 3 * DAY])
    expect(defaultSchedule('card_declined', 0)).toEqual([DAY, 3 * DAY, 5 * DAY, 7 * DAY])
  })
})
