import { describe, expect, it } from 'vitest'
import { quietHoursEnd } from './guardrails.js'

const at = (iso: string) => Date.parse(iso)

describe('quietHoursEnd', () => {
  const overnight = { start: '21:00', end: '08:00' }
  it('holds a send inside an overnight window until it ends, in the customer time zone', () => {
    expect(quietHoursEnd(overnight, 'UTC', at('2026-11-21T22:30:00Z'))).toEqual({ until: at('2026-11-22T08:00:00Z'), timeZone: 'UTC' })
    expect(quietHoursEnd(overnight, 'UTC', at('2026-11-21T03:15:30Z'))).toEqual({ until: at('2026-11-21T08:00:00Z'), timeZone: 'UTC' })
    // 07:30 UTC is 08:30 in Paris (UTC+1 in November): outside quiet hours there.
    expect(quietHoursEnd(overnight, 'Europe/Paris', at('2026-11-21T07:30:00Z'))).toBeNull()
    // 06:30 UTC is 07:30 in Paris: quiet for 30 more minutes.
    expect(quietHoursEnd(overnight, 'Europe/Paris', at('2026-11-21T06:30:00Z'))?.until).toBe(at('2026-11-21T07:00:00Z'))
  })
  it('lets sends through outside the window and handles same-day windows', () => {
    expect(quietHoursEnd(overnight, 'UTC', at('2026-11-21T12:00:00Z'))).toBeNull()
    expect(quietHoursEnd({ start: '12:00', end: '13:00' }, null, at('2026-11-21T12:59:00Z'))?.until).toBe(at('2026-11-21T13:00:00Z'))
    expect(quietHoursEnd({ start: '12:00', end: '13:00', time_zone: 'America/New_York' }, 'Not/AZone', at('2026-11-21T17:30:00Z'))?.timeZone).toBe('America/New_York')
  })
})
