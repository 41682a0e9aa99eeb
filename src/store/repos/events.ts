import type { Kysely } from 'kysely'
import type { Database, EventRow } from '../schema.js'

/** Reads a stored event, or undefined when there is none. */
export async function findEventRow(db: Kysely<Database>, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst()
}
