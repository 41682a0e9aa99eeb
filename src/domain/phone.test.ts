import { describe, expect, it } from 'vitest'
import { E164_EXAMPLE, isE164, phoneSchema } from './phone.js'

describe('isE164', () => {
  it.each([E164_EXAMPLE, '+447911123456', '+4930123456', '+123456789012345'])('accepts %s', (phone) => expect(isE164(phone)).toBe(true))
  it.each(['', '15555550100', '+05555550100', '+12', '+123456', '+1234567890123456', '+1 555 555 0100', '+1-555-555-0100', ' +15555550100'])(
    'refuses %j',
    (phone) => expect(isE164(phone)).toBe(false),
  )
})

describe('phoneSchema', () => {
  it('says what to write when the number is not E.164', () => {
    const r = phoneSchema.safeParse('555-0100')
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.message).toBe('must be an E.164 phone number such as +15555550100')
  })
})
