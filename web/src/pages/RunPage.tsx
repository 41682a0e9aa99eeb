import { useEffect, useState } from 'react'
import { api, errorMessage, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { Message, Run, Workflow } from '../lib/types'
import { enc, formatDateTime, formatValue } from '../lib/format'
import { Link } from '../components/Link'
import { Notice, PageHeader, StatusBadge } from '../components/ui'
import { RunTimeline } from './RunTimeline'
import { classifyWait, humanizeTimes } from '../lib/step-output'
import { MessageCard } from './MessageCard'

const LIVE = new Set(['running', 'waiting'])

/** One run: its steps as a timeline, the messages it sent, and cancel / retry. */
export function RunPage({ id }: { id: string }) {
  const run = useAsync(() => api.get<Run>(`/v1/runs/${enc(id)}`), [id])
  const messages = useAsync(() => api.get<Page<Message>>('/v1/messages', { run_id: id, limit: 100 }), [id])
  const wfId = run.data?.workflow_id
  const workflow = useAsync(() => (wfId ? api.get<Workflow>(`/v1/workflows/${enc(wfId)}`).catch(() => null) : Promise.resolve(null)), [wfId])
  const [action, setAction] = useState<{ busy: boolean; error?: string; done?: string }>({ busy: false })

  // While the run is live, look again every few seconds so the page follows it.
  const live = run.data ? LIVE.has(run.data.status) : false
  useEffect(() => {
    if (!live) return
    const t = setInterval(() => {
      void run.reload()
      void messages.reload()
    }, 3000)
    return () => clearInterval(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live])

  const act = async (verb: 'cancel' | 'retry') => {
    if (verb === 'cancel' && !window.confirm('Cancel this run? Steps not yet done will not happen.')) return
    setAction({ busy: true })
    try {
      await api.post(`/v1/runs/${enc(id)}/${verb}`)
      setAction({ busy: false, done: verb === 'cancel' ? 'Run canceled.' : 'Run resumed from the failed step.' })
      await Promise.all([run.reload(), messages.reload()])
    } catch (err) {
      setAction({ busy: false, error: errorMessage(err) })
    }
  }

  if (!run.data) return run.error ? <Notice>{run.error}</Notice> : <p aria-live="polite">Loading run…</p>
  const r = run.data
  const wait = classifyWait(r.waiting_reason)
  return (
    <div>
      <PageHeader title={<>Run <span className="ellipsis mono">{r.id}</span> <StatusBadge status={r.status} /></>}>
        {live ? <button type="button" className="btn btn-danger" disabled={action.busy} onClick={() => void act('cancel')}>Cancel run</button> : null}
        {r.status === 'failed' ? <button type="button" className="btn btn-primary" disabled={action.busy} onClick={() => void act('retry')}>Retry run</button> : null}
        <button type="button" className="btn btn-quiet" onClick={() => { void run.reload(); void messages.reload() }}>Refresh</button>
      </PageHeader>
      <Notice>{action.error ?? run.error}</Notice>
      {r.error ? <p className="step-error" role="note"><strong>{r.status === 'failed' ? 'Failed' : 'Ended'}:</strong> {formatValue(r.error)}</p> : null}
      <Notice kind="success">{action.done}</Notice>
      <dl className="summary-grid">
        <div><dt>Workflow</dt><dd className="wrap"><Link to={`/workflows/${enc(r.workflow_id)}`}>{workflow.data?.name ?? r.workflow_id}</Link>{r.workflow_version !== undefined ? ` (v${r.workflow_version})` : ''}</dd></div>
        <div><dt>Customer</dt><dd className="wrap">{r.customer_id ? <Link to={`/customers/${enc(r.customer_id)}`}>{r.customer_id}</Link> : '—'}</dd></div>
        <div><dt>Event</dt><dd className="wrap mono">{r.event_id ?? '—'}</dd></div>
        <div><dt>Started</dt><dd>{formatDateTime(r.created_at)}</dd></div>
        <div><dt>Last change</dt><dd>{formatDateTime(r.updated_at)}</dd></div>
        {r.finished_at ? <div><dt>Finished</dt><dd>{formatDateTime(r.finished_at)}</dd></div> : null}
      </dl>
      {r.status === 'waiting' && (r.waiting_reason || r.waiting_until) ? (
        <div className={`notice notice-info waiting wait-${wait.kind}`} data-testid="run-waiting" role="status">
          <p><strong>{wait.title}</strong></p>
          {r.waiting_reason ? <p className="wrap" data-testid="waiting-reason">{humanizeTimes(r.waiting_reason, formatDateTime)}</p> : null}
          {r.waiting_until ? <p>Resumes {formatDateTime(r.waiting_until)}, or earlier when an event for this customer arrives.</p> : null}
        </div>
      ) : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <RunTimeline steps={r.steps ?? []} runStatus={r.status} waitingUntil={r.waiting_until} waitingReason={r.waiting_reason} />
      </section>
      <section aria-labelledby="messages-title">
        <h2 id="messages-title">Messages sent</h2>
        <Notice>{messages.error}</Notice>
        {messages.data && messages.data.data.length === 0 ? <p className="empty">This run has not sent any messages yet.</p> : null}
        <div className="message-list">
          {(messages.data?.data ?? []).filter((m) => !m.run_id || m.run_id === r.id).map((m) => <MessageCard key={m.id} message={m} />)}
        </div>
      </section>
    </div>
  )
}
