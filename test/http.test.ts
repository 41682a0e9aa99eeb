import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, TEST_KEY, testApp } from './helpers/dialects.js'
import { paymentFailed, recoveryWorkflow } from './helpers/fixtures.js'

const [dialect] = DIALECTS

/** Deterministic mutations of a valid event: each one is wrong in exactly one way. */
function malformedEvents(): { name: string; body: unknown; field?: string }[] {
  const good = paymentFailed('evt_good')
  const out: { name: string; body: unknown; field?: string }[] = []
  const wrongValues: unknown[] = [null, 12, -1, 1.5, '', 'x', true, [], {}, '9999', 'NaN']
  const fields: [string, (e: any, v: unknown) => void][] = [
    ['id', (e, v) => (e.id = v)],
    ['type', (e, v) => (e.type = v)],
    ['customer.id', (e, v) => (e.customer.id = v)],
    ['customer.email', (e, v) => (e.customer.email = v)],
    ['customer.phone', (e, v) => (e.customer.phone = v)],
    ['payment.amount', (e, v) => (e.payment.amount = v)],
    ['payment.currency', (e, v) => (e.payment.currency = v)],
    ['payment.id', (e, v) => (e.payment.id = v)],
    ['payment.attempt', (e, v) => (e.payment.attempt = v)],
    ['occurred_at', (e, v) => (e.occurred_at = v)],
    ['product_ids', (e, v) => (e.product_ids = v)],
  ]
  for (const [field, set] of fields) {
    for (const v of wrongValues) {
      const e = structuredClone(good)
      set(e, v)
      // Some values are valid for some fields (e.g. 12 for attempt); keep only the invalid ones below.
      out.push({ name: `${field}=${JSON.stringify(v)}`, body: e, field })
    }
  }
  for (const key of ['id', 'type', 'customer', 'payment']) {
    const e: Record<string, unknown> = structuredClone(good)
    delete e[key]
    out.push({ name: `missing ${key}`, body: e })
  }
  out.push({ name: 'unknown field', body: { ...good, surprise: 1 } })
  out.push({ name: 'unknown event type', body: { ...good, type: 'payment.exploded' }, field: 'type' })
  out.push({ name: 'plan event without plan', body: { ...good, type: 'installment_plan.canceled' } })
  out.push({ name: 'batch not array', body: { events: 'nope' }, field: 'events' })
  out.push({ name: 'empty batch', body: { events: [] }, field: 'events' })
  out.push({ name: 'array body', body: [good] })
  out.push({ name: 'string body', body: 'hello' })
  out.push({ name: 'number body', body: 42 })
  return out
}

describe('HTTP contract: bad input never gives a 500 and writes nothing', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => {
    app = await testApp(dialect, { env: { RECOUP_WORKER: 'false', RECOUP_BODY_LIMIT: '200000' } })
    await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
    await app.inject('POST', '/v1/workflows', recoveryWorkflow())
  })
  afterAll(async () => app.close())

  async function raw(options: { method?: string; url?: string; payload?: string | object; headers?: Record<string, string> }) {
    const res = await app.http.inject({
      method: (options.method ?? 'POST') as 'POST',
      url: options.url ?? '/v1/events',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...options.headers },
      payload: options.payload,
    })
    return { status: res.statusCode, type: res.headers['content-type'], body: res.body ? JSON.parse(res.body) : null }
  }

  function expectProblem(r: { status: number; type: unknown; body: any }, status?: number) {
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.status).toBeLessThan(500)
    if (status) expect(r.status).toBe(status)
    expect(String(r.type)).toContain('application/problem+json')
    expect(r.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: r.status, detail: expect.any(String) })
  }

  it('answers a few hundred malformed events with problem+json naming the field', async () => {
    const cases = malformedEvents()
    let rejected = 0
    for (const c of cases) {
      const r = await raw({ payload: JSON.stringify(c.body) })
      if (r.status === 202 || r.status === 200) {
        // A value that happens to be valid for that field (e.g. attempt 12): accepted, fine.
        continue
      }
      rejected++
      expectProblem(r)
      if (r.status === 422) {
        expect(r.body.errors.length).toBeGreaterThan(0)
        if (c.field) expect(r.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(c.field.split('.')[0])
      }
    }
    expect(rejected).toBeGreaterThan(100)

    const garbage = ['{', '{"id":', 'null', '[', '{"a":1}}', '\u0000', 'nul', '{"id": "x", }', '"\\u00"']
    for (const text of garbage) {
      const r = await raw({ payload: text })
      expectProblem(r)
    }
    for (let i = 0; i < 100; i++) {
      // Truncations of a valid body: every prefix is invalid JSON.
      const text = JSON.stringify(paymentFailed(`evt_cut_${i}`))
      const r = await raw({ payload: text.slice(0, Math.floor((text.length * i) / 100)) })
      expectProblem(r)
    }
    // Nothing accepted from the broken ones: the only events are the valid mutations.
    const accepted = cases.length - rejected
    const events = await app.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(events.n)).toBeLessThanOrEqual(accepted)
  })

  it('rejects missing or wrong keys, oversized bodies and other media types', async () => {
    const noKey = await app.http.inject({ method: 'POST', url: '/v1/events', payload: paymentFailed('e') })
    expect(noKey.statusCode).toBe(401)
    expect(noKey.headers['content-type']).toContain('application/problem+json')
    expectProblem(await raw({ payload: paymentFailed('e2'), headers: { authorization: 'Bearer nope' } }), 401)
    expectProblem(await raw({ payload: paymentFailed('e3'), headers: { authorization: 'Basic abc' } }), 401)
    expectProblem(await raw({ payload: JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => paymentFailed(`big_${i}`)) }) }), 413)
    expectProblem(await raw({ payload: 'id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415)
    expectProblem(await raw({ method: 'GET', url: '/v1/nothing-here' }), 404)
    expectProblem(await raw({ method: 'GET', url: '/v1/runs?limit=0' }), 422)
    expectProblem(await raw({ method: 'GET', url: '/v1/runs?status=sleeping' }), 422)
    expectProblem(await raw({ method: 'GET', url: '/v1/runs/run_missing' }), 404)
    expectProblem(await raw({ method: 'POST', url: '/v1/products', payload: { name: 7 } }), 422)
    expectProblem(await raw({ method: 'PUT', url: '/v1/customers/c1', payload: { email: 'not-mail' } }), 422)
    const events = await app.store.db.selectFrom('events').select('id').where('id', 'like', 'big_%').execute()
    expect(events).toEqual([])
  })

  it('serves health, metrics, OpenAPI and paginated lists', async () => {
    expect((await app.http.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok' })
    await app.inject('POST', '/v1/events', paymentFailed('evt_m1'))
    const metrics = (await app.http.inject({ url: '/metrics', headers: { authorization: `Bearer ${TEST_KEY}` } })).body
    expect(metrics).toMatch(/recoup_events_total\{type="payment.failed",outcome="accepted"\} \d+/)
    expect(metrics).toMatch(/recoup_runs\{status="running"\} \d+/)
    const doc = (await app.http.inject({ url: '/openapi.json' })).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/v1/workflows'].post.requestBody.content['application/json'].schema.properties.trigger).toBeDefined()
    for (let i = 0; i < 5; i++) await app.inject('POST', '/v1/products', { id: `prod_p${i}`, name: `P${i}` })
    const first = await app.inject('GET', '/v1/products?limit=3')
    expect(first.body.data).toHaveLength(3)
    const second = await app.inject('GET', `/v1/products?limit=3&cursor=${first.body.next_cursor}`)
    const ids = [...first.body.data, ...second.body.data].map((p: { id: string }) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeGreaterThanOrEqual(6)
  })
})
