import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, TEST_KEY, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
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

describe.skipIf(!postgres)('when PostgreSQL is out of reach', () => {
  let app: Awaited<ReturnType<typeof testApp>> | undefined
  let link: ReturnType<typeof relay> | undefined
  afterEach(async () => {
    await link?.up().catch(() => {})
    await app?.close()
    await link?.down()
  })

  it('answers 503 problem+json with Retry-After (never 500), stores nothing, and works again once it is back', async () => {
    const direct = new URL(await postgres!.freshDatabaseUrl())
    const port = await freePort()
    link = relay(direct, port)
    await link.up()
    const viaRelay = new URL(direct)
    viaRelay.hostname = '127.0.0.1'
    viaRelay.port = String(port)
    app = await testApp(postgres!, { databaseUrl: viaRelay.toString(), env: { RECOUP_WORKER: 'false' } })
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })

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
      const r = await app!.inject('POST', '/v1/events', paymentFailed('e_outage'))
      return r.status === 202 && r
    })
    expect(again.body).toMatchObject({ event_id: 'e_outage', duplicate: false })
    expect((await app.inject('GET', '/v1/events/e_outage')).status).toBe(200)
  })
})
