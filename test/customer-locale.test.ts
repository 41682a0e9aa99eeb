// A customer's locale over a real store: set by the API (canonical form, 422 for what is not a
// language tag) or by an event (a later event without one keeps it), read live by runs: a message
// step's translation for it, money and dates in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed } from './helpers/fixtures.js'
import { eventually } from './helpers/server.js'

type TestApp = Awaited<ReturnType<typeof testApp>>

const workflow = {
  id: 'wf_locale',
  name: 'Locale',
  status: 'active',
  trigger: { type: 'payment.failed', products: ['prod_pro'] },
  steps: [
    {
      id: 'mail',
      type: 'send_email',
      subject: 'Your payment of {{ payment.amount | money }} failed',
      body: 'Due since {{ event.occurred_at | date: "long" }}.',
      translations: { de: { subject: 'Ihre Zahlung über {{ payment.amount | money }} ist fehlgeschlagen', body: 'Fällig seit {{ event.occurred_at | date: "long" }}.' } },
    },
  ],
}

for (const dialect of DIALECTS) {
  describe(`customer locale (${dialect.name})`, () => {
    let app: TestApp
    beforeAll(async () => {
      app = await testApp(dialect)
      expect((await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })).status).toBe(201)
      expect((await app.inject('POST', '/v1/workflows', workflow)).status).toBe(201)
    })
    afterAll(async () => app?.close())

    it('PUT /v1/customers takes a BCP 47 tag, stores it canonical, and refuses what is not one', async () => {
      const put = await app.inject('PUT', '/v1/customers/cus_hans', { email: 'hans@example.de', locale: 'DE-at' })
      expect(put.status).toBe(201)
      expect(put.body.locale).toBe('de-AT')
      const bad = await app.inject('PUT', '/v1/customers/cus_hans', { locale: 'de_DE!' })
      expect(bad.status).toBe(422)
      expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'locale' })])
      expect((await app.inject('PUT', '/v1/customers/cus_hans', { locale: null })).body.locale).toBeNull()
    })

    it('an event sets it, a later event without one keeps it, and runs write in it', async () => {
      const first = paymentFailed('evt_locale_1', { customer: 'cus_lena', subscription: 'sub_lena' })
      const res = await app.inject('POST', '/v1/events', { ...first, customer: { ...first.customer, id: 'cus_lena', email: 'lena@example.de', locale: 'de' }, payment: { ...first.payment, currency: 'EUR' } })
      expect(res.status).toBe(202)
      expect((await app.inject('GET', '/v1/customers/cus_lena')).body.locale).toBe('de')
      const later = paymentFailed('evt_locale_2', { customer: 'cus_lena', subscription: 'sub_lena_2' })
      const res2 = await app.inject('POST', '/v1/events', { ...later, customer: { ...later.customer, id: 'cus_lena', email: 'lena@example.de' }, payment: { ...later.payment, currency: 'EUR' } })
      expect(res2.status).toBe(202)
      expect((await app.inject('GET', '/v1/customers/cus_lena')).body.locale).toBe('de')
      const bad = await app.inject('POST', '/v1/events', { ...later, id: 'evt_locale_bad', customer: { ...later.customer, locale: 'nope nope' } })
      expect(bad.status).toBe(422)

      const runId = res2.body.runs[0].id as string
      await eventually(async () => (await app.inject('GET', `/v1/runs/${runId}`)).body.status === 'completed', 20_000, 'the run to complete')
      const mail = (await app.inject('GET', `/v1/messages?run_id=${runId}&channel=email`)).body.data[0]
      expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('Ihre Zahlung über 49,00 € ist fehlgeschlagen')
      expect(mail.body).toBe('Fällig seit 21. November 2026.')
    })

    it('a customer with a locale but no translation for it gets the default text, money in their locale', async () => {
      await app.inject('PUT', '/v1/customers/cus_pierre', { email: 'pierre@example.fr', locale: 'fr' })
      const e = paymentFailed('evt_locale_fr', { customer: 'cus_pierre', subscription: 'sub_pierre' })
      const res = await app.inject('POST', '/v1/events', { ...e, customer: { id: 'cus_pierre' }, payment: { ...e.payment, currency: 'EUR' } })
      const runId = res.body.runs[0].id as string
      await eventually(async () => (await app.inject('GET', `/v1/runs/${runId}`)).body.status === 'completed', 20_000, 'the run to complete')
      const mail = (await app.inject('GET', `/v1/messages?run_id=${runId}&channel=email`)).body.data[0]
      expect(mail.subject.replace(/[\u00a0\u202f]/g, ' ')).toBe('Your payment of 49,00 € failed')
    })
  })
}
