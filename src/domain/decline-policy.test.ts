import { describe, expect, it } from 'vitest'
import { defaultSchedule, isHardDecline, untilNextPayday } from './decline-policy.js'

const DAY = 86_400_000

describe('decline policy', () => {
  it('knows hard declines from soft ones', () => {
    for (const code of ['stolen_card', 'lost_card', 'fraudulent', 'pickup_card', 'invalid_account', 'expired_card', 'incorrect_number']) expect(isHardDecline(code)).toBe(true)
    for (const code of ['insufficient_funds', 'processing_error', 'try_again_later', 'card_declined', undefined]) expect(isHardDecline(code)).toBe(false)
  })
  it('waits for the next payday after insufficient funds: Fridays, the 1st and the 15th', () => {
    // Saturday 21 Nov 2026: the next payday a day or more away is Friday 27 Nov.
    expect(untilNextPayday(Date.parse('2026-11-21T10:00:00Z'))).toBe(Date.parse('2026-11-27T14:00:00Z') - Date.parse('2026-11-21T10:00:00Z'))
    // Less than a day before Friday 27 Nov: the 1st (a Tuesday) instead.
    expect(untilNextPayday(Date.parse('2026-11-26T20:00:00Z'))).toBe(Date.parse('2026-12-01T14:00:00Z') - Date.parse('2026-11-26T20:00:00Z'))
    const start = Date.parse('2026-11-02T00:00:00Z')
    const delays = defaultSchedule('insufficient_funds', start)
    const at = delays.map((_, i) => new Date(start + delays.slice(0, i + 1).reduce((a, b) => a + b, 0)).toISOString().slice(0, 10))
    expect(at).toEqual(['2026-11-06', '2026-11-13', '2026-11-15', '2026-11-20', '2026-11-27', '2026-12-01'])
  })
  it('retries transient errors within hours and other declines 8 times over two weeks', () => {
    expect(defaultSchedule('processing_error', 0)).toEqual([3_600_000, DAY, 2 * DAY, 2 * DAY, 3 * DAY, 3 * DAY])
    const generic = defaultSchedule('card_declined', 0)
    expect(generic).toHaveLength(8)
    expect(generic.reduce((a, b) => a + b, 0)).toBe(15 * DAY)
  })
})
