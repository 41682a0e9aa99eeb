import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

// One call into the CSPRNG per 4 KiB instead of one per id.
let pool = Buffer.alloc(0)
let poolAt = 0
function randomByte(): number {
  if (poolAt >= pool.length) {
    pool = randomBytes(4096)
    poolAt = 0
  }
  return pool[poolAt++]
}
let lastMs = 0
let counter = 0

/**
 * Makes a time-ordered id (`run_01j…`): 10 chars of milliseconds, 4 of a per-ms counter, 8 random.
 * Ids sort by creation time within a process, which list cursors rely on.
 */
export function newId(prefix: string): string {
  const now = Date.now()
  if (now === lastMs) counter++
  else {
    lastMs = now
    counter = 0
  }
  let time = ''
  let t = now
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  let seq = ''
  let c = counter
  for (let i = 0; i < 4; i++) {
    seq = ALPHABET[c % 32] + seq
    c = Math.floor(c / 32)
  }
  let rand = ''
  for (let i = 0; i < 8; i++) rand += ALPHABET[randomByte() % 32]
  return `${prefix}_${time}${seq}${rand}`
}
