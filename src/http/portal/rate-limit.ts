/**
 * Token buckets per key (a client IP), in memory: each key may spend `capacity` at once and gets
 * `perSecond` back over time. Per process: several API processes each keep their own, which only
 * multiplies the allowance by their number. Keys idle long enough to be full again are forgotten.
 */
export class RateLimiter {
  readonly #capacity: number
  readonly #perSecond: number
  readonly #maxKeys: number
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  constructor(options: { capacity: number; perSecond: number; maxKeys?: number }) {
    this.#capacity = options.capacity
    this.#perSecond = options.perSecond
    this.#maxKeys = options.maxKeys ?? 100_000
  }

  /** Seconds until `key` may spend again (0: now). */
  wait(key: string, now: number): number {
    const tokens = this.#tokens(key, now)
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.#perSecond)
  }

  /** Spends one token of `key`'s bucket (it may go empty; `wait` then says how long). */
  spend(key: string, now: number): void {
    const tokens = this.#tokens(key, now)
    if (!this.#buckets.has(key) && this.#buckets.size >= this.#maxKeys) this.#prune(now)
    this.#buckets.set(key, { tokens: Math.max(0, tokens - 1), at: now })
  }

  #tokens(key: string, now: number): number {
    const b = this.#buckets.get(key)
    if (!b) return this.#capacity
    return Math.min(this.#capacity, b.tokens + ((now - b.at) / 1000) * this.#perSecond)
  }

  /** Drops full buckets; when every bucket is in use (a flood of addresses), all of them. */
  #prune(now: number): void {
    for (const [key, b] of this.#buckets) if (b.tokens + ((now - b.at) / 1000) * this.#perSecond >= this.#capacity) this.#buckets.delete(key)
    if (this.#buckets.size >= this.#maxKeys) this.#buckets.clear()
  }
}
