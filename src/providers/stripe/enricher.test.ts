import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, TestClock, testApp } from '../../../test/helpers/dialects.js'
import type { DeclineDetails } from './payments.js'
import { PermanentError, RetryLaterError } from '../../domain/errors.js'
import { reasonEventId, StripeReasonEnricher, type ReasonEnricherOptions } from './enricher.js'

type App = Awaited<ReturnType<typeof testApp>>

const DECLINE: DeclineDetails = {
  failure_code: 'card_declined', decline_code: 'insufficient_funds', advice_code: 'try_again_later', network_decline_code: '51',
  card_brand: 'visa', payment_method_id: 'pm_1', card_fingerprint: 'fp1', payment_intent_id: 'pi_1',
}

/** Stripe's API as the enricher sees it: one answer per call, in order (a function may throw). */
function stripeApi(answers: ((invoiceId: string) => Promise<DeclineDetails | undefined>)[] = []) {
  const calls: string[] = []
  return {
    calls,
    payments: {
      async declineOfInvoice({ invoiceId }: { invoiceId: string }) {
        calls.push(invoiceId)
        const answer = answers.length > 1 ? answers.shift()! : answers[0]
        return answer ? answer(invoiceId) : DECLINE
      },
    },
  }
}

for (const dialect of DIALECTS) {
  describe(`Stripe decline reason enricher on ${dialect.name}`, () => {
    let app: App | undefined
    let clock = new TestClock()
    afterEach(async () => {
      await app?.close()
      app = undefined
    })

    async function setup(): Promise<App> {
      // No worker: the enrichers here are the test's own.
      clock = new TestClock()
      app = await testApp(dialect, { clock, env: { RECOUP_WORKER: 'false' } })
      return app
    }

    function enricher(payments: ReasonEnricherOptions['payments'], o: Partial<ReasonEnricherOptions> = {}) {
      return new StripeReasonEnricher({ db: app!.store.db, ingestor: app!.ingestor, payments, now: clock.now, ...o })
    }

    /** A Stripe invoice failure whose reason is still on its way. */
    async function fail(n: number) {
      await app!.ingestor.accept({
        id: `stripe:evt_fail_${n}`,
        type: 'payment.failed',
        customer: { id: `cus_${n}` },
        payment: { id: `in_${n}`, invoice_id: `in_${n}`, amount: 4900, currency: 'USD', reason_pending: true },
        metadata: { source: 'stripe' },
      })
    }

    async function row(n: number) {
      return app!.store.db.selectFrom('payments').selectAll().where('id', '=', `stripe:evt_fail_${n}`).executeTakeFirstOrThrow()
    }

    it("leaves Stripe's own events a few seconds, then asks the API once per failure, however many processes look", async () => {
      await setup()
      for (const n of [1, 2, 3, 4, 5]) await fail(n)
      const api = stripeApi([async () => new Promise((r) => setTimeout(() => r(DECLINE), 20))])
      const [a, b] = [enricher(api.payments), enricher(api.payments)]
      await a.drain()
      expect(api.calls).toEqual([])

      clock.advance(3500)
      await Promise.all([a.drain(), b.drain()])
      expect(api.calls.sort()).toEqual(['in_1', 'in_2', 'in_3', 'in_4', 'in_5'])
      for (const n of [1, 2, 3, 4, 5]) {
        expect(await row(n)).toMatchObject({ reason_status: 'known', failure_code: 'card_declined', decline_code: 'insufficient_funds', advice_code: 'try_again_later', card_brand: 'visa', payment_method_id: 'pm_1', payment_intent_id: 'pi_1' })
      }
      const reason = await app!.inject('GET', `/v1/events/${encodeURIComponent(reasonEventId('stripe:evt_fail_1'))}`)
      expect(reason.body).toMatchObject({ type: 'payment.decline_reason', customer: { id: 'cus_1' }, decline: { invoice_id: 'in_1', amount: 4900, currency: 'USD', decline_code: 'insufficient_funds' } })
    })

    it('retries a failing API a bounded number of times, then waits for the bound and records unknown', async () => {
      await setup()
      await fail(1)
      const api = stripeApi([async () => Promise.reject(new RetryLaterError('Stripe did not answer'))])
      const e = enricher(api.payments, { maxTries: 2 })
      clock.advance(4000)
      await e.drain()
      expect(api.calls).toHaveLength(1)
      expect(await row(1)).toMatchObject({ reason_status: 'pending' })
      clock.advance(3000)
      await e.drain()
      expect(api.calls).toHaveLength(2)
      clock.advance(20_000)
      await e.drain()
      expect(api.calls).toHaveLength(2)
      expect(await row(1)).toMatchObject({ reason_status: 'pending' })
      clock.advance(20_000)
      await e.drain()
      expect(api.calls).toHaveLength(2)
      expect(await row(1)).toMatchObject({ reason_status: 'unknown', failure_code: 'unknown' })
    })

    it('stops asking at once when asking again cannot help, and asks again while Stripe shows no failed attempt yet', async () => {
      await setup()
      await fail(1)
      await fail(2)
      const api = stripeApi([async (invoice) => (invoice === 'in_1' ? Promise.reject(new PermanentError('No such invoice')) : undefined)])
      const e = enricher(api.payments)
      clock.advance(4000)
      await e.drain()
      expect(api.calls.sort()).toEqual(['in_1', 'in_2'])
      clock.advance(6000)
      await e.drain()
      expect(api.calls.sort()).toEqual(['in_1', 'in_2', 'in_2'])
      clock.advance(40_000)
      await e.drain()
      expect(api.calls.filter((c) => c === 'in_1')).toHaveLength(1)
      expect(await row(1)).toMatchObject({ reason_status: 'unknown' })
      expect(await row(2)).toMatchObject({ reason_status: 'unknown' })
    })

    it("lets a webhook's reason that arrives during the lookup win, and records nothing over it", async () => {
      await setup()
      await fail(1)
      const api = stripeApi([
        async () => {
          // charge.failed reaches the webhook while the API is being asked.
          await app!.ingestor.accept({ id: 'stripe:evt_charge_1', type: 'payment.decline_reason', customer: { id: 'cus_1' }, decline: { invoice_id: 'in_1', failure_code: 'card_declined', decline_code: 'lost_card' } })
          return DECLINE
        },
      ])
      clock.advance(4000)
      await enricher(api.payments).drain()
      expect(await row(1)).toMatchObject({ reason_status: 'known', decline_code: 'lost_card' })
      expect((await app!.inject('GET', `/v1/events/${encodeURIComponent(reasonEventId('stripe:evt_fail_1'))}`)).status).toBe(404)
      expect(await app!.store.db.selectFrom('decline_reasons').selectAll().execute()).toEqual([])
    })

    it('takes over a claim whose process died, once the failure is well past the bound', async () => {
      await setup()
      await fail(1)
      await app!.store.db.updateTable('payments').set({ reason_status: 'fetching' }).execute()
      const api = stripeApi()
      const e = enricher(api.payments)
      clock.advance(60_000)
      await e.drain()
      expect(api.calls).toEqual([])
      clock.advance(60_000)
      await e.drain()
      expect(api.calls).toEqual(['in_1'])
      expect(await row(1)).toMatchObject({ reason_status: 'known', decline_code: 'insufficient_funds' })
    })

    it('without an API to ask, waits for the bound, then records unknown', async () => {
      await setup()
      await fail(1)
      const e = enricher({})
      clock.advance(44_000)
      await e.drain()
      expect(await row(1)).toMatchObject({ reason_status: 'pending' })
      clock.advance(2000)
      await e.drain()
      expect(await row(1)).toMatchObject({ reason_status: 'unknown', failure_code: 'unknown' })
    })
  })
}
