import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
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
  const bytes = randomBytes(8)
  let rand = ''
  for (const b of bytes) rand += ALPHABET[b % 32]
  return `${prefix}_${time}${seq}${rand}`
}
