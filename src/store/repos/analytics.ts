import type { Kysely } from 'kysely'
import type { Database, PaymentRow } from '../schema.js'

interface Bucket {
  failed_amount: number
  recovered_amount: number
  failures: number
  recovered: number
}

export interface RecoveryReport {
  from: string
  to: string
  currency: string | null
  failed_amount: number
  recovered_amount: number
  recovery_rate: number
  failures: number
  recovered: number
  median_time_to_recover_seconds: number | null
  currency_totals: ({ currency: string } & Bucket & { recovery_rate: number })[]
  by_workflow: ({ workflow_id: string; name: string; runs: number } & Bucket & { recovery_rate: number })[]
  by_product: ({ product_id: string } & Bucket & { recovery_rate: number })[]
  by_decline_code: ({ code: string } & Bucket & { recovery_rate: number })[]
  /** What brought the money back, per recovered failure (sums to `recovered` / `recovered_amount`). */
  by_source: { source: RecoverySource; recovered: number; recovered_amount: number; by_attempt?: Record<string, number> }[]
  /** Payment attempts Recoup itself made on these failures (its retries, card updates, "retry now"). */
  retries_spent: number
  series: { date: string; failed_amount: number; recovered_amount: number }[]
}

/**
 * What recovered a payment: Recoup's retry, the processor's own (Stripe's retry or its hosted
 * invoice), a card update from Recoup's link, the customer's "retry now", an accepted offer,
 * billing staff marking it paid, or a payment from outside Recoup.
 */
export type RecoverySource = 'recoup_retry' | 'processor' | 'card_update' | 'customer_retry' | 'offer_accepted' | 'staff' | 'external'

/** Payment sources of Recoup's own attempts. */
const RECOUP_ATTEMPTS = ['recoup_retry', 'card_update', 'customer_retry']

/** The source of a success row; Recoup's own record of an attempt beats the processor's echo of it. */
function sourceOf(rows: readonly PaymentRow[]): { source: RecoverySource; attempt: number | null } {
  const own = rows.find((r) => r.source && (RECOUP_ATTEMPTS.includes(r.source) || r.source === 'staff'))
  if (own) return { source: own.source as RecoverySource, attempt: own.source === 'recoup_retry' ? own.attempt : null }
  if (rows.some((r) => r.source === 'stripe')) return { source: 'processor', attempt: null }
  return { source: 'external', attempt: null }
}

/** One amount that went unpaid: the failed attempts of one invoice (or one payment without an invoice). */
interface Failure {
  key: string
  amount: number
  currency: string
  code: string
  subscriptionId: string | null
  invoiceId: string | null
  productIds: string[]
  eventIds: string[]
  firstAt: string
  recoveredAt: string | null
  recoveredBy: { source: RecoverySource; attempt: number | null } | null
}

const empty = (): Bucket => ({ failed_amount: 0, recovered_amount: 0, failures: 0, recovered: 0 })
const rate = (b: Bucket) => (b.failed_amount === 0 ? 0 : Math.round((b.recovered_amount / b.failed_amount) * 10_000) / 10_000)

/**
 * Failed vs recovered money for failures first seen in [from, to). A failure is one invoice's
 * unpaid amount (retries of it count once); it is recovered when a later successful payment for the
 * same invoice (or, without an invoice, the same payment or subscription) arrives. Every figure is
 * a sum over rows of the payments table, in the figures' own currency's minor units.
 */
export async function recoveryReport(db: Kysely<Database>, from: string, to: string): Promise<RecoveryReport> {
  const failedRows = await db.selectFrom('payments').selectAll().where('status', '=', 'failed').where('occurred_at', '>=', from).where('occurred_at', '<', to).orderBy('occurred_at').execute()
  const failures = new Map<string, Failure>()
  for (const p of failedRows) {
    const key = p.invoice_id ? `in:${p.invoice_id}` : `pay:${p.payment_id}`
    const f = failures.get(key)
    if (f) {
      f.amount = p.amount
      f.eventIds.push(p.event_id)
    } else {
      failures.set(key, {
        key, amount: p.amount, currency: p.currency, code: p.decline_code ?? p.failure_code ?? 'unknown', subscriptionId: p.subscription_id,
        invoiceId: p.invoice_id, productIds: JSON.parse(p.product_ids) as string[], eventIds: [p.event_id], firstAt: p.occurred_at, recoveredAt: null, recoveredBy: null,
      })
    }
  }
  const list = [...failures.values()]
  const subs = [...new Set(list.map((f) => f.subscriptionId).filter((s): s is string => !!s))]
  const invoices = list.map((f) => f.invoiceId).filter((s): s is string => !!s)
  const paymentIds = failedRows.map((p) => p.payment_id)
  let successes: PaymentRow[] = []
  if (list.length > 0) {
    successes = await db
      .selectFrom('payments')
      .selectAll()
      .where('status', '=', 'succeeded')
      .where('occurred_at', '>=', from)
      .where((eb) =>
        eb.or([
          ...(invoices.length ? [eb('invoice_id', 'in', invoices)] : []),
          ...(subs.length ? [eb('subscription_id', 'in', subs)] : []),
          eb('payment_id', 'in', paymentIds),
        ]),
      )
      .orderBy('occurred_at')
      .execute()
  }
  for (const f of list) {
    const pays = (s: PaymentRow) =>
      s.occurred_at >= f.firstAt &&
      (f.invoiceId ? s.invoice_id === f.invoiceId || (!s.invoice_id && s.subscription_id === f.subscriptionId && !!f.subscriptionId) : s.subscription_id === f.subscriptionId && !!f.subscriptionId)
    const paid = successes.find(pays)
    if (paid) {
      f.recoveredAt = paid.occurred_at
      // The processor's webhook for a payment Recoup made arrives too: the same minute, another row.
      const near = successes.filter((s) => pays(s) && Math.abs(Date.parse(s.occurred_at) - Date.parse(paid.occurred_at)) < 10 * 60_000)
      f.recoveredBy = sourceOf(near)
    }
  }

  const add = (b: Bucket, f: Failure) => {
    b.failed_amount += f.amount
    b.failures += 1
    if (f.recoveredAt) {
      b.recovered_amount += f.amount
      b.recovered += 1
    }
  }
  const byCurrency = new Map<string, Bucket>()
  for (const f of list) add(byCurrency.get(f.currency) ?? byCurrency.set(f.currency, empty()).get(f.currency)!, f)
  const currency = [...byCurrency.entries()].sort((a, b) => b[1].failed_amount - a[1].failed_amount)[0]?.[0] ?? null
  const main = list.filter((f) => f.currency === currency)
  const group = <K extends string>(keyOf: (f: Failure) => string[], name: K) => {
    const m = new Map<string, Bucket>()
    for (const f of main) for (const k of keyOf(f)) add(m.get(k) ?? m.set(k, empty()).get(k)!, f)
    return [...m.entries()].map(([k, b]) => ({ [name]: k, ...b, recovery_rate: rate(b) }) as { [P in K]: string } & Bucket & { recovery_rate: number })
  }

  // Which workflows worked on which failure: the runs its events started.
  const eventIds = main.flatMap((f) => f.eventIds)
  const runs = eventIds.length
    ? await db.selectFrom('runs').innerJoin('workflows', 'workflows.id', 'runs.workflow_id').select(['runs.event_id', 'runs.workflow_id', 'workflows.name']).where('runs.event_id', 'in', eventIds).execute()
    : []
  const wfByEvent = new Map<string, Set<string>>()
  const names = new Map<string, string>()
  const runCount = new Map<string, number>()
  for (const r of runs) {
    ;(wfByEvent.get(r.event_id) ?? wfByEvent.set(r.event_id, new Set()).get(r.event_id)!).add(r.workflow_id)
    names.set(r.workflow_id, r.name)
    runCount.set(r.workflow_id, (runCount.get(r.workflow_id) ?? 0) + 1)
  }
  const byWorkflow = group((f) => [...new Set(f.eventIds.flatMap((e) => [...(wfByEvent.get(e) ?? [])]))], 'workflow_id').map((w) => ({
    ...w, name: names.get(w.workflow_id) ?? w.workflow_id, runs: runCount.get(w.workflow_id) ?? 0,
  }))

  // Offers: a failure whose run ended by an accepted offer was won back by the offer.
  const offered = eventIds.length
    ? new Set((await db.selectFrom('runs').select('event_id').where('event_id', 'in', eventIds).where('outcome', '=', 'offer_accepted').execute()).map((r) => r.event_id))
    : new Set<string>()
  const bySource = new Map<RecoverySource, { recovered: number; recovered_amount: number; by_attempt?: Record<string, number> }>()
  for (const f of main) {
    if (!f.recoveredBy) continue
    const source: RecoverySource = f.eventIds.some((e) => offered.has(e)) && f.recoveredBy.source !== 'staff' ? 'offer_accepted' : f.recoveredBy.source
    const b = bySource.get(source) ?? bySource.set(source, { recovered: 0, recovered_amount: 0 }).get(source)!
    b.recovered += 1
    b.recovered_amount += f.amount
    if (source === 'recoup_retry') {
      const n = String(f.recoveredBy.attempt ?? 'unknown')
      b.by_attempt = { ...b.by_attempt, [n]: (b.by_attempt?.[n] ?? 0) + 1 }
    }
  }
  // Recoup's own attempts on these failures, whichever way they went.
  const mainInvoices = main.map((f) => f.invoiceId).filter((s): s is string => !!s)
  const spent = mainInvoices.length
    ? await db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('invoice_id', 'in', mainInvoices).where('source', 'in', RECOUP_ATTEMPTS).where('event_id', 'not like', 'stripe:%').executeTakeFirst()
    : undefined

  const days = new Map<string, { failed_amount: number; recovered_amount: number }>()
  for (const f of main) {
    const d = f.firstAt.slice(0, 10)
    const b = days.get(d) ?? days.set(d, { failed_amount: 0, recovered_amount: 0 }).get(d)!
    b.failed_amount += f.amount
    if (f.recoveredAt) b.recovered_amount += f.amount
  }
  const times = main.filter((f) => f.recoveredAt).map((f) => (Date.parse(f.recoveredAt!) - Date.parse(f.firstAt)) / 1000).sort((a, b) => a - b)
  const total = byCurrency.get(currency ?? '') ?? empty()
  return {
    from, to, currency,
    ...total,
    recovery_rate: rate(total),
    median_time_to_recover_seconds: times.length ? times[Math.floor((times.length - 1) / 2)] : null,
    currency_totals: [...byCurrency.entries()].map(([c, b]) => ({ currency: c, ...b, recovery_rate: rate(b) })),
    by_workflow: byWorkflow,
    by_product: group((f) => f.productIds, 'product_id'),
    by_decline_code: group((f) => [f.code], 'code'),
    by_source: [...bySource.entries()].sort((a, b) => b[1].recovered_amount - a[1].recovered_amount).map(([source, b]) => ({ source, ...b })),
    retries_spent: Number(spent?.n ?? 0),
    series: [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, b]) => ({ date, ...b })),
  }
}
