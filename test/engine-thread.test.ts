import { existsSync, statSync } from 'node:fs'
import { Writable } from 'node:stream'
import SqliteDatabase from 'better-sqlite3'
import { sql } from 'kysely'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { ResourceBusyError } from '../src/domain/errors.js'
import { EngineThread } from '../src/runs/engine-thread.js'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, recoveryWorkflow } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

// The engine thread runs on SQLite files only; these tests use SQLite whatever the suite's dialects.
const sqlite = DIALECTS.find((d) => d.name === 'sqlite')!
type TestAppT = Awaited<ReturnType<typeof testApp>>

/** A pino logger whose lines land in `lines` (parsed). */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>)
        done()
      },
    }),
  )
  return { lines, logger }
}

async function runOf(app: TestAppT, id: string) {
  return (await app.inject('GET', `/v1/runs/${id}`)).body as { status: string; steps: { status: string }[] }
}

/** Starts a run of the recovery workflow (email, tag, alert, wait, SMS) and returns its id. */
async function startRun(app: TestAppT, id: string, wait = 'PT1S'): Promise<string> {
  if ((await app.inject('GET', '/v1/workflows/wf_pro_recovery')).status === 404) {
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    await app.inject('POST', '/v1/workflows', recoveryWorkflow({ wait }))
  }
  const { body } = await app.inject('POST', '/v1/events', paymentFailed(id))
  return body.runs[0].id as string
}

describe('the engine thread (SQLite file)', () => {
  let app: TestAppT | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  it('runs steps off the HTTP thread, forwards its logs and step timings, and shuts down cleanly', async () => {
    const { lines, logger } = capturingLogger()
    app = await testApp(sqlite, { logger })
    expect(app.engine).toBeUndefined()
    expect(app.scheduler).toBeInstanceOf(EngineThread)
    const runId = await startRun(app, 'evt_thread_1')
    const done = await eventually(async () => {
      const r = await runOf(app!, runId)
      return r.status === 'completed' && r
    })
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed'])
    expect((await app.inject('GET', '/v1/messages?channel=sms')).body.data).toHaveLength(1)
    // Its log line came through this thread's logger, marked as the engine thread's.
    expect(lines.find((l) => l.msg === 'the engine thread is running')).toMatchObject({ thread: 'engine', level: 30 })
    // Step timings observed on the engine thread show in this process's /metrics.
    const metrics = await app.http.inject({ url: '/metrics', headers: { authorization: `Bearer ${'rk_test_key_for_the_suite_0123456789'}` } })
    expect(metrics.body).toMatch(/recoup_step_duration_seconds_count\{type="send_email",status="completed"\} 1\b/)
    expect(metrics.body).toMatch(/recoup_step_duration_seconds_count\{type="send_sms",status="completed"\} 1\b/)
    await app.close()
    app = undefined
  })

  it('keeps one owner per file, while the data file stays readable for an online backup', async () => {
    app = await testApp(sqlite)
    const file = app.store.location
    const runId = await startRun(app, 'evt_thread_2', 'P3D')
    await eventually(async () => (await runOf(app!, runId)).status === 'waiting')
    // A second store on the file is refused, in this process as in another.
    await expect(testApp(sqlite, { databaseUrl: file })).rejects.toBeInstanceOf(ResourceBusyError)
    expect(existsSync(`${file}-owner`)).toBe(true)
    // SQLite's online backup (what `sqlite3 recoup.db .backup` runs) copies it while Recoup runs.
    const reader = new SqliteDatabase(file, { readonly: true })
    const copy = `${file}.backup`
    try {
      await reader.backup(copy)
    } finally {
      reader.close()
    }
    const backup = new SqliteDatabase(copy, { readonly: true })
    try {
      expect(backup.prepare('select status from runs where id = ?').get(runId)).toEqual({ status: 'waiting' })
    } finally {
      backup.close()
    }
  })

  it('starts a thread that died again; the run it was working on carries on', async () => {
    const { lines, logger } = capturingLogger()
    app = await testApp(sqlite, { logger })
    const thread = app.scheduler as EngineThread
    const runId = await startRun(app, 'evt_thread_3', 'PT2S')
    await eventually(async () => (await runOf(app!, runId)).status === 'waiting')
    await thread.kill()
    expect(lines.some((l) => l.msg === 'the engine thread stopped unexpectedly; starting it again')).toBe(true)
    // The wait ends and the SMS goes out from the new thread.
    const done = await eventually(async () => (await runOf(app!, runId)).status === 'completed', 30_000, 'the run to complete after the restart')
    expect(done).toBe(true)
    expect(lines.filter((l) => l.msg === 'the engine thread is running')).toHaveLength(2)
  })

  it("checkpoints the write-ahead log on the engine thread, never in the HTTP thread's commits", async () => {
    app = await testApp(sqlite)
    const file = app.store.location
    // ~20,000 events of distinct customers: far more than the 1,000 pages (4 MB) after which a
    // committing connection would checkpoint by itself. The HTTP thread's connection never does.
    for (let b = 0; b < 20; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => paymentFailed(`evt_wal_${b}_${i}`, { customer: `cus_${b}_${i}`, subscription: `sub_${b}_${i}` }))
      expect((await app.inject('POST', '/v1/events', { events })).status).toBe(202)
    }
    // This thread's connection never checkpoints by itself.
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(app.store.db)
    expect(auto.rows[0]!.wal_autocheckpoint).toBe(0)
    // Yet data reached the database file itself, which only a checkpoint does, and the log was
    // started again from its beginning (past 16 MB the engine thread finishes the checkpoint at the
    // write gate) instead of holding everything written (~40 MB).
    await eventually(async () => statSync(file).size > 8 * 1024 * 1024, 20_000, 'a checkpoint by the engine thread')
    expect(statSync(`${file}-wal`).size).toBeLessThan(32 * 1024 * 1024)
  })

  it('stays on the HTTP thread when RECOUP_ENGINE_THREAD=false', async () => {
    app = await testApp(sqlite, { env: { RECOUP_ENGINE_THREAD: 'false' } })
    expect(app.engine).toBeDefined()
    expect(app.scheduler).not.toBeInstanceOf(EngineThread)
    const runId = await startRun(app, 'evt_thread_4')
    await eventually(async () => (await runOf(app!, runId)).status === 'completed')
  })
})
