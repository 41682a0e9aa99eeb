import type { Kysely } from 'kysely'
import type { Database, ProductRow } from '../schema.js'

/** Names and descriptions of the products with these ids (unknown ids are left out). */
export async function productsById(db: Kysely<Database>, ids: readonly string[]): Promise<Pick<ProductRow, 'id' | 'name' | 'description'>[]> {
  if (ids.length === 0) return []
  return db.selectFrom('products').select(['id', 'name', 'description']).where('id', 'in', [...ids]).execute()
}
