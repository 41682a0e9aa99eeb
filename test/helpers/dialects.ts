import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, type App, type BuildOptions } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { runSchemaPrefix, TEST_RUN_ENV, withPgClient } from './pg.js'

export interface TestDialect {
  readonly name: 'sqlite' | 'postgres'
  /** A DATABASE_URL for a fresh, empty database (a new SQLite file or a new PostgreSQL schema). */
  freshDatabaseUrl(): Promise<string>
}

let counter = 0

const sqlite: TestDialect = {
  name: 'sqlite',
  async freshDatabaseUrl() {
    return join(mkdtempSync(join(tmpdir(), 'recoup-test-')), 'recoup.db')
  },
}

const postgres = (base: string): TestDialect => ({
  name: 'postgres',
  async freshDatabaseUrl() {
    // Named after the suite run, whose lock keeps other runs' cleanup away from it (see pg.ts).
    const run = Number(process.env[TEST_RUN_ENV])
    if (!Number.isInteger(run) || run <= 0) throw new Error(`${TEST_RUN_ENV} is not set: run tests through the root vitest config, whose global setup starts the run`)
    const schema = `${runSchemaPrefix(run)}${process.pid}_${Date.now().toString(36)}_${counter++}`
    await withPgClient(base, (client) => client.query(`CREATE SCHEMA "${schema}"`))
    const url = new URL(base)
    url.searchParams.set('options', `-c search_path=${schema}`)
    return url.toString()
  },
})

/**
 * Every dialect the suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
 * In CI a missing PostgreSQL is an error, not a silent skip.
 */
export const DIALECTS: readonly TestDialect[] = [
  sqlite,
  ...(process.env.TEST_DATABASE_URL ? [postgres(process.env.TEST_DATABASE_URL)] : []),
]
if (process.env.CI && !process.env.TEST_DATABASE_URL) throw new Error('CI must set TEST_DATABASE_URL so the suite runs on PostgreSQL too')

export const TEST_KEY = 'rk_test_key_for_the_suite_0123456789'

/** A controllable clock: starts at real time, moves only when told (plus real time if `follow`). */
export class TestClock {
  #offset = 0
  now = (): number => Date.now() + this.#offset
  advance(ms: number): void {
    this.#offset += ms
  }
}

/** Builds an in-process app (no socket; use app.http.inject) on a fresh database. */
export async function testApp(
  dialect: TestDialect,
  options: { env?: Record<string, string>; clock?: TestClock; databaseUrl?: string; logger?: BuildOptions['logger'] } = {},
): Promise<App & { inject(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> }> {
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl ?? (await dialect.freshDatabaseUrl()),
    RECOUP_API_KEY: TEST_KEY,
    RECOUP_LOG_LEVEL: 'silent',
    RECOUP_POLL_MS: '20',
    RECOUP_RETRY_BASE_MS: '20',
    RECOUP_RETRY_MAX_MS: '200',
    RECOUP_PUBLIC_URL: 'http://recoup.test',
    ...options.env,
  })
  const app = await buildApp(config, { now: options.clock?.now, logger: options.logger })
  return Object.assign(app, {
    async inject(method: string, url: string, body?: unknown) {
      const res = await app.http.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${TEST_KEY}` },
        ...(body !== undefined ? { payload: body as object } : {}),
      })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null }
    },
  })
}
