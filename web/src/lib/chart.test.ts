import { describe, expect, it } from 'vitest'
import { niceTicks, scale } from './chart'

describe('chart helpers', () => {
  it('picks round ticks that cover the maximum', () => {
    expect(niceTicks(937)).toEqual([0, 200, 400, 600, 800, 1000])
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100])
    expect(niceTicks(0)).toEqual([0, 1])
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
  })
  it('scales and clamps negatives', () => {
    expect(scale(50, 200, 100)).toBe(25)
    expect(scale(-5, 200, 100)).toBe(0)
    expect(scale(5, 0, 100)).toBe(0)
  })
})
