import { describe, expect, it } from 'vitest'
import { countSms } from './sms'

describe('countSms', () => {
  it('counts an empty message as no segments', () => {
    expect(countSms('')).toMatchObject({ segments: 0, units: 0, remaining: 160 })
  })
  it('fits 160 GSM characters in one segment and splits at 153 after', () => {
    expect(countSms('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, remaining: 0 })
    expect(countSms('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 })
    expect(countSms('a'.repeat(306))).toMatchObject({ segments: 2, remaining: 0 })
    expect(countSms('a'.repeat(307))).toMatchObject({ segments: 3 })
  })
  it('counts extension characters as two', () => {
    expect(countSms('€{}')).toMatchObject({ encoding: 'GSM-7', units: 6 })
  })
  it('switches to UCS-2 for other characters', () => {
    expect(countSms('Olá 👋')).toMatchObject({ encoding: 'UCS-2', units: 6, segments: 1, remaining: 64 })
    expect(countSms('ж'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2, perSegment: 67 })
  })
})
