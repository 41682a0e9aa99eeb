import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'

/** Creates the products that do not exist yet (demo data); existing ones are left as they are. */
export async function seedProducts(db: Kysely<Database>, products: readonly { id: string; name: string; description?: string | null }[], now: string): Promise<void> {
  if (products.length === 0) return
  await db
    .insertInto('products')
    .values(products.map((p) => ({ ...p, archived_at: null, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}
