import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, testApp } from './helpers/dialects.js'
import { paymentFailed, recoveryWorkflow } from './helpers/fixtures.js'

function failed(id: string, invoice: string, o: { amount: number; code: string; customer: string; currency?: string; at: string }) {
  const e = paymentFailed(id, { amount: o.amount, code: o.code, customer: o.customer, subscription: `sub_${o.customer}` })
  return { ...e, occurred_at: o.at, payment: { ...e.payment, invoice_id: invoice, currency: o.currency ?? 'USD' } }
}

for (const dialect of DIALECTS) {
  describe(`recovery analytics on ${dialect.name}`, () => {
    let app: Awaited<ReturnType<typeof testApp>>
    beforeAll(async () => {
      app = await testApp(dialect, { env: { RECOUP_WORKER: 'false' } })
      await app.inject('POST', '/v1/products', { id: 'prod_pro', name: 'Pro' })
      await app.inject('POST', '/v1/workflows', recoveryWorkflow())
      const events = [
        failed('a1', 'in_a', { amount: 4900, code: 'card_declined', customer: 'a', at: '2026-11-01T10:00:00Z' }),
        failed('a2', 'in_a', { amount: 4900, code: 'card_declined', customer: 'a', at: '2026-11-02T10:00:00Z' }),
        { id: 'a3', type: 'payment.succeeded', occurred_at: '2026-11-03T10:00:00Z', customer: { id: 'a' }, product_ids: ['prod_pro'], payment: { id: 'pay_a3', amount: 4900, currency: 'USD', subscription_id: 'sub_a', invoice_id: 'in_a' } },
        failed('b1', 'in_b', { amount: 10000, code: 'insufficient_funds', customer: 'b', at: '2026-11-02T12:00:00Z' }),
        failed('c1', 'in_c', { amount: 700, code: 'card_declined', customer: 'c', currency: 'EUR', at: '2026-11-02T12:00:00Z' }),
        failed('old', 'in_old', { amount: 999_999, code: 'card_declined', customer: 'd', at: '2026-10-01T12:00:00Z' }),
      ]
      const res = await app.inject('POST', '/v1/events', { events })
      expect(res.body.accepted).toBe(6)
    })
    afterAll(async () => app.close())

    it('counts each unpaid invoice once and what was paid back', async () => {
      const r = (await app.inject('GET', '/v1/analytics/recovery?from=2026-11-01&to=2026-11-30')).body
      expect(r).toMatchObject({ currency: 'USD', failed_amount: 14_900, recovered_amount: 4_900, failures: 2, recovered: 1, recovery_rate: 0.3289 })
      expect(r.median_time_to_recover_seconds).toBe(2 * 86_400)
      expect(r.currency_totals).toEqual(expect.arrayContaining([expect.objectContaining({ currency: 'EUR', failed_amount: 700, recovered_amount: 0 })]))
      expect(r.by_decline_code).toEqual(expect.arrayContaining([
        expect.objectContaining({ code: 'card_declined', failed_amount: 4900, recovered_amount: 4900 }),
        expect.objectContaining({ code: 'insufficient_funds', failed_amount: 10000, recovered_amount: 0 }),
      ]))
      expect(r.by_workflow).toEqual([expect.objectContaining({ workflow_id: 'wf_pro_recovery', failed_amount: 14_900, recovered_amount: 4_900 })])
      expect(r.by_product).toEqual([expect.objectContaining({ product_id: 'prod_pro', failed_amount: 14_900 })])
      expect(r.series).toEqual([
        { date: '2026-11-01', failed_amount: 4900, recovered_amount: 4900 },
        { date: '2026-11-02', failed_amount: 10000, recovered_amount: 0 },
      ])
    })

    it('reconciles with the payments table', async () => {
      const r = (await app.inject('GET', '/v1/analytics/recovery?from=2026-11-01&to=2026-11-30')).body
      const payments = (await app.inject('GET', '/v1/payments?limit=500')).body.data as { status: string; invoice_id: string; amount: number; currency: string; occurred_at: string }[]
      const unpaid = new Map<string, number>()
      for (const p of payments) if (p.status === 'failed' && p.currency === 'USD' && p.occurred_at >= '2026-11-01') unpaid.set(p.invoice_id, p.amount)
      expect(r.failed_amount).toBe([...unpaid.values()].reduce((a, b) => a + b, 0))
      const paid = payments.filter((p) => p.status === 'succeeded' && unpaid.has(p.invoice_id))
      expect(r.recovered_amount).toBe(paid.reduce((a, p) => a + unpaid.get(p.invoice_id)!, 0))
    })

    it('rejects bad ranges', async () => {
      expect((await app.inject('GET', '/v1/analytics/recovery?from=yesterday')).status).toBe(422)
      expect((await app.inject('GET', '/v1/analytics/recovery?from=2026-11-05&to=2026-11-01')).status).toBe(422)
    })
  })
}
