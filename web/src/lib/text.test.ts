import { describe, expect, it } from 'vitest'
import { describeDuration, insertAt, splitList, splitSequence, toIsoDuration } from './text'

describe('text helpers', () => {
  it('inserts at the caret or over a selection', () => {
    expect(insertAt('Hi !', 3, 3, '{{ customer.name }}')).toEqual({ text: 'Hi {{ customer.name }}!', caret: 22 })
    expect(insertAt('Hi NAME!', 3, 7, 'X')).toEqual({ text: 'Hi X!', caret: 4 })
    expect(insertAt('', 5, 9, 'A')).toEqual({ text: 'A', caret: 1 })
  })
  it('splits tag lists', () => {
    expect(splitList(' a, b ,,a\nc ')).toEqual(['a', 'b', 'c'])
  })
  it('splits ordered lists keeping repeats', () => {
    expect(splitSequence(' P1D, P1D ,,P3D\nP1D ')).toEqual(['P1D', 'P1D', 'P3D', 'P1D'])
  })
  it('describes durations', () => {
    expect(describeDuration('P3D')).toBe('3 days')
    expect(describeDuration('PT2H')).toBe('2 hours')
    expect(describeDuration('P1DT1H30M')).toBe('1 day 1 hour 30 minutes')
    expect(describeDuration('3 days')).toBeNull()
    expect(describeDuration('P')).toBeNull()
    expect(describeDuration('PT')).toBeNull()
  })
  it('reads durations typed in words as ISO 8601', () => {
    expect(toIsoDuration('3 days')).toBe('P3D')
    expect(toIsoDuration('1 day 12 hours')).toBe('P1DT12H')
    expect(toIsoDuration('2 weeks')).toBe('P2W')
    expect(toIsoDuration('90 minutes')).toBe('PT90M')
    expect(toIsoDuration('an hour and 30 min')).toBe('PT1H30M')
    expect(toIsoDuration('30s')).toBe('PT30S')
    expect(toIsoDuration('p3d')).toBe('P3D')
    expect(toIsoDuration('PT2H')).toBe('PT2H')
    expect(toIsoDuration('soon')).toBeNull()
    expect(toIsoDuration('3 fortnights')).toBeNull()
  })
})
