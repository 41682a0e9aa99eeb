import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit.js'

describe('RateLimiter', () => {
  it('lets a key spend its capacity, then makes it wait for tokens to come back', () => {
    const limiter = new RateLimiter({ capacity: 3, perSecond: 0.5 })
    for (let i = 0; i < 3; i++) {
      expect(limiter.wait('1.2.3.4', 0)).toBe(0)
      limiter.spend('1.2.3.4', 0)
    }
    expect(limiter.wait('1.2.3.4', 0)).toBe(2)
    expect(limiter.wait('5.6.7.8', 0)).toBe(0)
    expect(limiter.wait('1.2.3.4', 1_000)).toBe(1)
    expect(limiter.wait('1.2.3.4', 2_000)).toBe(0)
  })
  it('forgets idle keys when it holds too many', () => {
    const limiter = new RateLimiter({ capacity: 1, perSecond: 1, maxKeys: 2 })
    limiter.spend('a', 0)
    limiter.spend('b', 0)
    limiter.spend('c', 5_000)
    expect(limiter.wait('c', 5_000)).toBe(1)
    expect(limiter.wait('a', 5_000)).toBe(0)
  })
})
