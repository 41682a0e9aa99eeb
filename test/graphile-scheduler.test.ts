import pg from 'pg'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { lifelineName, migrateWorkerQueue } from '../src/queue/postgres/scheduler.js'
import { workerSchemaFor } from '../src/queue/job-queue.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { withPgClient } from './helpers/pg.js'
import { eventually } from './helpers/server.js'

const postgres = DIALECTS.find((d) => d.name === 'postgres')
const STOPPED = 'the graphile-worker pool stopped'

/** A logger whose warnings and errors the test can read. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = []
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, messages: () => lines.map((l) => l.msg) }
}

describe.skipIf(!postgres)('graphile-worker pool on postgres', () => {
  let app: Awaited<ReturnType<typeof testApp>> | undefined
  afterEach(async () => app?.close())

  async function startApp(log: ReturnType<typeof capturedLogger>) {
    app = await testApp(postgres!, { logger: log.logger })
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    await app.inject('POST', '/v1/workflows', {
      id: 'wf_tag', name: 'Tag', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
      steps: [{ id: 'tag', type: 'update_customer', add_tags: ['late'] }],
    })
    return app
  }

  async function completes(eventId: string) {
    const run = (await app!.inject('POST', '/v1/events', paymentFailed(eventId))).body.runs[0].id
    await eventually(async () => (await app!.inject('GET', `/v1/runs/${run}`)).body.status === 'completed')
  }

  it("keeps working when another schema in the database installs graphile-worker (a breaking-migration notice that is not ours)", async () => {
    const log = capturedLogger()
    await startApp(log)
    await completes('e_before')
    // Another tenant (or test) installs graphile-worker in its own schema: its migrations send
    // database-wide worker:migrate notices marked breaking.
    const otherUrl = await postgres!.freshDatabaseUrl()
    const pool = new pg.Pool({ connectionString: otherUrl, max: 2 })
    try {
      await migrateWorkerQueue({ pool, schema: workerSchemaFor(otherUrl) })
    } finally {
      await pool.end()
    }
    await completes('e_after')
    expect(log.messages().filter((m) => m.includes(STOPPED))).toEqual([])
  })

  it("opens a new lifeline when its connection is cut, takes its alive locks again, and frees a dead worker's jobs", async () => {
    const log = capturedLogger()
    const a = await startApp(log)
    await completes('e_first')
    const schema = workerSchemaFor(a.config.databaseUrl)
    await withPgClient(a.config.databaseUrl, async (admin) => {
      const lifelines = async () =>
        (await admin.query<{ pid: number; locks: string }>(
          `select a.pid, (select count(*) from pg_locks l where l.pid = a.pid and l.locktype = 'advisory' and l.granted) as locks
           from pg_stat_activity a where a.application_name = $1`,
          [lifelineName(schema)],
        )).rows
      const [before] = await lifelines()
      expect(Number(before!.locks)).toBeGreaterThan(0)
      await admin.query('select pg_terminate_backend($1)', [before!.pid])
      const [after] = await eventually(async () => {
        const rows = await lifelines()
        return rows.length === 1 && rows[0]!.pid !== before!.pid && Number(rows[0]!.locks) === Number(before!.locks) && rows
      })
      expect(after!.pid).not.toBe(before!.pid)
      expect(log.messages().some((m) => m.includes('worker lifeline connection lost'))).toBe(true)
      await completes('e_second')

      // A job held by a worker that died (nobody holds its alive lock) is freed by our sweeper.
      await admin.query(`select "${schema}".add_job('advance_run', json_build_object('run_id', 'run_gone'), job_key := 'run_gone')`)
      await admin.query(`update "${schema}"._private_jobs set locked_by = 'worker-that-died', locked_at = now() - interval '1 minute' where key = 'run_gone'`)
      await eventually(async () => {
        const held = await admin.query(`select 1 from "${schema}"._private_jobs where locked_by = 'worker-that-died'`)
        return held.rowCount === 0
      })
    })
  })

  it('stops its pool when its own schema moves to a newer breaking revision, and says why it cannot go on', async () => {
    const log = capturedLogger()
    const a = await startApp(log)
    await completes('e_ok')
    const schema = workerSchemaFor(a.config.databaseUrl)
    await withPgClient(a.config.databaseUrl, async (client) => {
      // What a newer graphile-worker's migration would leave behind, and the notice it sends.
      await client.query(`insert into "${schema}".migrations (id, breaking) values (999999, true)`)
      await client.query(`select pg_notify('worker:migrate', '{"migrationNumber":999999,"breaking":true}')`)
    })
    await eventually(async () => log.messages().some((m) => m.includes(STOPPED)))
    await eventually(async () => log.messages().some((m) => m.includes('starting a graphile-worker pool failed')))
  })
})
