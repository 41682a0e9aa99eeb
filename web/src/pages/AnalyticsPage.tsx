import { useState, type FormEvent } from 'react'
import { api } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { RecoveryAnalytics } from '../lib/types'
import { formatMoney, formatMoneyCompact, formatRate } from '../lib/money'
import { Notice, PageHeader } from '../components/ui'
import { LineChart } from '../components/charts/LineChart'
import { BarList } from '../components/charts/BarList'

const day = (d: Date) => d.toISOString().slice(0, 10)

/** Failed vs recovered money over time, and recovery rate by workflow and by decline code. */
export function AnalyticsPage() {
  const [range, setRange] = useState(() => ({ from: day(new Date(Date.now() - 29 * 86_400_000)), to: day(new Date()) }))
  const [form, setForm] = useState(range)
  const data = useAsync(() => api.get<RecoveryAnalytics>('/v1/analytics/recovery', { from: range.from, to: range.to }), [range.from, range.to])
  const a = data.data
  const totals = a?.currency_totals ?? []
  // Charts need one currency; with several, they show the first and the totals list shows each.
  const currency = totals[0]?.currency ?? 'USD'
  const money = (v: number | undefined) => formatMoney(v ?? 0, currency)
  const series = a?.series ?? []
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
            <div className="stat card"><span className="stat-label">Failed</span><span className="stat-value">{money(a.failed_amount)}</span></div>
            <div className="stat card"><span className="stat-label">Recovered</span><span className="stat-value ok">{money(a.recovered_amount)}</span></div>
            <div className="stat card"><span className="stat-label">Recovery rate</span><span className="stat-value">{formatRate(a.recovery_rate)}</span></div>
          </div>
          {totals.length > 1 ? (
            <section className="card" aria-labelledby="cur-title">
              <h2 id="cur-title">By currency</h2>
              <ul className="run-links">
                {totals.map((t) => <li key={t.currency}><strong>{t.currency}</strong>: {formatMoney(t.recovered_amount ?? 0, t.currency)} recovered of {formatMoney(t.failed_amount ?? 0, t.currency)}</li>)}
              </ul>
              <p className="hint">Charts show {currency}.</p>
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
                bars={(a.by_workflow ?? []).map((w) => ({
                  label: w.name ?? w.workflow_id, value: w.recovery_rate ?? 0,
                  text: `${formatRate(w.recovery_rate)} · ${money(w.recovered_amount)} of ${money(w.failed_amount)}${w.runs !== undefined ? ` · ${w.runs} runs` : ''}`,
                }))}
              />
            </section>
            <section className="card" aria-labelledby="code-title">
              <h2 id="code-title">Recovery rate by decline code</h2>
              <BarList
                title="Recovery rate by decline code" max={1}
                bars={(a.by_decline_code ?? []).map((c) => ({
                  label: c.code || 'unknown', value: c.recovery_rate ?? 0,
                  text: `${formatRate(c.recovery_rate)} · ${money(c.recovered_amount)} of ${money(c.failed_amount)}`,
                }))}
              />
            </section>
          </div>
        </>
      ) : null}
    </div>
  )
}
