import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.js'
import { activeWorkflows, type StoredWorkflow } from '../store/repos/workflows.js'
import { productsById } from '../store/sql/products-by-id.js'
import type { ProductInfo } from '../triggers/trigger.js'

/**
 * Active workflows and product names, read on nearly every event. Changes made through this
 * process invalidate at once; changes made by another process (PostgreSQL scale-out) are seen
 * within `ttlMs`.
 */
export class CatalogCache {
  readonly #ttlMs: number
  readonly #onInvalidate: (() => void) | undefined
  #workflows = new Map<string, { at: number; list: StoredWorkflow[] }>()
  #products = new Map<string, ProductInfo>()
  #productsAt = 0

  /** `onInvalidate`: told of every invalidation (the engine thread keeps a cache of its own). */
  constructor(options: { ttlMs?: number; onInvalidate?: () => void } = {}) {
    this.#ttlMs = options.ttlMs ?? 1000
    this.#onInvalidate = options.onInvalidate
  }

  /** Forget everything (a workflow or product changed). */
  invalidate(): void {
    this.#workflows.clear()
    this.#products.clear()
    this.#onInvalidate?.()
  }

  /** Active workflows whose trigger is `type`. */
  async activeFor(db: Kysely<Database>, type: string): Promise<StoredWorkflow[]> {
    const hit = this.#workflows.get(type)
    const now = Date.now()
    if (hit && now - hit.at < this.#ttlMs) return hit.list
    const list = await activeWorkflows(db, [type])
    this.#workflows.set(type, { at: now, list })
    return list
  }

  /** Names of products by id; unknown ids come back with their id as name. */
  async products(db: Kysely<Database>, ids: readonly string[]): Promise<ProductInfo[]> {
    const now = Date.now()
    if (now - this.#productsAt > this.#ttlMs) {
      this.#products.clear()
      this.#productsAt = now
    }
    const missing = ids.filter((id) => !this.#products.has(id))
    if (missing.length > 0) {
      const rows = await productsById(db, missing)
      for (const r of rows) this.#products.set(r.id, r)
    }
    return ids.map((id) => this.#products.get(id) ?? { id, name: id, description: null })
  }
}
