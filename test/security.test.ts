import Database from 'better-sqlite3'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ADVANCE_ERRORS } from '../src/runs/engine.js'
import { routeTable } from '../src/http/server.js'
import { DIALECTS, TEST_KEY, TestClock, testApp } from './helpers/dialects.js'
import { paymentFailed, recoveryWorkflow } from './helpers/fixtures.js'

const [sqlite] = DIALECTS
const METRICS_TOKEN = 'metrics_token_for_the_suite_0123'

/** Sends raw bytes over a socket and returns what came back (status, headers, body). */
async function rawRequest(base: string, bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => (data += chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n')
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body })
    })
    socket.write(bytes)
    // Keep-alive connections stay open; half-close so the server finishes and closes.
    setTimeout(() => socket.end(), 200)
  })
}

/** A concrete path for a route pattern (`:id` and `*` filled in). */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, 'x_1').replace(/\*$/, 'x_1')
}

/** Other spellings of the same path that the router still matches. */
function spellings(path: string): string[] {
  const encodeAt = (i: number) => `${path.slice(0, i)}%${path.charCodeAt(i).toString(16).toUpperCase()}${path.slice(i + 1)}`
  const letters = [...path].map((c, i) => (/[a-z0-9]/i.test(c) ? i : -1)).filter((i) => i >= 0)
  return [path, encodeAt(letters[0]!), encodeAt(letters[1]!), encodeAt(letters.at(-1)!)]
}

describe('security: authentication is decided per route', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  let base: string
  beforeAll(async () => {
    app = await testApp(sqlite, {
      env: {
        RECOUP_WORKER: 'false',
        RECOUP_PORT: '0',
        RECOUP_METRICS_TOKEN: METRICS_TOKEN,
        RECOUP_STRIPE_WEBHOOK_SECRET: 'whsec_test_secret_for_the_suite',
        RECOUP_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
        RECOUP_TWILIO_AUTH_TOKEN: 'twilio_auth_token_for_tests',
        RECOUP_TWILIO_FROM: '+15555550199',
      },
    })
    base = await app.listen()
  })
  afterAll(async () => app.close())

  // A route that needs no API key must be one of these, by decision. Anything else needs a key.
  const NOT_BY_KEY: Record<string, string> = {
    'GET /healthz': 'public',
    'HEAD /healthz': 'public',
    'GET /openapi.json': 'public',
    'HEAD /openapi.json': 'public',
    'GET /metrics': 'metrics-token',
    'HEAD /metrics': 'metrics-token',
    'POST /v1/webhooks/stripe': 'signature',
    'POST /v1/webhooks/twilio': 'signature',
  }

  it('every route declares how it is authenticated, and only the listed ones skip the API key', () => {
    const routes = routeTable(app.http)
    expect(routes.length).toBeGreaterThan(30)
    for (const r of routes) {
      const key = `${r.method} ${r.url}`
      if (r.url.startsWith('/portal/') || r.url.startsWith('/l/')) expect(r.auth, key).toBe('link-token')
      else expect(r.auth, key).toBe(NOT_BY_KEY[key] ?? 'api-key')
    }
  })

  it('every route that needs a key answers 401 without one, under every spelling of its path', async () => {
    const keyed = routeTable(app.http).filter((r) => r.auth === 'api-key' || r.auth === 'metrics-token')
    expect(keyed.length).toBeGreaterThan(25)
    for (const r of keyed) {
      for (const path of spellings(concrete(r.url))) {
        const res = await fetch(`${base}${path}`, {
          method: r.method,
          ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { body: '{"name":"x"}', headers: { 'content-type': 'application/json' } } : {}),
        })
        expect(res.status, `${r.method} ${path}`).toBe(401)
        if (r.method !== 'HEAD') expect(res.headers.get('content-type'), `${r.method} ${path}`).toMatch(/^application\/problem\+json/)
      }
    }
  })

  it('the reported bypasses are closed: encoded and absolute-form targets get 401', async () => {
    const mint = await fetch(`${base}/%761/keys`, { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } })
    expect(mint.status).toBe(401)
    expect((await fetch(`${base}/v%31/customers`)).status).toBe(401)
    const absolute = await rawRequest(base, 'GET http://x/v1/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(absolute.status).toBe(401)
    const keys = await app.inject('GET', '/v1/keys')
    expect(keys.body.data).toHaveLength(0)
  })

  it('/metrics takes the metrics token or an API key, nothing else', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401)
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-0000000' } })).status).toBe(401)
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200)
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } })).status).toBe(200)
    // The metrics token is not an API key.
    expect((await fetch(`${base}/v1/customers`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401)
  })

  it('framework errors are problem+json: bad encoding, long parameters, huge headers, malformed request lines', async () => {
    const badEncoding = await fetch(`${base}/v1/customers/%zz`, { headers: { authorization: `Bearer ${TEST_KEY}` } })
    expect(badEncoding.status).toBe(400)
    expect(badEncoding.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await badEncoding.json()).toMatchObject({ type: '/problems/bad_url', status: 400 })

    const long = await fetch(`${base}/v1/events/${'a'.repeat(3000)}`, { headers: { authorization: `Bearer ${TEST_KEY}` } })
    expect(long.status).toBe(414)
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/)

    const bigHeaders = await rawRequest(base, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(bigHeaders.status).toBe(431)
    expect(bigHeaders.headers).toContain('content-type: application/problem+json')
    expect(JSON.parse(bigHeaders.body)).toMatchObject({ type: '/problems/headers_too_large', status: 431 })

    for (const line of ['GARBAGE\r\n\r\n', 'GET /healthz HTTP/9.9\r\n\r\n', 'GET  HTTP/1.1\r\n\r\n', 'G\u0000T / HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const res = await rawRequest(base, line)
      expect(res.status, JSON.stringify(line)).toBe(400)
      expect(res.headers, JSON.stringify(line)).toContain('content-type: application/problem+json')
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) })
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })

  it('the dashboard ships no source map and sends CSP and frame-ancestors', async () => {
    const page = await fetch(`${base}/`)
    if (page.status === 200 && (page.headers.get('content-type') ?? '').startsWith('text/html')) {
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("script-src 'self'")
      const html = await page.text()
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
      expect(script).toBeDefined()
      const map = await fetch(`${base}${script}.map`)
      expect(map.headers.get('content-type')).not.toMatch(/json/)
      expect(await map.text()).not.toContain('"mappings"')
    } else {
      expect.fail('the dashboard is not built (dist/web): run npm install')
    }
  })

  it('a malformed multipart body to the portal is a 4xx page, never a 500', async () => {
    const res = await fetch(`${base}/portal/unsubscribe/anything`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: 'garbage' })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })
})

describe('security: input the store cannot keep is refused at the edge', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => {
    app = await testApp(sqlite, { env: { RECOUP_WORKER: 'false' } })
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    await app.inject('POST', '/v1/workflows', recoveryWorkflow())
  })
  afterAll(async () => app.close())

  const post = (url: string, raw: string) =>
    app.http.inject({ method: 'POST', url, payload: raw, headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' } })

  it('a lone surrogate anywhere (value or key) is a 422 naming the field, and nothing is stored', async () => {
    const event = JSON.stringify(paymentFailed('evt_surrogate', { customer: 'cus_PLACEHOLDER' })).replace('cus_PLACEHOLDER', 'cus_\\ud800')
    const res = await post('/v1/events', event)
    expect(res.statusCode).toBe(422)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'customer.id' })])
    expect((await app.inject('GET', '/v1/events/evt_surrogate')).status).toBe(404)

    const inKey = JSON.stringify({ ...paymentFailed('evt_key'), metadata: { PLACEHOLDER: 1 } }).replace('PLACEHOLDER', 'k\\udc00')
    const keyRes = await post('/v1/events', inKey)
    expect(keyRes.statusCode).toBe(422)
    expect(keyRes.json().errors[0].path).toMatch(/^metadata\./)

    const put = await app.http.inject({ method: 'PUT', url: '/v1/customers/cus_1', payload: '{"name":"A\\udbff"}', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' } })
    expect(put.statusCode).toBe(422)
    expect(put.json().errors[0].path).toBe('name')
    // A well-formed pair (an emoji) is fine.
    const emoji = await post('/v1/events', JSON.stringify(paymentFailed('evt_emoji', { customer: 'cus_\u{1F600}' })))
    expect(emoji.statusCode).toBe(202)
  })

  it('JSON nested 5,000 deep is a 422 naming where, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
    const inMetadata = JSON.stringify({ ...paymentFailed('evt_deep'), metadata: { x: 'PLACEHOLDER' } }).replace('"PLACEHOLDER"', deep)
    const res = await post('/v1/events', inMetadata)
    expect(res.statusCode).toBe(422)
    expect(res.json().errors[0].path).toMatch(/^metadata\.x\.a\.a/)
    const fields = await app.http.inject({ method: 'PUT', url: '/v1/customers/cus_deep', payload: `{"fields":{"f":${deep}}}`, headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' } })
    expect(fields.statusCode).toBe(422)
    const arrays = await post('/v1/workflows', `${'['.repeat(5000)}${']'.repeat(5000)}`)
    expect(arrays.statusCode).toBe(422)
    expect((await app.inject('GET', '/healthz')).status).toBe(200)
  })

  it('one id rule: every id accepted can be read back, and ids that could not are refused', async () => {
    const odd = ['evt_with/slash?and#hash & space', `evt_${'é'.repeat(200)}`, `evt_${'x'.repeat(245)}`, 'evt_%zz%2F..', 'evt_\u{1F600}_emoji']
    for (const id of odd) {
      expect(id.length).toBeLessThanOrEqual(255)
      const res = await post('/v1/events', JSON.stringify(paymentFailed(id, { customer: id.replace('evt_', 'cus_') })))
      expect(res.statusCode, id).toBe(202)
      const back = await app.inject('GET', `/v1/events/${encodeURIComponent(id)}`)
      expect(back.status, id).toBe(200)
      expect(back.body.id).toBe(id)
      const customer = await app.inject('GET', `/v1/customers/${encodeURIComponent(id.replace('evt_', 'cus_'))}`)
      expect(customer.status, id).toBe(200)
    }
    for (const [id, message] of [
      [`evt_${'x'.repeat(252)}`, 'at most 255'],
      ['evt_tab\there', 'control characters'],
      ['evt_nul\u0000', 'control characters'],
      ['   ', 'blank'],
      ['', 'empty'],
    ] as const) {
      const res = await post('/v1/events', JSON.stringify(paymentFailed(id)))
      expect(res.statusCode, JSON.stringify(id)).toBe(422)
      expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'id', message: expect.stringContaining(message) })]))
    }
    const tooLong = await app.inject('PUT', `/v1/customers/${'c'.repeat(256)}`, { name: 'x' })
    expect(tooLong.status).toBe(422)
    expect(tooLong.body.errors[0].path).toBe('id')
  })
})

describe('security: a run that cannot advance fails visibly after bounded tries', () => {
  it(`fails with the error after ${MAX_ADVANCE_ERRORS} tries instead of retrying for ever`, async () => {
    const setup = await testApp(sqlite, { env: { RECOUP_WORKER: 'false' } })
    const databaseUrl = setup.config.databaseUrl
    await setup.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    await setup.inject('POST', '/v1/workflows', recoveryWorkflow())
    const accepted = await setup.inject('POST', '/v1/events', paymentFailed('evt_broken'))
    const runId = accepted.body.runs[0].id as string
    await setup.close()
    // Data the engine cannot read: the kind of fault that used to loop every 5 s for ever.
    const db = new Database(databaseUrl)
    db.prepare('update runs set context = ? where id = ?').run('{not json', runId)
    db.close()

    const clock = new TestClock()
    const app = await testApp(sqlite, { databaseUrl, clock })
    try {
      let run: { status: string; error: string | null } | undefined
      for (let i = 0; i < 200; i++) {
        run = (await app.inject('GET', `/v1/runs/${runId}`)).body
        if (run?.status === 'failed') break
        clock.advance(6_000)
        app.scheduler?.wake()
        await new Promise((r) => setTimeout(r, 25))
      }
      expect(run?.status).toBe('failed')
      expect(run?.error).toMatch(/could not advance this run \(5 tries\): .*JSON/)
      // And it stays failed: no job is left for it.
      clock.advance(60_000)
      app.scheduler?.wake()
      await new Promise((r) => setTimeout(r, 100))
      expect((await app.inject('GET', `/v1/runs/${runId}`)).body.status).toBe('failed')
    } finally {
      await app.close()
    }
  })
})
