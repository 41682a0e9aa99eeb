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

/** The longest id Recoup accepts for records it does not name itself (events, customers, payments, …). */
export const MAX_ID_LENGTH = 255

/** The longest path parameter the router takes: a MAX_ID_LENGTH id, every character percent-encoded. */
export const MAX_ENCODED_ID_LENGTH = MAX_ID_LENGTH * 9

/**
 * Why `id` is not an acceptable id, or undefined when it is. One rule for every id that comes
 * in, so every id accepted can be read back by `GET …/:id`: 1–255 characters of well-formed
 * Unicode, no control characters, and not blank.
 */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty'
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`
  if (!id.isWellFormed()) return 'must be well-formed Unicode'
  // Control characters cannot be typed or shown, and break logs and URLs.
  if (/\p{Cc}/u.test(id)) return 'must not contain control characters'
  if (id.trim() === '') return 'must not be blank'
  return undefined
}
