import { useEffect, useState } from 'react'
import { api, errorMessage, type Page } from '../lib/api'
import { usePagedList, useAsync } from '../lib/use-async'
import type { Product, RecoveryAnalytics, Run, Workflow } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { loadCatalog, triggerTitle } from '../lib/catalog'
import { navigate, useLocation } from '../lib/router'
import { describeConditions } from '../lib/condition-words'
import { formatMoney } from '../lib/money'
import { Link } from '../components/Link'
import { Empty, LoadMore, Notice, PageHeader, StatusBadge, TableWrap } from '../components/ui'
import { DemoOffer } from './DemoOffer'

/** Counts a workflow's runs (up to 500, then "500+"). */
function useRunCounts(ids: readonly string[]) {
  const [counts, setCounts] = useState<Record<string, string>>({})
  // The ids as one string: the effect re-runs when the list changes, not when a new array arrives.
  const key = ids.join('\n')
  useEffect(() => {
    let live = true
    for (const id of key ? key.split('\n') : []) {
      api
        .get<Page<Run>>('/v1/runs', { workflow_id: id, limit: 500 })
        .then((p) => live && setCounts((c) => ({ ...c, [id]: `${p.data.length}${p.next_cursor ? '+' : ''}` })))
        .catch(() => live && setCounts((c) => ({ ...c, [id]: '—' })))
    }
    return () => {
      live = false
    }
  }, [key])
  return counts
}

/** The home page: every workflow with its trigger, products, status, version, runs and recovered amount. */
export function WorkflowsPage() {
  const { search } = useLocation()
  const archived = search.get('archived') === 'true'
  if (archived) return <ArchivedWorkflows />
  return <ActiveWorkflows />
}

/** Archived workflows: they start no runs; each can be brought back (paused). */
/** Words for a trigger type, from the catalog (the type itself until it has loaded). */
function useTriggerLabel(): (type: string) => string {
  const catalog = useAsync(loadCatalog, [])
  return (type) => triggerTitle(catalog.data, type)
}

function ArchivedWorkflows() {
  const triggerLabel = useTriggerLabel()
  const list = usePagedList((cursor) => api.get<Page<Workflow>>('/v1/workflows', { cursor, archived: 'true' }), [])
  const [error, setError] = useState<string | undefined>()
  const unarchive = async (w: Workflow) => {
    setError(undefined)
    try {
      await api.post(`/v1/workflows/${enc(w.id)}/unarchive`)
      navigate(`/workflows/${enc(w.id)}`)
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  return (
    <div>
      <PageHeader title="Archived workflows">
        <Link to="/workflows" className="btn btn-quiet">Back to workflows</Link>
      </PageHeader>
      <p className="hint page-intro">Archived workflows start no runs; their runs carry on. Unarchiving brings one back paused, to check before activating it.</p>
      <Notice>{list.error ?? error}</Notice>
      {!list.loading && list.items.length === 0 ? <Empty>No archived workflows.</Empty> : null}
      {list.items.length > 0 ? (
        <TableWrap label="Archived workflows" className="table-cards">
          <thead><tr><th scope="col">Name</th><th scope="col">Trigger</th><th scope="col">Archived</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.items.map((w) => (
              <tr key={w.id} data-testid={`archived-row-${w.id}`}>
                <td className="wrap" data-label="Name">{w.name || w.id} <span className="muted">v{w.version}</span></td>
                <td data-label="Trigger">{triggerLabel(w.trigger?.type ?? '')}</td>
                <td data-label="Archived">{formatDateTime(w.archived_at)}</td>
                <td data-label=""><button type="button" className="btn btn-small" onClick={() => void unarchive(w)}>Unarchive</button></td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}

function ActiveWorkflows() {
  const triggerLabel = useTriggerLabel()
  const list = usePagedList((cursor) => api.get<Page<Workflow>>('/v1/workflows', { cursor }), [])
  const products = useAsync(() => api.get<Page<Product>>('/v1/products', { limit: 500 }), [])
  const analytics = useAsync(() => api.get<RecoveryAnalytics>('/v1/analytics/recovery').catch(() => null), [])
  const counts = useRunCounts(list.items.map((w) => w.id))
  const names = new Map((products.data?.data ?? []).map((p) => [p.id, p.name]))
  const recovered = new Map((analytics.data?.by_workflow ?? []).map((w) => [w.workflow_id, w.recovered_amount]))
  const currency = analytics.data?.currency_totals?.length === 1 ? analytics.data.currency_totals[0]!.currency : undefined
  const empty = !list.loading && !list.error && list.items.length === 0
  const noProducts = !products.loading && (products.data?.data.length ?? 0) === 0

  return (
    <div>
      <PageHeader title="Workflows">
        <Link to="/workflows?archived=true" className="btn btn-quiet">Archived</Link>
        <Link to="/workflows/new" className="btn btn-primary">New workflow</Link>
      </PageHeader>
      <Notice>{list.error}</Notice>
      {empty && noProducts ? (
        <DemoOffer onLoaded={() => { void list.reload(); void products.reload() }} />
      ) : null}
      {empty && !noProducts ? <Empty>No workflows yet. Create one to start recovering payments.</Empty> : null}
      {list.items.length > 0 ? (
        <TableWrap label="Workflows" className="table-cards">
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Trigger</th><th scope="col">Products</th><th scope="col">Status</th>
              <th scope="col">Version</th><th scope="col" className="num">Runs</th><th scope="col" className="num">Recovered</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((w) => (
              <tr key={w.id} data-testid={`workflow-row-${w.id}`}>
                <td className="wrap" data-label="Name">
                  <Link to={`/workflows/${enc(w.id)}`}>{w.name || w.id}</Link>
                  {w.warnings?.length ? <p className="hint warn">{w.warnings.join('; ')}</p> : null}
                </td>
                <td data-label="Trigger" className="wrap">
                  {triggerLabel(w.trigger?.type ?? '')}
                  {w.trigger?.conditions?.length ? <div className="muted small" data-testid="workflow-conditions">when {describeConditions(w.trigger.conditions as { field: string; op: string; value?: unknown }[])}</div> : null}
                </td>
                <td className="wrap" data-label="Products">
                  {(w.trigger?.products ?? []).map((p) => (p === '*' ? 'Any product' : names.get(p) ?? p)).join(', ')}
                </td>
                <td data-label="Status"><StatusBadge status={w.status} /></td>
                <td data-label="Version">{w.version !== undefined ? `v${w.version}` : '—'}</td>
                <td className="num" data-label="Runs">
                  <Link to={`/runs?workflow_id=${enc(w.id)}`} aria-label={`Runs of ${w.name}: ${counts[w.id] ?? 'loading'}`}>
                    {counts[w.id] ?? '…'}
                  </Link>
                </td>
                <td className="num" data-label="Recovered">{recovered.has(w.id) ? formatMoney(recovered.get(w.id), currency) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}
