// Seeded randomness for the lab. Every draw is keyed by what it is about (a failure, an email, an
// hour), not by the order draws happen in: two policies that try the same card at the same hour
// get the same answer from the issuer, and the engine may advance runs in any order without
// changing a result.

/** Mixes 32-bit integers into one (murmur3's finalizer over a running hash). */
export function mix(...parts: readonly number[]): number {
  let h = 0x9e3779b9
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
  }
  return h >>> 0
}

/** A 32-bit hash of a string (FNV-1a), to key draws by name. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A uniform draw in [0, 1) keyed by `parts`. */
export function unit(...parts: readonly number[]): number {
  return mix(...parts) / 4_294_967_296
}

/** A sequential generator (mulberry32) for building one failure's facts from its own seed. */
export class Rng {
  #s: number

  constructor(seed: number) {
    this.#s = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0
    let t = this.#s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
