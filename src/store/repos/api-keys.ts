import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { newId } from '../../domain/ids.js'
import type { Database } from '../schema.js'

/** SHA-256 of a key: keys are long random strings, so a plain hash is enough and lookups stay fast. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** Creates a key, stores only its hash, and returns the key itself (shown once). */
export async function createApiKey(db: Kysely<Database>, name: string): Promise<{ id: string; name: string; key: string; created_at: string }> {
  const key = `rk_${randomBytes(24).toString('base64url')}`
  const row = { id: newId('key'), name, prefix: key.slice(0, 7), hash: hashKey(key), created_at: new Date().toISOString(), last_used_at: null }
  await db.insertInto('api_keys').values(row).execute()
  return { id: row.id, name, key, created_at: row.created_at }
}

/** The id of the key with this hash, if any. */
export async function findKeyByHash(db: Kysely<Database>, hash: string): Promise<string | undefined> {
  const row = await db.selectFrom('api_keys').select('id').where('hash', '=', hash).executeTakeFirst()
  return row?.id
}

/** How many keys exist (zero means first start). */
export async function countApiKeys(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Lists keys without their secrets. */
export async function listApiKeys(db: Kysely<Database>): Promise<{ id: string; name: string; prefix: string; created_at: string }[]> {
  return db.selectFrom('api_keys').select(['id', 'name', 'prefix', 'created_at']).orderBy('id').execute()
}

/** The name of the key with this hash, if any (who acted, in a run's history). */
export async function keyNameByHash(db: Kysely<Database>, hash: string): Promise<string | undefined> {
  const row = await db.selectFrom('api_keys').select('name').where('hash', '=', hash).executeTakeFirst()
  return row?.name
}
