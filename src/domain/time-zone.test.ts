import { describe, expect, it } from 'vitest'
import { isTimeZone, timeZoneSchema } from './time-zone.js'

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'])('knows %s', (tz) => expect(isTimeZone(tz)).toBe(true))
  it.each(['', 'Mars/Olympus_Mons', 'Paris', 'GMT+25'])('does not know %j', (tz) => expect(isTimeZone(tz)).toBe(false))
})

describe('timeZoneSchema', () => {
  it('says what to write when the zone is unknown', () => {
    const r = timeZoneSchema.safeParse('Europe/Atlantis')
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toBe('must be an IANA time zone such as Europe/Paris')
  })
})
