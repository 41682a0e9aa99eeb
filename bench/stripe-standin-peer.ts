// The Stripe stand-in (test/helpers/stripe-standin.ts) in a process of its own, for the Stripe
// benches: Recoup's decline-reason lookups reach it over HTTP as they would reach Stripe's API, and
// its CPU is counted apart from the server's and the load generator's. Started and driven over IPC
// by bench/stripe-webhooks.ts (`startStandInPeer`); answers each command with one message, in order.
//
//   seed   customers with a declining card, subscriptions and open invoices through the state API;
//          then each invoice's first attempt, paid through the stand-in's own SDK client, fails.
//          The `invoice.payment_failed` Events those attempts produce (rendered in the endpoint's
//          API version) are written to a file, as the exact bytes Stripe would deliver.
//   stats  API requests answered since the last reset, by kind and status, and CPU used.
import { writeFileSync } from 'node:fs'
import Stripe from 'stripe'
import { payloadOf } from '../test/helpers/stripe-events.js'
import type { Decline } from '../test/helpers/stripe-objects.js'
import { startStripeStandIn, type LoggedRequest } from '../test/helpers/stripe-standin.js'

export interface SeedCommand {
  readonly cmd: 'seed'
  readonly count: number
  /** Makes ids distinct per seeding: `cus_<prefix><i>`, `in_<prefix><i>`, … */
  readonly prefix: string
  /** The Stripe product of every subscription (Recoup's product id, as the webhook maps it). */
  readonly product: string
  /** Where the delivered payloads go: a JSON array of strings. */
  readonly file: string
  /** Invoices paid at once while seeding. */
  readonly concurrency: number
}

export interface SeedResult {
  /** Customers, cards, subscriptions and invoices put in through the state API. */
  readonly stateMs: number
  /** Every first attempt made through the SDK (`POST /v1/invoices/:id/pay`, answered 402). */
  readonly payMs: number
  readonly declined: number
  readonly otherOutcomes: number
  readonly payloads: number
  readonly payloadBytes: number
}

export interface StandInStats {
  /** Answered API requests by kind: `invoice`, `payment_intent`, `invoice_payments`, `pay`, `other`. */
  readonly requests: Record<string, number>
  /** Answered API requests by HTTP status. */
  readonly statuses: Record<string, number>
  /** CPU microseconds since start or the last reset (user + system). */
  readonly cpuMicros: number
}

/** Declines real issuers give, in Stripe's terms; failure i gets DECLINES[i % length]. */
const DECLINES: readonly Decline[] = [
  { decline_code: 'insufficient_funds', advice_code: 'try_again_later', network_decline_code: '51' },
  { decline_code: 'do_not_honor', advice_code: 'try_again_later', network_decline_code: '05' },
  { decline_code: 'generic_decline', network_decline_code: '05' },
  { decline_code: 'expired_card', advice_code: 'confirm_card_data', network_decline_code: '54' },
  { decline_code: 'card_velocity_exceeded', advice_code: 'try_again_later', network_decline_code: '65' },
  { decline_code: 'lost_card', advice_code: 'do_not_try_again', network_decline_code: '41' },
]

function kindOf(r: LoggedRequest): string {
  if (r.method === 'GET' && r.path.startsWith('/v1/invoices/')) return 'invoice'
  if (r.method === 'GET' && r.path.startsWith('/v1/payment_intents/')) return 'payment_intent'
  if (r.method === 'GET' && r.path.startsWith('/v1/invoice_payments')) return 'invoice_payments'
  if (r.method === 'POST' && r.path.endsWith('/pay')) return 'pay'
  return 'other'
}

async function serve(): Promise<void> {
  const standin = await startStripeStandIn({ eventApiVersion: '2025-03-31.basil' })
  const st = standin.state
  let counts = { requests: {} as Record<string, number>, statuses: {} as Record<string, number> }
  let cpu0 = process.cpuUsage()

  /** Counts answered requests into `counts` and drops them from the log, so it does not grow for the whole bench. */
  const tally = () => {
    const pending: LoggedRequest[] = []
    for (const r of st.requests) {
      if (r.status === 0) {
        pending.push(r)
        continue
      }
      const kind = kindOf(r)
      counts.requests[kind] = (counts.requests[kind] ?? 0) + 1
      counts.statuses[r.status] = (counts.statuses[r.status] ?? 0) + 1
    }
    st.requests.length = 0
    st.requests.push(...pending)
  }

  async function seed(c: SeedCommand): Promise<SeedResult> {
    const t0 = performance.now()
    const price = `price_${c.prefix}pro`
    st.addPrice({ id: price, product: c.product, currency: 'usd', unit_amount: 4900 })
    const invoices: string[] = []
    for (let i = 0; i < c.count; i++) {
      const customer = `cus_${c.prefix}${i}`
      const card = `pm_${c.prefix}${i}`
      st.addCustomer({ id: customer, email: `c${i}@example.com`, name: `Customer ${i}`, default_payment_method: card })
      st.addPaymentMethod({ id: card, customer, brand: i % 3 === 0 ? 'mastercard' : 'visa', behaviour: DECLINES[i % DECLINES.length] })
      st.addSubscription({ id: `sub_${c.prefix}${i}`, customer, default_payment_method: card, items: [{ price, product: c.product, currency: 'usd' }] })
      st.addInvoice({ id: `in_${c.prefix}${i}`, customer, subscription: `sub_${c.prefix}${i}`, amount_due: 4900, currency: 'usd' })
      invoices.push(`in_${c.prefix}${i}`)
    }
    const stateMs = performance.now() - t0
    const eventsBefore = st.events.length
    const t1 = performance.now()
    let declined = 0
    let otherOutcomes = 0
    let next = 0
    await Promise.all(
      Array.from({ length: c.concurrency }, async () => {
        while (next < invoices.length) {
          const id = invoices[next++]!
          try {
            await standin.stripe.invoices.pay(id, {}, { idempotencyKey: `bench-seed:${id}` })
            otherOutcomes++
          } catch (err) {
            if (err instanceof Stripe.errors.StripeCardError) declined++
            else otherOutcomes++
          }
        }
      }),
    )
    const payMs = performance.now() - t1
    // Only the invoice failures are delivered: every reason must come from Recoup's own lookups.
    const payloads = st.events.slice(eventsBefore).filter((e) => e.type === 'invoice.payment_failed').map(payloadOf)
    st.events.length = 0
    const text = JSON.stringify(payloads)
    writeFileSync(c.file, text)
    tally()
    counts = { requests: {}, statuses: {} }
    return { stateMs, payMs, declined, otherOutcomes, payloads: payloads.length, payloadBytes: text.length }
  }

  process.on('message', (raw) => {
    const m = raw as { cmd: string }
    if (m.cmd === 'seed') {
      void seed(m as SeedCommand).then(
        (seeded) => process.send?.({ seeded }),
        (err: unknown) => process.send?.({ error: String((err as Error)?.stack ?? err) }),
      )
    } else if (m.cmd === 'stats') {
      tally()
      const used = process.cpuUsage(cpu0)
      const stats: StandInStats = { requests: { ...counts.requests }, statuses: { ...counts.statuses }, cpuMicros: used.user + used.system }
      process.send?.({ stats })
    } else if (m.cmd === 'reset') {
      tally()
      counts = { requests: {}, statuses: {} }
      cpu0 = process.cpuUsage()
      process.send?.({ reset: true })
    } else if (m.cmd === 'close') {
      void standin.close().then(() => process.exit(0))
    }
  })
  process.send?.({ url: standin.url })
}

await serve()
