import { describe, expect, it } from 'vitest'
import { restructuredSchedule, spreadEvenly } from './installments.js'

/** Deterministic pseudo-random generator (mulberry32), so property tests repeat exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

describe('spreadEvenly', () => {
  it('puts the odd minor units on the first installments', () => {
    expect(spreadEvenly(10000, 3)).toEqual([3334, 3333, 3333])
    expect(spreadEvenly(40000, 6)).toEqual([6667, 6667, 6667, 6667, 6666, 6666])
    expect(spreadEvenly(5, 6)).toEqual([1, 1, 1, 1, 1, 0])
    expect(spreadEvenly(0, 2)).toEqual([0, 0])
    expect(spreadEvenly(7, 1)).toEqual([7])
  })

  it('refuses what is not money or not a count', () => {
    expect(() => spreadEvenly(100, 0)).toThrow(RangeError)
    expect(() => spreadEvenly(100, 2.5)).toThrow(RangeError)
    expect(() => spreadEvenly(99.5, 2)).toThrow(RangeError)
    expect(() => spreadEvenly(-1, 2)).toThrow(RangeError)
    expect(() => spreadEvenly(Number.NaN, 2)).toThrow(RangeError)
  })

  it('for many inputs: sums exactly to the balance, parts differ by at most 1, none negative', () => {
    const random = seeded(20261121)
    const scales = [100, 10_000, 1_000_000, 1_000_000_000, Number.MAX_SAFE_INTEGER]
    for (let i = 0; i < 5000; i++) {
      const balance = Math.floor(random() * scales[i % scales.length])
      const n = 1 + Math.floor(random() * 60)
      const parts = spreadEvenly(balance, n)
      expect(parts).toHaveLength(n)
      expect(sum(parts)).toBe(balance)
      expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1)
      expect(parts.every((p) => Number.isInteger(p) && p >= 0)).toBe(true)
      // Larger parts come first: the order is stable and predictable for the customer.
      expect(parts.every((p, k) => k === 0 || p <= parts[k - 1])).toBe(true)
    }
  })
})

describe('restructuredSchedule', () => {
  it('dates each installment one interval apart from the start', () => {
    const start = Date.parse('2026-12-01T00:00:00Z')
    expect(restructuredSchedule({ balance: 40000, installments: 3, startAt: start, every: 30 * 86_400_000 })).toEqual([
      { due_at: '2026-12-01T00:00:00.000Z', amount: 13334 },
      { due_at: '2026-12-31T00:00:00.000Z', amount: 13333 },
      { due_at: '2027-01-30T00:00:00.000Z', amount: 13333 },
    ])
  })

  it('for many inputs: the schedule sums to the balance, in order, with no negative amounts', () => {
    const random = seeded(42)
    for (let i = 0; i < 2000; i++) {
      const balance = Math.floor(random() * 10_000_000)
      const installments = 2 + Math.floor(random() * 35)
      const every = 86_400_000 * (1 + Math.floor(random() * 60))
      const startAt = Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 1e10)
      const schedule = restructuredSchedule({ balance, installments, startAt, every })
      expect(sum(schedule.map((s) => s.amount))).toBe(balance)
      expect(schedule.every((s) => s.amount >= 0)).toBe(true)
      expect(schedule.every((s, k) => k === 0 || Date.parse(s.due_at) - Date.parse(schedule[k - 1].due_at) === every)).toBe(true)
    }
  })

  it('refuses a non-positive interval', () => {
    expect(() => restructuredSchedule({ balance: 100, installments: 2, startAt: 0, every: 0 })).toThrow(RangeError)
  })
})
