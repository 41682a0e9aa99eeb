import { createServer as createHttpServer, type ServerResponse } from 'node:http'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { BuildOptions } from '../src/app.js'
import { workerSchemaFor } from '../src/queue/job-queue.js'
import { DIALECTS, TEST_KEY, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { withPgClient } from './helpers/pg.js'
import { eventually, freePort } from './helpers/server.js'

const postgres = DIALECTS.find((d) => d.name === 'postgres')

/** A TCP relay to PostgreSQL that the test can take down (connections cut, port refused) and bring back. */
function relay(target: URL, port: number) {
  let server: Server | undefined
  const sockets = new Set<Socket>()
  return {
    async up() {
      if (server) return
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {})
        }
        client.pipe(upstream).pipe(client)
      })
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()))
    },
    async down() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
      server = undefined
    },
  }
}

type TestAppT = Awaited<ReturnType<typeof testApp>>

describe.skipIf(!postgres)('when PostgreSQL is out of reach', () => {
  let app: TestAppT | undefined
  let link: ReturnType<typeof relay> | undefined
  afterEach(async () => {
    await link?.up().catch(() => {})
    await app?.close()
    await link?.down()
  })

  /** Waits until all `n` runs of the webhook workflow have completed once the outage is over. */
  async function allCompleted(app: TestAppT, n: number) {
    await eventually(
      async () => {
        const page = await app.inject('GET', '/v1/runs?workflow_id=wf_hook&status=completed&limit=200')
        return page.status === 200 && page.body.data.length === n
      },
      60_000,
      'every run to complete after the outage',
    )
  }

  /** An app on a fresh schema whose every connection goes through a relay the test controls. */
  async function appBehindRelay(env: Record<string, string>, options: { logger?: BuildOptions['logger'] } = {}) {
    const direct = new URL(await postgres!.freshDatabaseUrl())
    const port = await freePort()
    link = relay(direct, port)
    await link.up()
    const viaRelay = new URL(direct)
    viaRelay.hostname = '127.0.0.1'
    viaRelay.port = String(port)
    app = await testApp(postgres!, { databaseUrl: viaRelay.toString(), env, logger: options.logger })
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    return { app, link, direct: direct.toString() }
  }

  it('answers 503 problem+json with Retry-After (never 500), stores nothing, and works again once it is back', async () => {
    const { app, link } = await appBehindRelay({ RECOUP_WORKER: 'false' })
    await link.down()
    const res = await app.http.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${TEST_KEY}` },
      payload: paymentFailed('e_outage'),
    })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.headers['retry-after']).toBe('1')
    expect(res.json()).toMatchObject({ type: '/problems/database_unavailable', status: 503 })

    await link.up()
    // The pool replaces the dead connections; the same event is then accepted, once.
    const again = await eventually(async () => {
      const r = await app.inject('POST', '/v1/events', paymentFailed('e_outage'))
      return r.status === 202 && r
    })
    expect(again.body).toMatchObject({ event_id: 'e_outage', duplicate: false })
    expect((await app.inject('GET', '/v1/events/e_outage')).status).toBe(200)
  })

  // With graphile-worker's local queue too: a pool that stops with prefetched jobs it cannot hand
  // back ends in a failed forceful shutdown, after which it must still be replaced.
  it.each([{ localQueue: false }, { localQueue: true }])('completes every run when the connection is cut while steps are in flight, repeating only those (local queue: $localQueue)', async ({ localQueue }) => {
    // A slow receiver keeps webhook steps in flight when the database goes away.
    const calls: string[] = []
    const hook = createHttpServer((req, res) => {
      calls.push(String(req.headers['webhook-id']))
      setTimeout(() => res.writeHead(204).end(), 100)
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()))
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`
    try {
      const concurrency = 8
      const { app, link } = await appBehindRelay({
        RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_CONCURRENCY: String(concurrency), RECOUP_POLL_MS: '100', RECOUP_PG_LOCAL_QUEUE: localQueue ? String(concurrency) : '0',
      })
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_hook', name: 'Hook', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'call', type: 'webhook', url: hookUrl, body: '{}' }, { id: 'tag', type: 'update_customer', add_tags: ['called'] }],
      })
      const n = 80
      const events = Array.from({ length: n }, (_, i) => paymentFailed(`e_${i}`, { customer: `cus_${i}`, subscription: `sub_${i}` }))
      expect((await app.inject('POST', '/v1/events', { events })).body.accepted).toBe(n)

      await eventually(async () => calls.length >= 20)
      await link.down()
      await new Promise((r) => setTimeout(r, 1500))
      await link.up()

      await allCompleted(app, n)
      const repeats = calls.length - new Set(calls).size
      console.log(`[database outage] ${n} runs completed; ${calls.length} webhook calls for ${new Set(calls).size} steps → ${repeats} repeated`)
      expect(new Set(calls).size).toBe(n)
      // Only steps in flight when the connection went away may run twice.
      expect(repeats).toBeLessThanOrEqual(concurrency)
    } finally {
      await new Promise<void>((r) => hook.close(() => r()))
    }
  }, 120_000)

  it("completes every run when the connection is cut while the local queue holds prefetched jobs, without an unhandled rejection from its hand-back", async () => {
    // graphile-worker 0.17 hands a local queue's prefetched jobs back when its pool stops; with the
    // database out of reach that hand-back rejected outside any handler, and vitest fails a run
    // on an unhandled rejection. The webhook receiver holds its first calls so that both workers
    // are busy and the rest of the batch waits in the local queue when the connection goes.
    const calls: string[] = []
    const held: ServerResponse[] = []
    let holding = true
    const hook = createHttpServer((req, res) => {
      calls.push(String(req.headers['webhook-id']))
      if (holding) held.push(res)
      else res.writeHead(204).end()
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()))
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`
    const lines: { msg: string }[] = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const logged = (text: string) => lines.some((l) => l.msg.includes(text))
    try {
      const concurrency = 2
      const n = 10
      const { app, link, direct } = await appBehindRelay(
        { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true', RECOUP_CONCURRENCY: String(concurrency), RECOUP_PG_LOCAL_QUEUE: String(n), RECOUP_POLL_MS: '100' },
        { logger },
      )
      await app.inject('POST', '/v1/workflows', {
        id: 'wf_hook', name: 'Hook', status: 'active', trigger: { type: 'payment.failed', products: ['prod_pro'] },
        steps: [{ id: 'call', type: 'webhook', url: hookUrl, body: '{}' }, { id: 'tag', type: 'update_customer', add_tags: ['called'] }],
      })
      const events = Array.from({ length: n }, (_, i) => paymentFailed(`e_${i}`, { customer: `cus_${i}`, subscription: `sub_${i}` }))
      expect((await app.inject('POST', '/v1/events', { events })).body.accepted).toBe(n)

      // Every job is locked (fetched in one batch) while only `concurrency` of them reached the receiver.
      await eventually(async () => held.length === concurrency)
      await withPgClient(direct, async (admin) => {
        const locked = await admin.query<{ n: string }>(`select count(*) as n from "${workerSchemaFor(direct)}"._private_jobs where locked_by is not null`)
        expect(Number(locked.rows[0]!.n)).toBe(n)
      })
      expect(calls).toHaveLength(concurrency)

      // The held steps finish with the database gone: their outcome cannot be written, the pool
      // stops, and its local queue cannot hand the waiting jobs back.
      await link.down()
      holding = false
      for (const res of held) res.writeHead(204).end()
      await eventually(async () => logged('Releasing local queue failed'), 30_000, 'the local queue hand-back to fail')
      await link.up()

      await allCompleted(app, n)
      expect(logged('the graphile-worker pool stopped; starting a new one')).toBe(true)
      expect(new Set(calls).size).toBe(n)
      // Only the steps in flight when the connection went away may run twice.
      expect(calls.length - n).toBeLessThanOrEqual(concurrency)
    } finally {
      holding = false
      for (const res of held) if (!res.writableEnded) res.writeHead(204).end()
      await new Promise<void>((r) => hook.close(() => r()))
    }
  }, 120_000)
})
