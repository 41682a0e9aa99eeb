// A customer's time_zone decides when quiet hours hold their messages back. An unknown zone would be
// stored and then passed over, so both ways a customer arrives (an event's `customer`, and
// PUT /v1/customers/:id) refuse it with 422 problem+json naming the field, and store nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIALECTS, TEST_KEY, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'

/** A payment.failed event whose customer gives `timeZone`. */
function eventWithZone(id: string, customer: string, timeZone: string) {
  const e = paymentFailed(id, { customer, subscription: `sub_${customer}` })
  return { ...e, customer: { ...e.customer, time_zone: timeZone } }
}

for (const dialect of DIALECTS) {
  describe(`customer time zones on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>

    beforeEach(async () => {
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
    })
    afterEach(async () => app.close())

    /** The raw answer, to see its content type as well as its body. */
    async function send(method: 'POST' | 'PUT', url: string, payload: object) {
      const res = await app.http.inject({ method, url, headers: { authorization: `Bearer ${TEST_KEY}` }, payload })
      return { status: res.statusCode, type: res.headers['content-type'], body: res.json() }
    }

    it('refuses an event whose customer has an unknown zone, naming customer.time_zone, and stores nothing', async () => {
      const res = await send('POST', '/v1/events', eventWithZone('evt_tz_bad', 'cus_tz_bad', 'Europe/Atlantis'))
      expect(res.status).toBe(422)
      expect(res.type).toContain('application/problem+json')
      expect(res.body.errors).toContainEqual({ path: 'customer.time_zone', message: 'must be an IANA time zone such as Europe/Paris' })
      expect((await app.inject('GET', '/v1/events/evt_tz_bad')).status).toBe(404)
      expect((await app.inject('GET', '/v1/customers/cus_tz_bad')).status).toBe(404)
      expect((await app.inject('GET', '/v1/subscriptions/sub_cus_tz_bad')).status).toBe(404)
    })

    it('refuses the one event of a batch with an unknown zone and keeps the others', async () => {
      const res = await send('POST', '/v1/events', {
        events: [eventWithZone('evt_tz_b0', 'cus_tz_b0', 'America/New_York'), eventWithZone('evt_tz_b1', 'cus_tz_b1', 'GMT+25')],
      })
      expect(res.status).toBe(202)
      expect(res.body).toMatchObject({ accepted: 1, rejected: 1 })
      expect(res.body.results[1]).toMatchObject({ index: 1, status: 422, event_id: 'evt_tz_b1' })
      expect(res.body.results[1].errors.map((e: { path: string }) => e.path)).toContain('events[1].customer.time_zone')
      expect((await app.inject('GET', '/v1/customers/cus_tz_b1')).status).toBe(404)
      expect((await app.inject('GET', '/v1/customers/cus_tz_b0')).body.time_zone).toBe('America/New_York')
    })

    it('stores a known zone an event gives', async () => {
      const res = await send('POST', '/v1/events', eventWithZone('evt_tz_ok', 'cus_tz_ok', 'Europe/Paris'))
      expect(res.status).toBe(202)
      expect((await app.inject('GET', '/v1/customers/cus_tz_ok')).body.time_zone).toBe('Europe/Paris')
    })

    it('refuses PUT /v1/customers/:id with an unknown zone, naming time_zone, and keeps what was stored', async () => {
      const created = await send('PUT', '/v1/customers/cus_tz_put', { name: 'Grace', time_zone: 'Asia/Kolkata' })
      expect(created.status).toBe(201)
      expect(created.body.time_zone).toBe('Asia/Kolkata')

      const bad = await send('PUT', '/v1/customers/cus_tz_put', { name: 'Grace Hopper', time_zone: 'Paris' })
      expect(bad.status).toBe(422)
      expect(bad.type).toContain('application/problem+json')
      expect(bad.body.errors).toContainEqual({ path: 'time_zone', message: 'must be an IANA time zone such as Europe/Paris' })
      // The whole body is refused: neither the zone nor the name in it was written.
      expect((await app.inject('GET', '/v1/customers/cus_tz_put')).body).toMatchObject({ name: 'Grace', time_zone: 'Asia/Kolkata' })

      const fresh = await send('PUT', '/v1/customers/cus_tz_new', { time_zone: 'Mars/Olympus_Mons' })
      expect(fresh.status).toBe(422)
      expect((await app.inject('GET', '/v1/customers/cus_tz_new')).status).toBe(404)
    })

    it('takes a known zone, and null to clear it, in PUT /v1/customers/:id', async () => {
      expect((await send('PUT', '/v1/customers/cus_tz_set', { time_zone: 'America/New_York' })).body.time_zone).toBe('America/New_York')
      expect((await send('PUT', '/v1/customers/cus_tz_set', { time_zone: 'UTC' })).body.time_zone).toBe('UTC')
      expect((await send('PUT', '/v1/customers/cus_tz_set', { time_zone: null })).body.time_zone).toBeNull()
    })

    it('says in the OpenAPI document that time_zone is an IANA zone', async () => {
      const doc = (await app.inject('GET', '/openapi.json')).body
      const put = doc.paths['/v1/customers/{id}'].put.requestBody.content['application/json'].schema
      expect(JSON.stringify(put.properties.time_zone)).toContain('IANA time zone')
      expect(JSON.stringify(doc.paths['/v1/events'].post.requestBody)).toContain('IANA time zone')
    })
  })
}
