import { useEffect, useState, type FormEvent } from 'react'
import { api, type Page } from '../lib/api'
import { usePagedList, useAsync } from '../lib/use-async'
import { RUN_STATUSES, type Run, type Workflow } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { OUTCOMES, outcomeLabel } from '../lib/outcome'
import { navigate } from '../lib/router'
import { Link } from '../components/Link'
import { Empty, LoadMore, Money, Notice, OutcomeBadge, PageHeader, StatusBadge, TableWrap } from '../components/ui'

/** How often the list looks again while runs are moving. */
const REFRESH_MS = 5000

interface Filters {
  workflow_id: string
  outcome: string
  status: string
  customer_id: string
  since: string
  before: string
}

/** The start of a local calendar day as an ISO instant (what the API's from/to compare with). */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined)

/** Runs, outcome first, filtered by workflow, outcome, status, customer and start date. */
export function RunsPage({ initial }: { initial: URLSearchParams }) {
  const applied: Filters = {
    workflow_id: initial.get('workflow_id') ?? '', outcome: initial.get('outcome') ?? '', status: initial.get('status') ?? '',
    customer_id: initial.get('customer_id') ?? '', since: initial.get('since') ?? '', before: initial.get('before') ?? '',
  }
  const [form, setForm] = useState<Filters>(applied)
  const workflows = useAsync(() => api.get<Page<Workflow>>('/v1/workflows', { limit: 500 }), [])
  const list = usePagedList(
    (cursor) =>
      api.get<Page<Run>>('/v1/runs', {
        workflow_id: applied.workflow_id, outcome: applied.outcome, status: applied.status, customer_id: applied.customer_id,
        from: dayStart(applied.since), to: dayStart(applied.before), cursor,
      }),
    [],
  )
  const names = new Map((workflows.data?.data ?? []).map((w) => [w.id, w.name]))
  const rows = list.items
  // Runs move on their own: while one on the first page is in progress, look again now and then.
  const moving = rows.some((r) => r.status === 'running' || r.status === 'waiting')
  const firstPageOnly = !list.hasMore || rows.length <= 50
  const reload = list.reload
  useEffect(() => {
    if (!moving || !firstPageOnly) return
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void reload()
    }, REFRESH_MS)
    return () => clearInterval(t)
  }, [moving, firstPageOnly, reload])

  const apply = (e: FormEvent) => {
    e.preventDefault()
    const q = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== ''))
    navigate(`/runs${q.toString() ? `?${q}` : ''}`)
  }

  return (
    <div>
      <PageHeader title="Runs" />
      <form className="filters" onSubmit={apply} aria-label="Filter runs">
        <div className="field">
          <label htmlFor="f-workflow">Workflow</label>
          <select id="f-workflow" value={form.workflow_id} onChange={(e) => setForm({ ...form, workflow_id: e.target.value })}>
            <option value="">All workflows</option>
            {(workflows.data?.data ?? []).map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
            {form.workflow_id && !names.has(form.workflow_id) ? <option value={form.workflow_id}>{form.workflow_id}</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-outcome">Outcome</label>
          <select id="f-outcome" value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{outcomeLabel(o)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-customer">Customer ID</label>
          <input id="f-customer" type="text" value={form.customer_id} onChange={(e) => setForm({ ...form, customer_id: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="f-since">Started on or after</label>
          <input id="f-since" type="date" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="f-before">Started before</label>
          <input id="f-before" type="date" value={form.before} onChange={(e) => setForm({ ...form, before: e.target.value })} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">Apply filters</button>
          <button type="button" className="btn btn-quiet" onClick={() => void list.reload()}>Refresh</button>
        </div>
      </form>
      <Notice>{list.error}</Notice>
      {!list.loading && rows.length === 0 ? <Empty>No runs match these filters.</Empty> : null}
      {moving ? <p className="muted refresh-note" aria-live="off">Runs in progress: this list updates every few seconds.</p> : null}
      {rows.length > 0 ? (
        <TableWrap label="Runs" className="table-cards">
          <thead>
            <tr>
              <th scope="col">Outcome</th><th scope="col">Customer</th><th scope="col" className="num">Amount</th><th scope="col">Workflow</th>
              <th scope="col">Started</th><th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid="run-row">
                <td data-label="Outcome"><OutcomeBadge run={r} /></td>
                <td className="wrap" data-label="Customer">
                  <Link to={`/runs/${enc(r.id)}`} aria-label={`Run for ${r.customer_name || r.customer_id}, started ${formatDateTime(r.created_at)}`}>{r.customer_name || r.customer_email || r.customer_id || r.id}</Link>
                  {r.product_names?.length ? <div className="muted small">{r.product_names.join(', ')}</div> : null}
                </td>
                <td className="num" data-label="Amount"><Money amount={r.amount} currency={r.currency} /></td>
                <td className="wrap" data-label="Workflow">
                  <Link to={`/workflows/${enc(r.workflow_id)}`}>{r.workflow_name ?? names.get(r.workflow_id) ?? r.workflow_id}</Link>
                  {r.workflow_version !== undefined ? <span className="muted"> v{r.workflow_version}</span> : null}
                </td>
                <td data-label="Started">{formatDateTime(r.created_at)}</td>
                <td data-label="Status"><StatusBadge status={r.status} quiet /></td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}
