// Two suite runs on one PostgreSQL test database, each in a process of its own: the cleanup one
// runs at its start must drop the schemas of a run that died, and never those of a run still
// going, even one whose lock connection was cut under it.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { runSchemaPrefix, TEST_RUN_LOCK_CLASS, withPgClient } from './helpers/pg.js'
import { ROOT } from './helpers/server.js'

const url = process.env.TEST_DATABASE_URL

/** A stand-in suite run (helpers/suite-run-child.ts) and a way to send it commands. */
interface ChildRun {
  readonly run: number
  readonly process: ChildProcess
  send(cmd: object): Promise<any>
  stderr(): string
}

const children: ChildRun[] = []

async function startChildRun(): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'helpers', 'suite-run-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEST_DATABASE_URL: url },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async (): Promise<any> => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`suite run child ended early:\n${err}`)
    return JSON.parse(value as string)
  }
  const ready = await next()
  const handle: ChildRun = {
    run: ready.run,
    process: child,
    async send(cmd) {
      child.stdin!.write(`${JSON.stringify(cmd)}\n`)
      const answer = await next()
      if (answer.error) throw new Error(`child run ${ready.run}: ${answer.error}\n${err}`)
      return answer
    },
    stderr: () => err,
  }
  children.push(handle)
  return handle
}

const schemaExists = async (name: string): Promise<boolean> =>
  withPgClient(url!, async (c) => (await c.query('select 1 from pg_namespace where nspname = $1', [name])).rowCount === 1)

/** The backend pid holding run `run`'s lock, if anyone holds it. */
const lockHolder = async (run: number): Promise<number | undefined> =>
  withPgClient(url!, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      `select pid from pg_locks where locktype = 'advisory' and granted and classid = $1::bigint::oid and objid = $2::bigint::oid and objsubid = 2`,
      [TEST_RUN_LOCK_CLASS, run],
    )
    return rows[0]?.pid
  })

async function eventually<T>(probe: () => Promise<T | false | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe()
    if (v) return v
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`never happened: ${what}`)
}

/** A run that made a schema and died without cleaning up (kill -9): its lock went with its connections. */
async function killedRunWithSchema(): Promise<string> {
  const run = await startChildRun()
  const schema = (await run.send({ do: 'schema' })).schema as string
  run.process.kill('SIGKILL')
  await eventually(async () => (await lockHolder(run.run)) === undefined, 'the killed run lets go of its lock')
  return schema
}

describe.skipIf(!url)('two suite runs side by side on one PostgreSQL database', () => {
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL')
    // Whatever a failed test left behind.
    await withPgClient(url!, async (c) => {
      const { rows } = await c.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_r%'`)
      for (const { nspname } of rows) {
        if (children.some((ch) => nspname.startsWith(runSchemaPrefix(ch.run)))) await c.query(`drop schema if exists "${nspname}" cascade`)
      }
    })
  })

  it("drops a dead run's schemas and keeps a live run's, even after its lock connection was cut", async () => {
    const deadSchema = await killedRunWithSchema()

    const live = await startChildRun()
    const liveOwn = await live.send({ do: 'schema' })
    expect(liveOwn.schema.startsWith(runSchemaPrefix(live.run))).toBe(true)

    // Its lock connection is cut; the run takes its lock back on a new one.
    const before = await lockHolder(live.run)
    expect(before).toBeDefined()
    await withPgClient(url!, (c) => c.query('select pg_terminate_backend($1)', [before]))
    await eventually(async () => {
      const now = await lockHolder(live.run)
      return now !== undefined && now !== before
    }, 'the live run holds its lock again')

    // A second run starts beside it and cleans up as its global setup does; graceMs 0 stands for
    // a cleanup long after the dead run's schema was made, so only the locks decide.
    const other = await startChildRun()
    const otherOwn = await other.send({ do: 'schema' })
    const { dropped } = await other.send({ do: 'cleanup', graceMs: 0 })
    expect(dropped).toContain(deadSchema)
    expect(dropped.some((n: string) => n.startsWith(runSchemaPrefix(live.run)) || n.startsWith(runSchemaPrefix(other.run)))).toBe(false)
    expect(await schemaExists(deadSchema)).toBe(false)
    expect(await schemaExists(liveOwn.schema)).toBe(true)
    expect(await schemaExists(otherOwn.schema)).toBe(true)
    // The live run still works in its schema, and the cleaner's in its own.
    expect((await live.send({ do: 'read', url: liveOwn.url })).run).toBe(live.run)
    expect((await other.send({ do: 'read', url: otherOwn.url })).run).toBe(other.run)

    // The live run, cleaning up in turn, leaves the other one alone too.
    expect((await live.send({ do: 'cleanup', graceMs: 0 })).dropped).toEqual([])

    // Each run's end drops its own schemas only, and frees its id.
    await other.send({ do: 'end' })
    expect(await schemaExists(otherOwn.schema)).toBe(false)
    expect(await schemaExists(liveOwn.schema)).toBe(true)
    await live.send({ do: 'end' })
    expect(await schemaExists(liveOwn.schema)).toBe(false)
    expect(await lockHolder(live.run)).toBeUndefined()
  })

  it('keeps the schemas of a run without its lock while they are recent', async () => {
    const schema = await killedRunWithSchema()
    // Nothing proves the run is over yet (it may be taking a cut lock back): its schema stays.
    const cleaner = await startChildRun()
    expect((await cleaner.send({ do: 'cleanup' })).dropped).not.toContain(schema)
    expect(await schemaExists(schema)).toBe(true)
    // Once it is older than the grace period, it goes.
    expect((await cleaner.send({ do: 'cleanup', now: Date.now() + 24 * 3_600_000 })).dropped).toContain(schema)
    expect(await schemaExists(schema)).toBe(false)
    await cleaner.send({ do: 'end' })
  })
})
