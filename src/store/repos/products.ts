import type { Kysely } from 'kysely'
import { NotFoundError } from '../../domain/errors.js'
import { newId } from '../../domain/ids.js'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { Database, ProductRow } from '../schema.js'

export interface Product {
  id: string
  name: string
  description: string | null
  archived: boolean
  archived_at: string | null
  created_at: string
  updated_at: string
}

function toProduct(r: ProductRow): Product {
  return { ...r, archived: r.archived_at !== null }
}

/** Creates a product; the caller may choose its id. */
export async function createProduct(
  db: Kysely<Database>,
  input: { id?: string; name: string; description?: string },
): Promise<Product> {
  const now = new Date().toISOString()
  const row: ProductRow = {
    id: input.id ?? newId('prod'),
    name: input.name,
    description: input.description ?? null,
    archived_at: null,
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('products').values(row).execute()
  return toProduct(row)
}

/** Reads one product or throws NotFoundError. */
export async function getProduct(db: Kysely<Database>, id: string): Promise<Product> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new NotFoundError('Product', id)
  return toProduct(row)
}

/** Lists products by id; archived ones only when asked. */
export async function listProducts(
  db: Kysely<Database>,
  req: PageRequest & { includeArchived?: boolean },
): Promise<Page<Product>> {
  let q = db.selectFrom('products').selectAll().orderBy('id').limit(req.limit + 1)
  if (req.after) q = q.where('id', '>', req.after)
  if (!req.includeArchived) q = q.where('archived_at', 'is', null)
  return toPage(await q.execute(), req, (r) => r.id, toProduct)
}

/** Changes name / description, or un-archives with `archived: false`. */
export async function updateProduct(
  db: Kysely<Database>,
  id: string,
  patch: { name?: string; description?: string | null; archived?: boolean },
): Promise<Product> {
  const current = await getProduct(db, id)
  const now = new Date().toISOString()
  await db
    .updateTable('products')
    .set({
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      archived_at: patch.archived === undefined ? current.archived_at : patch.archived ? (current.archived_at ?? now) : null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
  return getProduct(db, id)
}

/** The subset of `ids` that exist, with their archived state. */
export async function findProducts(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, Product>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('products').selectAll().where('id', 'in', [...ids]).execute()
  return new Map(rows.map((r) => [r.id, toProduct(r)]))
}

/** Whether a product with this id exists (archived ones included). */
export async function productExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('products').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}
