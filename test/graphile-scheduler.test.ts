import pg from 'pg'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateWorkerQueue } from '../src/engine/graphile-scheduler.js'
import { workerSchemaFor } from '../src/store/job-queue.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
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

  it('stops its pool when its own schema moves to a newer breaking revision, and says why it cannot go on', async () => {
    const log = capturedLogger()
    const a = await startApp(log)
    await completes('e_ok')
    const schema = workerSchemaFor(a.config.databaseUrl)
    const client = new pg.Client({ connectionString: a.config.databaseUrl })
    await client.connect()
    try {
      // What a newer graphile-worker's migration would leave behind, and the notice it sends.
      await client.query(`insert into "${schema}".migrations (id, breaking) values (999999, true)`)
      await client.query(`select pg_notify('worker:migrate', '{"migrationNumber":999999,"breaking":true}')`)
    } finally {
      await client.end()
    }
    await eventually(async () => log.messages().some((m) => m.includes(STOPPED)))
    await eventually(async () => log.messages().some((m) => m.includes('starting a graphile-worker pool failed')))
  })
})
