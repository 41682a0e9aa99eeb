import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'

/** Reads a setting, creating it with `make()` the first time (first writer wins across processes). */
export async function settingOrCreate(db: Kysely<Database>, key: string, make: () => string): Promise<string> {
  await db.insertInto('settings').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute()
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()
  return row.value
}

/** Resolves when the database answers a trivial read (the health check); throws when it does not. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await db.selectFrom('settings').select('key').limit(1).execute()
}
