import { CompiledQuery } from 'kysely'
import type { DialectName } from './database.js'

const converted = new Map<string, string>()

/**
 * A hand-written statement for the hottest paths, skipping Kysely's builder and compiler (a third
 * of the engine's CPU at thousands of steps per second). Write `?` placeholders; PostgreSQL gets
 * `$1…$n`. Use only SQL both dialects accept.
 */
export function rawQuery(dialect: DialectName, text: string, parameters: readonly unknown[]): CompiledQuery {
  if (dialect === 'sqlite') return CompiledQuery.raw(text, [...parameters])
  let pgText = converted.get(text)
  if (pgText === undefined) {
    let n = 0
    pgText = text.replace(/\?/g, () => `$${++n}`)
    converted.set(text, pgText)
  }
  return CompiledQuery.raw(pgText, [...parameters])
}
