import { useState, type FormEvent } from 'react'
import { api, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { Product, RecoveryAnalytics, RecoveryBucket } from '../lib/types'
import { formatTimeToRecover } from '../lib/step-output'
import { formatMoney, formatMoneyCompact, formatRate } from '../lib/money'
import { Notice, PageHeader } from '../components/ui'
import { LineChart } from '../components/charts/LineChart'
import { BarList } from '../components/charts/BarList'

/** What brought a payment back, as the analytics API names it. */
interface SourceRow { source: string; recovered: number; recovered_amount: number; by_attempt?: Record<string, number> }

/** Words for each source, for a billing person rather than an engineer. */
const SOURCE_LABELS: Record<string, string> = {
  recoup_retry: "Recoup's retry",
  processor: "Stripe's own retry or invoice page",
  card_update: 'Card updated from our link',
  customer_retry: 'Customer pressed "retry now"',
  offer_accepted: 'Accepted offer',
  staff: 'Marked paid by staff',
  external: 'Paid outside Recoup',
}

const day = (d: Date) => d.toISOString().slice(0, 10)
const formatDay = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
const count = (n: number | undefined, word: string) => (n === undefined ? '' : `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`)

/** Failed vs recovered money over time, and recovery rate by workflow and by decline code. */
export function AnalyticsPage() {
  const [range, setRange] = useState(() => ({ from: day(new Date(Date.now() - 29 * 86_400_000)), to: day(new Date()) }))
  const [form, setForm] = useState(range)
  const products = useAsync(() => api.get<Page<Product>>('/v1/products', { limit: 500 }).catch(() => null), [])
  const productName = new Map((products.data?.data ?? []).map((p) => [p.id, p.name]))
  const data = useAsync(() => api.get<RecoveryAnalytics>('/v1/analytics/recovery', { from: range.from, to: range.to }), [range.from, range.to])
  const a = data.data
  const totals = a?.currency_totals ?? []
  // Charts need one currency; with several, they show the first and the totals list shows each.
  const currency = a?.currency ?? totals[0]?.currency ?? 'USD'
  const money = (v: number | undefined) => formatMoney(v ?? 0, currency)
  const series = a?.series ?? []
  const sources = ((a as { by_source?: SourceRow[] } | undefined)?.by_source ?? [])
  // One bar of a "recovery rate by …" list: rate, amounts, and an optional count.
  const bar = (label: string, b: RecoveryBucket, extra = '') => ({
    label, value: b.recovery_rate ?? 0,
    text: `${formatRate(b.recovery_rate)} · ${money(b.recovered_amount)} of ${money(b.failed_amount)}${extra ? ` · ${extra}` : ''}`,
  })
  const apply = (e: FormEvent) => {
    e.preventDefault()
    setRange(form)
  }
  return (
    <div>
      <PageHeader title="Analytics" />
      <form className="filters" onSubmit={apply} aria-label="Date range">
        <div className="field"><label htmlFor="a-from">From</label><input id="a-from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} /></div>
        <div className="field"><label htmlFor="a-to">To</label><input id="a-to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} /></div>
        <div className="filter-actions"><button type="submit" className="btn btn-primary">Show</button></div>
      </form>
      <Notice>{data.error}</Notice>
      {data.loading && !a ? <p aria-live="polite">Loading analytics…</p> : null}
      {a ? (
        <>
          <div className="stats" data-testid="analytics-totals">
            <div className="stat card"><span className="stat-label">Failed</span><span className="stat-value" data-testid="stat-failed">{money(a.failed_amount)}</span><span className="stat-sub">{count(a.failures, 'failed payment')}</span></div>
            <div className="stat card"><span className="stat-label">Recovered</span><span className="stat-value ok" data-testid="stat-recovered">{money(a.recovered_amount)}</span><span className="stat-sub">{count(a.recovered, 'payment')} recovered</span></div>
            <div className="stat card"><span className="stat-label">Recovery rate</span><span className="stat-value" data-testid="stat-rate">{formatRate(a.recovery_rate)}</span><span className="stat-sub">of the failed amount</span></div>
            <div className="stat card"><span className="stat-label">Retries spent</span><span className="stat-value" data-testid="stat-retries">{((a as { retries_spent?: number }).retries_spent ?? 0).toLocaleString()}</span><span className="stat-sub">payment attempts Recoup made</span></div>
            <div className="stat card"><span className="stat-label">Median time to recover</span><span className="stat-value" data-testid="stat-ttr">{formatTimeToRecover(a.median_time_to_recover_seconds)}</span><span className="stat-sub">from first failure to payment</span></div>
          </div>
          <p className="hint">Payments that first failed from {formatDay(range.from)} to {formatDay(range.to)} (both included); retries of the same invoice count once. Amounts in {currency}.</p>
          {totals.length > 1 ? (
            <section className="card" aria-labelledby="cur-title">
              <h2 id="cur-title">By currency</h2>
              <ul className="run-links">
                {totals.map((t) => <li key={t.currency}><strong>{t.currency}</strong>: {formatMoney(t.recovered_amount ?? 0, t.currency)} recovered of {formatMoney(t.failed_amount ?? 0, t.currency)} ({formatRate(t.recovery_rate)})</li>)}
              </ul>
              <p className="hint">The figures above and the charts show {currency}.</p>
            </section>
          ) : null}
          <section className="card" aria-labelledby="series-title">
            <h2 id="series-title">Failed vs recovered</h2>
            {series.length ? (
              <LineChart
                title={`Failed and recovered amount per day, ${currency}`}
                labels={series.map((s) => s.date)}
                series={[
                  { name: 'Failed', className: 'series-failed', values: series.map((s) => s.failed_amount ?? 0) },
                  { name: 'Recovered', className: 'series-recovered', values: series.map((s) => s.recovered_amount ?? 0) },
                ]}
                format={(v) => formatMoney(v, currency)}
                formatTick={(v) => formatMoneyCompact(v, currency)}
              />
            ) : <p className="empty">No failed payments in this period.</p>}
          </section>
          <div className="grid-2">
            <section className="card" aria-labelledby="wf-title">
              <h2 id="wf-title">Recovery rate by workflow</h2>
              <BarList
                title="Recovery rate by workflow" max={1}
                bars={(a.by_workflow ?? []).map((w) => bar(w.name ?? w.workflow_id, w, count(w.runs, 'run')))}
              />
            </section>
            <section className="card" aria-labelledby="source-title">
              <h2 id="source-title">What brought the money back</h2>
              {sources.length ? (
                <BarList
                  title="Share of the recovered amount by what recovered it" max={1}
                  bars={sources.map((x) => ({
                    label: SOURCE_LABELS[x.source] ?? x.source,
                    value: a.recovered_amount ? x.recovered_amount / a.recovered_amount : 0,
                    text: `${money(x.recovered_amount)} · ${count(x.recovered, 'payment')}${x.by_attempt ? ` · ${Object.entries(x.by_attempt).map(([n, c]) => `attempt ${n}: ${c}`).join(', ')}` : ''}`,
                  }))}
                />
              ) : <p className="empty">Nothing recovered in this period yet.</p>}
            </section>
            <section className="card" aria-labelledby="code-title">
              <h2 id="code-title">Recovery rate by decline code</h2>
              <BarList
                title="Recovery rate by decline code" max={1}
                bars={(a.by_decline_code ?? []).map((c) => bar(c.code || 'unknown', c))}
              />
            </section>
            <section className="card" aria-labelledby="product-title">
              <h2 id="product-title">Recovery rate by product</h2>
              <BarList
                title="Recovery rate by product" max={1}
                bars={(a.by_product ?? []).map((p) => bar(productName.get(p.product_id) ?? p.product_id, p, count(p.failures, 'failure')))}
              />
            </section>
          </div>
        </>
      ) : null}
    </div>
  )
}
