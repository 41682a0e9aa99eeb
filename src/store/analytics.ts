import type { Kysely } from 'kysely'
import type { Database, PaymentRow } from './schema.js'

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
  series: { date: string; failed_amount: number; recovered_amount: number }[]
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
        key, amount: p.amount, currency: p.currency, code: p.failure_code ?? 'unknown', subscriptionId: p.subscription_id,
        invoiceId: p.invoice_id, productIds: JSON.parse(p.product_ids) as string[], eventIds: [p.event_id], firstAt: p.occurred_at, recoveredAt: null,
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
    const paid = successes.find(
      (s) =>
        s.occurred_at >= f.firstAt &&
        (f.invoiceId ? s.invoice_id === f.invoiceId || (!s.invoice_id && s.subscription_id === f.subscriptionId && !!f.subscriptionId) : s.subscription_id === f.subscriptionId && !!f.subscriptionId),
    )
    if (paid) f.recoveredAt = paid.occurred_at
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
    series: [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, b]) => ({ date, ...b })),
  }
}
