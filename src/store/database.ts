import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type SchemaMetadata, type TableMetadata } from 'kysely'
import pg from 'pg'
import { ResourceBusyError, RecoupError } from '../domain/errors.js'
import { migrationProvider } from './migrations/index.js'
import type { Database } from './schema.js'
import { gatedStatement, WriteGate } from './write-gate.js'

export type DialectName = 'sqlite' | 'postgres'

/** An open database: the Kysely handle plus which dialect it speaks. */
export interface Store {
  readonly db: Kysely<Database>
  readonly dialect: DialectName
  /** Where the data lives, for messages (a file path or the PostgreSQL URL without credentials). */
  readonly location: string
  /**
   * How many group commits may be in flight at once: 1 on SQLite (one connection, one writer); a
   * few on PostgreSQL, where one shared transaction at a time would make every step wait for the
   * others' round trips and a transaction per step pays a WAL flush each.
   */
  readonly commitLanes: number
  /** SQLite files: the memory behind the write gate its connections share (see WriteGate). */
  readonly writeGate?: SharedArrayBuffer
  /**
   * SQLite files: who copies the write-ahead log back into the file. `self` (default): whichever
   * connection commits past 1,000 pages, inside its commit. `others`: never this connection (the
   * HTTP thread, whose commits must not wait for a checkpoint's fsync); `checkpoint()` on another
   * connection (the engine thread's) does it.
   */
  checkpointBy?(who: 'self' | 'others'): void
  /**
   * SQLite files: copies what it can of the write-ahead log into the file without waiting for
   * anyone; returns the log's frames and how many are copied (undefined while a transaction is
   * open on this connection).
   */
  checkpoint?(): { readonly log: number; readonly checkpointed: number } | undefined
  /** PostgreSQL only: the connection pool behind `db`, for graphile-worker to share. */
  readonly pool?: pg.Pool
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** A file path, `file:` URL or `:memory:` for SQLite; `postgres://…` for PostgreSQL. */
  readonly url: string
  /** PostgreSQL only: the schema to use (tests give each file its own). Created if missing. */
  readonly schema?: string
  /** PostgreSQL only: pool size. */
  readonly poolSize?: number
  /** PostgreSQL only: told of a pooled connection that failed (it is dropped; the next query opens another). */
  readonly onConnectionError?: (err: Error) => void
  /**
   * SQLite only: `owner` (default) takes the file's one-owner lock and refuses a file another
   * process owns; `joined` is a second connection inside the process that already owns it (the
   * engine thread), and takes no lock of its own.
   */
  readonly sqliteRole?: 'owner' | 'joined'
  /** SQLite, `joined`: the owner's write gate (`Store.writeGate`), shared with its thread. */
  readonly writeGate?: SharedArrayBuffer
}

/** Tells which dialect a DATABASE_URL names. */
export function dialectOf(url: string): DialectName {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite'
}

/** Opens the database named by `url` (for SQLite, as its one owner unless `sqliteRole` is `joined`). */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  return dialectOf(options.url) === 'postgres' ? openPostgres(options) : openSqlite(options.url, options.sqliteRole ?? 'owner', options.writeGate)
}

/** Whether a SQLite URL names a file another connection (the engine thread's) can open too. */
export function isSharedSqliteFile(url: string): boolean {
  return dialectOf(url) === 'sqlite' && sqlitePath(url) !== ':memory:'
}

function sqlitePath(url: string): string {
  if (url === ':memory:') return url
  const path = url.startsWith('file:') ? url.slice('file:'.length).replace(/^\/\/(?=\/)/, '') : url
  return resolve(path)
}

function openSqlite(url: string, role: 'owner' | 'joined', gateBuffer: SharedArrayBuffer | undefined): Store {
  const path = sqlitePath(url)
  const memory = path === ':memory:'
  if (!memory) mkdirSync(dirname(path), { recursive: true })
  // The owner lock comes first: a second process is refused before it touches the data file.
  const owner = !memory && role === 'owner' ? takeOwnerLock(path) : undefined
  let raw: SqliteDatabase.Database
  try {
    raw = new SqliteDatabase(path, { timeout: 0 })
  } catch (err) {
    owner?.close()
    throw err
  }
  try {
    // An in-memory database has one connection, so it can run without shared memory.
    if (memory) raw.pragma('locking_mode = EXCLUSIVE')
    raw.pragma('journal_mode = WAL')
    raw.pragma('synchronous = NORMAL')
    raw.pragma('cache_size = -16384')
    raw.pragma('temp_store = MEMORY')
  } catch (err) {
    raw.close()
    owner?.close()
    throw err
  }
  // Two connections (HTTP thread and engine thread) write the file; a writer waits for the other's
  // short transaction instead of failing.
  raw.pragma('busy_timeout = 5000')
  // Writers of this process take turns at the gate, so they never meet SQLite's busy wait.
  const gate = memory ? undefined : new WriteGate(gateBuffer)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqlite(raw, gate) }) })
  return {
    db,
    dialect: 'sqlite',
    location: path,
    commitLanes: 1,
    writeGate: gate?.buffer,
    ...(memory
      ? {}
      : {
          checkpointBy(who: 'self' | 'others') {
            raw.pragma(`wal_autocheckpoint = ${who === 'self' ? 1000 : 0}`)
          },
          checkpoint() {
            if (raw.inTransaction) return undefined
            const [row] = raw.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]
            return row
          },
        }),
    async close() {
      await db.destroy()
      owner?.close()
    },
  }
}

/**
 * One process owns a SQLite file: it holds a write lock on a sidecar file (`<file>-owner`) for as
 * long as it runs. The lock is the operating system's (SQLite's POSIX advisory lock in EXCLUSIVE
 * locking mode), so it is dropped even when the process is killed, and a second Recoup process
 * (or a second store opened in this one) is refused at once. The data file itself stays in
 * ordinary WAL mode, so the engine thread can open it beside the HTTP thread, and `sqlite3`'s
 * `.backup` can read it while Recoup runs.
 */
function takeOwnerLock(path: string): SqliteDatabase.Database {
  const lock = new SqliteDatabase(`${path}-owner`, { timeout: 0 })
  try {
    lock.pragma('locking_mode = EXCLUSIVE')
    lock.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, since TEXT NOT NULL)')
    // A write takes the EXCLUSIVE lock, which EXCLUSIVE locking mode keeps until the connection closes.
    lock.prepare('INSERT INTO owner (pid, since) VALUES (?, ?)').run(process.pid, new Date().toISOString())
    lock.exec('DELETE FROM owner WHERE rowid < (SELECT max(rowid) FROM owner)')
  } catch (err) {
    lock.close()
    if (err instanceof Error && /locked|busy/i.test(err.message)) {
      throw new ResourceBusyError(
        `The SQLite database ${path} is in use by another Recoup process. Stop it first, or point DATABASE_URL at another file.`,
        { cause: err },
      )
    }
    throw err
  }
  return lock
}

/**
 * Kysely prepares every statement anew; on the hot path that costs more than running it.
 * Statements are reused per SQL text, which is safe because Kysely's SQLite driver runs one
 * query at a time on its single connection.
 */
function cachingSqlite(raw: SqliteDatabase.Database, gate: WriteGate | undefined) {
  const cache = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => raw.close(),
    prepare(text: string) {
      let stmt = cache.get(text)
      if (!stmt) {
        // Kysely begins with a plain (deferred) `begin`. With a second writer on the file (the engine
        // thread), a deferred transaction that reads first and then writes can fail at once with
        // SQLITE_BUSY instead of waiting; `begin immediate` takes the write lock up front, so it waits.
        const statement = text === 'begin' ? 'begin immediate' : text
        stmt = gate ? gatedStatement(raw, raw.prepare(statement), statement, gate) : raw.prepare(statement)
        if (cache.size >= 2000) cache.clear()
        cache.set(text, stmt)
      }
      return stmt
    },
  }
}

async function openPostgres(options: OpenStoreOptions): Promise<Store> {
  const parsed = new URL(options.url)
  const location = `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  if (options.schema) {
    const admin = new pg.Client({ connectionString: options.url })
    await admin.connect()
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/"/g, '')}"`)
    } finally {
      await admin.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    // int8 (count(*), bigint money) as JS numbers: our values stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // A connection that dies (server restart, network) must not take the process down: an idle
  // one is dropped by the pool, a checked-out one fails its current query, which is retried.
  const onError = (err: Error) => options.onConnectionError?.(err)
  pool.on('error', onError)
  pool.on('connect', (client) => client.on('error', onError))
  const db = new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    location,
    commitLanes: 4,
    pool,
    async close() {
      await db.destroy()
    },
  }
}

/**
 * PostgreSQL with introspection that looks only at our schema. Kysely's own reads every column of
 * every table in the database (its migrator asks it whether the migration table exists), which is
 * slow on a shared server and fails outright when another tenant drops a table mid-query
 * ("relation … does not exist"). The migrator needs table and schema names only.
 */
class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return {
      async getSchemas(): Promise<SchemaMetadata[]> {
        const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(db)
        return r.rows
      },
      async getTables(): Promise<TableMetadata[]> {
        const r = await sql<{ name: string; schema: string; kind: string }>`
          select c.relname as name, n.nspname as schema, c.relkind as kind
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')`.execute(db)
        return r.rows.map((t) => ({ name: t.name, schema: t.schema, isView: t.kind === 'v', columns: [] }))
      },
      async getMetadata(): Promise<DatabaseMetadata> {
        return { tables: await this.getTables() }
      },
    }
  }
}

/** Thrown when the database was migrated by a newer Recoup than this one. */
export class SchemaTooNewError extends RecoupError {
  constructor(unknown: readonly string[]) {
    super(
      'schema_too_new',
      `The database has migrations this version of Recoup does not know (${unknown.join(', ')}). Upgrade Recoup before using this database.`,
    )
  }
}

/** Applies pending migrations; refuses a database migrated by a newer build. Returns what ran. */
export async function migrate(store: Store): Promise<string[]> {
  // Kysely's table check looks across every schema; on PostgreSQL, name ours so that a
  // migration table in another schema (another tenant, another test) is not mistaken for it.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s
      : undefined
  const migrator = new Migrator({ db: store.db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) })
  const known = new Set(Object.keys(await migrationProvider.getMigrations()))
  // Kysely lists only migrations it knows; read its table directly to spot newer ones.
  const applied = await (schema ? sql<{ name: string }>`select name from ${sql.id(schema, 'kysely_migration')}` : sql<{ name: string }>`select name from kysely_migration`)
    .execute(store.db).then(
    (r) => r.rows.map((row) => row.name),
    () => [] as string[], // no table yet: a fresh database
  )
  const unknown = applied.filter((n) => !known.has(n))
  if (unknown.length > 0) throw new SchemaTooNewError(unknown)
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** Network errors and PostgreSQL's "cannot take you now" codes: the database is out of reach for a moment. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300'])

/**
 * Whether `err` says the database could not be reached or dropped the connection (restart,
 * failover, network, no free connection slot), rather than that the work itself was wrong.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown } | null
  if (!e || typeof e !== 'object') return false
  if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true
  if (typeof e.message === 'string' && /^Connection terminated/.test(e.message)) return true
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  return Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)
}
