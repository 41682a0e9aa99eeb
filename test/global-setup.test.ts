// Two suite runs share one PostgreSQL test database: the cleanup at the start of one must drop
// only the schemas of runs that have ended, never those of a run still going.
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './helpers/dialects.js'
import { dropDeadRunSchemas, runSchemaPrefix, startTestRun, TEST_RUN_ENV, TEST_RUN_LOCK_CLASS, withPgClient } from './helpers/pg.js'

const url = process.env.TEST_DATABASE_URL
// Fixed ids for the fake runs; far apart so a real run's random id is unlikely to be either.
const LIVE_RUN = 2_000_000_011
const DEAD_RUN = 2_000_000_013

/** A session holding run `id`'s lock, as a suite run's global setup does. */
async function holdRunLock(id: number): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, id])
  expect(rows[0]!.got, `run ${id} is free`).toBe(true)
  return client
}

const schemas = async (): Promise<Set<string>> =>
  withPgClient(url!, async (c) => new Set((await c.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_%'`)).rows.map((r) => r.nspname)))
const createSchemas = (names: readonly string[]) =>
  withPgClient(url!, async (c) => {
    for (const n of names) await c.query(`create schema "${n}"`)
  })

describe.skipIf(!url)('test schemas on a shared PostgreSQL database', () => {
  const live = [`${runSchemaPrefix(LIVE_RUN)}101_x_0`, `${runSchemaPrefix(LIVE_RUN)}101_x_0_gw`]
  const dead = [`${runSchemaPrefix(DEAD_RUN)}102_x_0`, `${runSchemaPrefix(DEAD_RUN)}102_x_0_gw`]
  const now = Date.now()
  // Named the way schemas were before runs had ids: the middle part is the creation time.
  const legacyOld = `t_103_${(now - 2 * 86_400_000).toString(36)}_0`
  const legacyRecent = `t_104_${now.toString(36)}_0`
  let liveLock: pg.Client | undefined

  afterAll(async () => {
    await liveLock?.end()
    await withPgClient(url!, async (c) => {
      for (const n of [...live, ...dead, legacyOld, legacyRecent]) await c.query(`drop schema if exists "${n}" cascade`)
    })
  })

  it('runs this suite under an id whose lock is held', async () => {
    const run = Number(process.env[TEST_RUN_ENV])
    expect(run).toBeGreaterThan(0)
    const held = await withPgClient(url!, (c) =>
      c.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = $1::bigint::oid and objid = $2::bigint::oid and objsubid = 2`, [TEST_RUN_LOCK_CLASS, run]))
    expect(held.rows[0]!.n).toBe(1)
    const own = await DIALECTS.find((d) => d.name === 'postgres')!.freshDatabaseUrl()
    expect(new URL(own).searchParams.get('options')).toContain(`search_path=${runSchemaPrefix(run)}`)
  })

  it('drops the schemas of a run that ended, and keeps those of a run still going', async () => {
    liveLock = await holdRunLock(LIVE_RUN)
    const deadLock = await holdRunLock(DEAD_RUN)
    await createSchemas([...live, ...dead, legacyOld, legacyRecent])
    // The dead run's process goes away without cleaning up: its session, and so its lock, ends.
    await deadLock.end()
    const ownRun = Number(process.env[TEST_RUN_ENV])
    const ours = [...(await schemas())].filter((n) => n.startsWith(runSchemaPrefix(ownRun)))
    expect(ours.length).toBeGreaterThan(0)

    await dropDeadRunSchemas(url!)

    const left = await schemas()
    for (const n of dead) expect(left.has(n), `${n} dropped`).toBe(false)
    for (const n of live) expect(left.has(n), `${n} kept`).toBe(true)
    for (const n of ours) expect(left.has(n), `this run's ${n} kept`).toBe(true)
    expect(left.has(legacyOld)).toBe(false)
    expect(left.has(legacyRecent)).toBe(true)
    // The live run's lock is still its own.
    const again = await withPgClient(url!, (c) => c.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, LIVE_RUN]))
    expect(again.rows[0]!.got).toBe(false)
  })

  it('ends a run by dropping its own schemas and freeing its id', async () => {
    const run = await startTestRun(url!)
    const mine = `${runSchemaPrefix(run.id)}105_x_0`
    await createSchemas([mine])
    await dropDeadRunSchemas(url!)
    expect((await schemas()).has(mine)).toBe(true)
    await run.end()
    expect((await schemas()).has(mine)).toBe(false)
    const free = await withPgClient(url!, async (c) => {
      const { rows } = await c.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, run.id])
      return rows[0]!.got
    })
    expect(free).toBe(true)
  })
})
