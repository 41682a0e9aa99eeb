// One stand-in suite run in a process of its own, for test/suite-runs.test.ts: it starts a run the
// way global setup does, then obeys one JSON command per stdin line and answers one JSON line each.
//   {"do":"schema"}           a fresh schema through the suite's own helper, with a row in it
//   {"do":"read","url":...}   reads that row back (does the schema still exist?)
//   {"do":"cleanup",...opts}  dropDeadRunSchemas, as the next run's global setup would
//   {"do":"end"}              ends the run (drops its schemas, frees its id) and exits
import { createInterface } from 'node:readline'
import { withPgClient, dropDeadRunSchemas, startTestRun, TEST_RUN_ENV } from './pg.js'

const url = process.env.TEST_DATABASE_URL
if (!url) throw new Error('TEST_DATABASE_URL is not set')
const run = await startTestRun(url)
process.env[TEST_RUN_ENV] = String(run.id)
// Imported after the run id is set, as a forked test worker would see it.
const { DIALECTS } = await import('./dialects.js')
const postgres = DIALECTS.find((d) => d.name === 'postgres')!

const say = (answer: object) => process.stdout.write(`${JSON.stringify(answer)}\n`)
say({ ready: true, run: run.id, pid: process.pid })

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { do: string; url?: string; now?: number; graceMs?: number }
  try {
    if (cmd.do === 'schema') {
      const schemaUrl = await postgres.freshDatabaseUrl()
      await withPgClient(schemaUrl, async (c) => {
        await c.query('create table probe (run bigint not null)')
        await c.query('insert into probe (run) values ($1)', [run.id])
      })
      const schema = /search_path=(\S+)/.exec(new URL(schemaUrl).searchParams.get('options') ?? '')![1]
      say({ schema, url: schemaUrl })
    } else if (cmd.do === 'read') {
      const { rows } = await withPgClient(cmd.url!, (c) => c.query<{ run: string }>('select run from probe'))
      say({ run: Number(rows[0]!.run) })
    } else if (cmd.do === 'cleanup') {
      say({ dropped: await dropDeadRunSchemas(url, { now: cmd.now, graceMs: cmd.graceMs }) })
    } else if (cmd.do === 'end') {
      await run.end()
      say({ ended: true })
      break
    } else {
      say({ error: `unknown command ${cmd.do}` })
    }
  } catch (err) {
    say({ error: (err as Error).message })
  }
}
process.exit(0)
