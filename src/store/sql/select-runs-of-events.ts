import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { dialectOfDb, inList, listParam, runSql } from './statement.js'

const TEXT = {
  sqlite: `select id, workflow_id, event_id from runs where ${inList('sqlite', 'event_id', '?')} order by id`,
  postgres: `select id, workflow_id, event_id from runs where ${inList('postgres', 'event_id', '$1')} order by id`,
}

/** The runs that these (already stored) events started, oldest first. */
export async function runsOfEvents(db: Kysely<Database>, eventIds: readonly string[]): Promise<{ id: string; workflow_id: string; event_id: string }[]> {
  if (eventIds.length === 0) return []
  const dialect = dialectOfDb(db)
  return runSql(db, TEXT[dialect], [listParam(dialect, eventIds)])
}
