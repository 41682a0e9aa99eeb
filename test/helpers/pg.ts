import { randomInt } from 'node:crypto'
import pg from 'pg'

/** Runs `fn` with a pg.Client connected to `url`, and ends the client afterwards. */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

// Several suite runs (and single test files run by hand) share one test database. Each run has an
// id, holds a session advisory lock on it for as long as it lasts, and names its schemas after it;
// a schema whose run's lock nobody holds belongs to a run that has ended (or died) and may go.

/** The env var global setup sets to the suite run's id; forked test workers inherit it. */
export const TEST_RUN_ENV = 'RECOUP_TEST_RUN'

/** Advisory-lock class of suite runs (two-key form, so apart from the app's single-key locks). */
export const TEST_RUN_LOCK_CLASS = 0x5254_5354 // 'RTST'

/** How every schema of suite run `run` starts (graphile-worker's `<schema>_gw` included). */
export function runSchemaPrefix(run: number): string {
  return `t_r${run}_`
}

const RUN_SCHEMA = /^t_r(\d+)_/
// Schemas named before runs had ids (`t_<pid>_<base-36 ms>_<n>`) carry their creation time instead.
const LEGACY_SCHEMA = /^t_\d+_([0-9a-z]+)_\d+(?:_gw)?$/
const LEGACY_MAX_AGE_MS = 24 * 3_600_000

/** A suite run: its id, whose lock a dedicated connection holds until `end`. */
export interface TestRun {
  readonly id: number
  end(): Promise<void>
}

/** Starts a suite run: picks an id no live run has and holds its lock on a connection of its own. */
export async function startTestRun(url: string): Promise<TestRun> {
  const client = new pg.Client({ connectionString: url })
  // A dropped lock connection must not crash the suite; the run's schemas just become fair game.
  client.on('error', (err) => console.warn(`test run lock connection lost: ${err.message}`))
  await client.connect()
  try {
    for (;;) {
      const id = randomInt(1, 2 ** 31 - 1)
      const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, id])
      if (rows[0]!.got) {
        return {
          id,
          async end() {
            try {
              await dropSchemas(url, await listSchemas(url, (name) => name.startsWith(runSchemaPrefix(id))))
            } finally {
              await client.end()
            }
          },
        }
      }
    }
  } catch (err) {
    await client.end()
    throw err
  }
}

/**
 * Drops the schemas of runs nobody is running any more: a run's schemas go only while this
 * connection holds that run's lock, so a live run's schemas are never touched. Returns their names.
 */
export async function dropDeadRunSchemas(url: string, now: number = Date.now()): Promise<string[]> {
  const byRun = new Map<number, string[]>()
  const legacy: string[] = []
  for (const name of await listSchemas(url, (n) => RUN_SCHEMA.test(n) || LEGACY_SCHEMA.test(n))) {
    const run = RUN_SCHEMA.exec(name)
    if (run) byRun.set(Number(run[1]), [...(byRun.get(Number(run[1])) ?? []), name])
    else if (now - parseInt(LEGACY_SCHEMA.exec(name)![1]!, 36) > LEGACY_MAX_AGE_MS) legacy.push(name)
  }
  const dropped: string[] = []
  await withPgClient(url, async (client) => {
    await client.query(`set lock_timeout = '5s'`)
    for (const [run, names] of byRun) {
      const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, run])
      if (!rows[0]!.got) continue
      try {
        dropped.push(...(await dropEach(client, names)))
      } finally {
        await client.query('select pg_advisory_unlock($1, $2)', [TEST_RUN_LOCK_CLASS, run])
      }
    }
    dropped.push(...(await dropEach(client, legacy)))
  })
  return dropped
}

async function listSchemas(url: string, keep: (name: string) => boolean): Promise<string[]> {
  const { rows } = await withPgClient(url, (c) => c.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_%'`))
  return rows.map((r) => r.nspname).filter(keep)
}

async function dropSchemas(url: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  await withPgClient(url, async (client) => {
    await client.query(`set lock_timeout = '5s'`)
    await dropEach(client, names)
  })
}

/** Drops each schema it can; one still locked by a straggling process is left for a later run. */
async function dropEach(client: pg.Client, names: readonly string[]): Promise<string[]> {
  const dropped: string[] = []
  for (const name of names) {
    try {
      await client.query(`drop schema if exists "${name}" cascade`)
      dropped.push(name)
    } catch (err) {
      console.warn(`could not drop test schema ${name}: ${(err as Error).message}`)
    }
  }
  return dropped
}
