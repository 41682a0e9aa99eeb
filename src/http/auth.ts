import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { UnauthorizedError } from '../domain/errors.js'
import { findKeyByHash, hashKey } from '../store/api-keys.js'
import type { Database } from '../store/schema.js'

/** Checks bearer keys: the configured admin key, or a stored key (by hash, cached briefly). */
export class KeyChecker {
  readonly #db: Kysely<Database>
  readonly #adminHash: Buffer | undefined
  readonly #cache = new Map<string, number>()

  constructor(options: { db: Kysely<Database>; adminKey?: string }) {
    this.#db = options.db
    this.#adminHash = options.adminKey ? Buffer.from(hashKey(options.adminKey)) : undefined
  }

  /** Resolves when the request carries a valid key; throws UnauthorizedError otherwise. */
  async check(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    if (!match) throw new UnauthorizedError()
    const hash = hashKey(match[1])
    if (this.#adminHash && timingSafeEqual(this.#adminHash, Buffer.from(hash))) return
    const seen = this.#cache.get(hash)
    if (seen && Date.now() - seen < 60_000) return
    if (!(await findKeyByHash(this.#db, hash))) throw new UnauthorizedError('The API key is not valid.')
    if (this.#cache.size > 10_000) this.#cache.clear()
    this.#cache.set(hash, Date.now())
  }
}
