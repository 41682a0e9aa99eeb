import { describe, expect, it } from 'vitest'
import { parseDuration } from './duration.js'

describe('parseDuration', () => {
  it('reads weeks, days, hours, minutes and seconds', () => {
    expect(parseDuration('P3D')).toBe(3 * 86_400_000)
    expect(parseDuration('PT2H')).toBe(7_200_000)
    expect(parseDuration('PT5S')).toBe(5000)
    expect(parseDuration('PT0.5S')).toBe(500)
    expect(parseDuration('P1W')).toBe(604_800_000)
    expect(parseDuration('P1DT12H30M')).toBe(86_400_000 + 12 * 3_600_000 + 30 * 60_000)
  })
  it('refuses what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '3 days', 'P1Y', 'P1M', 'p3d', 'PT-5S', 'P3DT']) expect(parseDuration(bad)).toBeNull()
  })
})
