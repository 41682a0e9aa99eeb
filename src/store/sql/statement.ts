// Precomputed statements for the ingest hot path (graphile-worker style: one file per operation
// in this folder). Kysely builds and compiles a query object on every call, which costs more than
// SQLite takes to run the statement; here the SQL text is made once per shape and reused. On SQLite
// the store's driver keeps one better-sqlite3 prepared statement per text, so the same text is the
// same prepared statement; on PostgreSQL the text and parameters go to `pg` as they are.
import { CompiledQuery, PostgresAdapter, type Kysely } from 'kysely'
import type { DialectName } from '../database.js'
import type { Database } from '../schema.js'

/** The dialect a handle (or a transaction of it) speaks, read from its adapter. */
export function dialectOfDb(db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** Runs a precomputed statement and returns its rows. */
export async function runSql<R>(db: Kysely<Database>, text: string, parameters: readonly unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]))).rows
}

/**
 * A list parameter for `in (…)`: one statement text for any number of values. SQLite reads a JSON
 * array (json_each), PostgreSQL a text array (= any), so neither re-prepares per list length.
 */
export function listParam(dialect: DialectName, values: readonly string[]): unknown {
  return dialect === 'sqlite' ? JSON.stringify(values) : values
}

/** `column in (<list parameter>)` for `listParam`, with the placeholder given (`?` or `$n`). */
export function inList(dialect: DialectName, column: string, placeholder: string): string {
  return dialect === 'sqlite' ? `${column} in (select value from json_each(${placeholder}))` : `${column} = any(${placeholder}::text[])`
}

// Both dialects cap bound parameters per statement (SQLite 32766); stay well below.
const MAX_PARAMS = 30_000

/** A multi-row insert of a fixed column list; the columns, not a hand count, size each statement. */
export interface RowsInsert<C extends string> {
  readonly table: string
  readonly columns: readonly C[]
  /** What follows the VALUES list (an ON CONFLICT clause, RETURNING), same in both dialects. */
  readonly tail?: string
}

/**
 * Inserts `rows` with as few statements as possible. Statement row counts are powers of two (up
 * to what the parameter cap allows for this many columns), so a table has at most a dozen distinct
 * texts, each prepared once, whatever sizes the batches come in.
 */
export async function insertRows<C extends string, R = never>(
  db: Kysely<Database>,
  spec: RowsInsert<C>,
  rows: readonly Readonly<Record<C, unknown>>[],
): Promise<R[]> {
  if (rows.length === 0) return []
  const dialect = dialectOfDb(db)
  const cols = spec.columns
  const maxRows = 2 ** Math.floor(Math.log2(Math.max(1, Math.floor(MAX_PARAMS / cols.length))))
  const out: R[] = []
  for (let at = 0; at < rows.length; ) {
    const left = rows.length - at
    const n = left >= maxRows ? maxRows : 2 ** Math.floor(Math.log2(left))
    const params: unknown[] = new Array(n * cols.length)
    let p = 0
    for (let i = at; i < at + n; i++) {
      const row = rows[i]!
      for (const c of cols) params[p++] = row[c]
    }
    const got = await runSql<R>(db, insertText(dialect, spec, n), params)
    for (const r of got) out.push(r)
    at += n
  }
  return out
}

const texts = new WeakMap<RowsInsert<string>, Map<string, string>>()

function insertText(dialect: DialectName, spec: RowsInsert<string>, n: number): string {
  let byShape = texts.get(spec)
  if (!byShape) texts.set(spec, (byShape = new Map()))
  const key = `${dialect}:${n}`
  let text = byShape.get(key)
  if (text === undefined) {
    const w = spec.columns.length
    const tuples: string[] = []
    for (let r = 0; r < n; r++) {
      const ph = spec.columns.map((_, c) => (dialect === 'sqlite' ? '?' : `$${r * w + c + 1}`))
      tuples.push(`(${ph.join(', ')})`)
    }
    text = `insert into ${spec.table} (${spec.columns.join(', ')}) values ${tuples.join(', ')}${spec.tail ? ` ${spec.tail}` : ''}`
    byShape.set(key, text)
  }
  return text
}

/** Compile-time check that a column list names every column of a row type (adding a column breaks the build, not the data). */
export type EveryColumn<Row, C extends readonly string[]> = Exclude<keyof Row, C[number]> extends never ? C : { missing: Exclude<keyof Row, C[number]> }
