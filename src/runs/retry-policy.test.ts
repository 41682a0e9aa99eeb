import { describe, expect, it } from 'vitest'
import { backoffDelay } from './retry-policy.js'

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 }
  it('doubles per attempt, within half and all of the exponential step', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(500)
    expect(backoffDelay(policy, 1, () => 1)).toBe(1000)
    expect(backoffDelay(policy, 2, () => 0)).toBe(1000)
    expect(backoffDelay(policy, 3, () => 1)).toBe(4000)
  })
  it('never exceeds the cap', () => {
    expect(backoffDelay(policy, 30, () => 1)).toBe(10_000)
    expect(backoffDelay(policy, 30, () => 0)).toBe(5000)
  })
})
