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
// id, holds a session advisory lock on it for as long as it lasts, and names its schemas after it.
// A run's schemas may go only when it is provably over: nobody holds its lock AND none of its
// schemas is recent. The lock alone is not proof: its connection can drop (a restart, a terminated
// backend, an idle timeout) while the run goes on; the run then takes its lock back, and the age
// rule covers the gap, or a longer one when the database refuses new connections for a while.

/** The env var global setup sets to the suite run's id; forked test workers inherit it. */
export const TEST_RUN_ENV = 'RECOUP_TEST_RUN'

/** Advisory-lock class of suite runs (two-key form, so apart from the app's single-key locks). */
export const TEST_RUN_LOCK_CLASS = 0x5254_5354 // 'RTST'

/** How long after its newest schema a run without its lock still counts as possibly alive. */
export const RUN_SCHEMA_GRACE_MS = 30 * 60_000

/** How every schema of suite run `run` starts (graphile-worker's `<schema>_gw` included). */
export function runSchemaPrefix(run: number): string {
  return `t_r${run}_`
}

const RUN_SCHEMA = /^t_r(\d+)_/
// The creation time in a run schema's name (`t_r<run>_<pid>_<base-36 ms>_<n>`, as dialects.ts
// names them), with graphile-worker's suffix or not.
const RUN_SCHEMA_TIME = /^t_r\d+_\d+_([0-9a-z]+)_\d+(?:_gw)?$/
// Schemas named before runs had ids (`t_<pid>_<base-36 ms>_<n>`) carry their creation time instead.
const LEGACY_SCHEMA = /^t_\d+_([0-9a-z]+)_\d+(?:_gw)?$/
const LEGACY_MAX_AGE_MS = 24 * 3_600_000
const RELOCK_DELAY_MS = 500

/** A suite run: its id, whose lock a dedicated connection holds until `end`. */
export interface TestRun {
  readonly id: number
  end(): Promise<void>
}

async function lockConnection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'recoup test run' })
  // A dropped lock connection must not crash the suite: the 'end' listener takes the lock back.
  client.on('error', (err) => console.warn(`test run lock connection lost: ${err.message}`))
  await client.connect()
  return client
}

async function tryRunLock(client: pg.Client, id: number): Promise<boolean> {
  const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [TEST_RUN_LOCK_CLASS, id])
  return rows[0]!.got
}

/**
 * Starts a suite run: picks an id no live run has and holds its lock on a connection of its own,
 * taking it back on a new connection whenever that one drops, until `end`.
 */
export async function startTestRun(url: string): Promise<TestRun> {
  let client = await lockConnection(url)
  let id: number
  try {
    do id = randomInt(1, 2 ** 31 - 1)
    while (!(await tryRunLock(client, id)))
  } catch (err) {
    await client.end()
    throw err
  }
  let ended = false
  let relocking: Promise<void> | undefined

  const relock = async (): Promise<void> => {
    while (!ended) {
      await new Promise((r) => setTimeout(r, RELOCK_DELAY_MS).unref())
      if (ended) return
      let next: pg.Client | undefined
      try {
        next = await lockConnection(url)
        // Another run's cleanup may hold the lock for a moment while it looks; it lets go.
        if (ended || !(await tryRunLock(next, id))) {
          await next.end()
          continue
        }
        client = next
        watch(next)
        console.warn(`test run ${id} holds its lock again`)
        return
      } catch (err) {
        console.warn(`test run ${id} could not take its lock back yet: ${(err as Error).message}`)
        await next?.end().catch(() => {})
      }
    }
  }
  const watch = (c: pg.Client): void => {
    c.once('end', () => {
      if (ended || c !== client) return
      relocking = relock().finally(() => (relocking = undefined))
    })
  }
  watch(client)

  return {
    id,
    async end() {
      try {
        await dropSchemas(url, await listSchemas(url, (name) => name.startsWith(runSchemaPrefix(id))))
      } finally {
        ended = true
        await relocking
        await client.end().catch(() => {})
      }
    },
  }
}

/**
 * Drops the schemas of runs that are over: nobody holds the run's lock (this connection takes it
 * while it drops, so the run's id cannot start again meanwhile) and its newest schema is older
 * than `graceMs`. A live run's schemas are never touched. Returns the names dropped.
 */
export async function dropDeadRunSchemas(url: string, options: { now?: number; graceMs?: number } = {}): Promise<string[]> {
  const now = options.now ?? Date.now()
  const graceMs = options.graceMs ?? RUN_SCHEMA_GRACE_MS
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
      if (now - newestCreation(names) <= graceMs) continue
      if (!(await tryRunLock(client, run))) continue
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

/** When the newest of a run's schemas was created; a name without a time counts as just now. */
function newestCreation(names: readonly string[]): number {
  let newest = 0
  for (const name of names) {
    const m = RUN_SCHEMA_TIME.exec(name)
    const at = m ? parseInt(m[1]!, 36) : Number.NaN
    newest = Math.max(newest, Number.isFinite(at) ? at : Number.POSITIVE_INFINITY)
  }
  return newest
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
