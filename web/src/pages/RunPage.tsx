import { useEffect, useState } from 'react'
import { api, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { Message, Run, Workflow } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { endingSentence, outcomeOf } from '../lib/outcome'
import { Link } from '../components/Link'
import { Money, Notice, OutcomeBadge, PageHeader, StatusBadge } from '../components/ui'
import { RunActions } from './RunActions'
import { RunTimeline } from './RunTimeline'
import { classifyWait, humanizeTimes } from '../lib/step-output'
import { MessageCard } from './MessageCard'

const LIVE = new Set(['running', 'waiting'])

/** One run: its outcome first, what staff can do about it, its steps as a timeline, and the messages it sent. */
export function RunPage({ id }: { id: string }) {
  const run = useAsync(() => api.get<Run>(`/v1/runs/${enc(id)}`), [id])
  const messages = useAsync(() => api.get<Page<Message>>('/v1/messages', { run_id: id, limit: 100 }), [id])
  const wfId = run.data?.workflow_id
  const workflow = useAsync(() => (wfId ? api.get<Workflow>(`/v1/workflows/${enc(wfId)}`).catch(() => null) : Promise.resolve(null)), [wfId])
  const [done, setDone] = useState<string | undefined>()

  // While the run is live, look again every few seconds so the page follows it.
  const live = run.data ? LIVE.has(run.data.status) : false
  const reloadRun = run.reload
  const reloadMessages = messages.reload
  useEffect(() => {
    if (!live) return
    const t = setInterval(() => {
      void reloadRun()
      void reloadMessages()
    }, 3000)
    return () => clearInterval(t)
  }, [live, reloadRun, reloadMessages])

  if (!run.data) return run.error ? <Notice>{run.error}</Notice> : <p aria-live="polite">Loading run…</p>
  const r = run.data
  const wait = classifyWait(r.waiting_reason)
  const outcome = outcomeOf(r)
  const ending = endingSentence(r)
  const who = r.customer_name || r.customer_email || r.customer_id
  return (
    <div>
      <PageHeader title={<><span className="wrap">Recovery{who ? ` for ${who}` : ''}</span> <OutcomeBadge run={r} large /> <StatusBadge status={r.status} quiet /></>}>
        <button type="button" className="btn btn-quiet" onClick={() => { void run.reload(); void messages.reload() }}>Refresh</button>
      </PageHeader>
      <RunActions
        run={r}
        latestVersion={workflow.data?.version}
        onChanged={async (message) => {
          setDone(message)
          await Promise.all([run.reload(), messages.reload()])
        }}
      />
      <Notice>{run.error}</Notice>
      {ending ? (
        <p className={`notice ending ending-${outcome.tone}`} role="note" data-testid="run-ending">
          <strong>{outcome.label}:</strong> <span className="wrap">{ending}</span>
        </p>
      ) : null}
      <Notice kind="success">{done}</Notice>
      <dl className="summary-grid">
        <div><dt>Customer</dt><dd className="wrap">{r.customer_id ? <Link to={`/customers/${enc(r.customer_id)}`}>{who}</Link> : '—'}{r.customer_name && r.customer_email ? <span className="muted"> · {r.customer_email}</span> : null}</dd></div>
        <div><dt>Amount</dt><dd><Money amount={r.amount} currency={r.currency} /></dd></div>
        <div><dt>Workflow</dt><dd className="wrap"><Link to={`/workflows/${enc(r.workflow_id)}`}>{r.workflow_name ?? workflow.data?.name ?? r.workflow_id}</Link>{r.workflow_version !== undefined ? ` (v${r.workflow_version}${workflow.data?.version && workflow.data.version > r.workflow_version ? `; latest is v${workflow.data.version}` : ''})` : ''}</dd></div>
        <div><dt>Product</dt><dd className="wrap">{r.product_names?.length ? r.product_names.join(', ') : (r.product_ids ?? []).join(', ') || '—'}</dd></div>
        <div><dt>Started</dt><dd>{formatDateTime(r.created_at)}</dd></div>
        <div><dt>Last change</dt><dd>{formatDateTime(r.updated_at)}</dd></div>
        {r.finished_at ? <div><dt>Ended</dt><dd>{formatDateTime(r.finished_at)}{r.ended_by ? <span className="muted"> by {r.ended_by}</span> : null}</dd></div> : null}
        <div><dt>Run</dt><dd className="wrap mono">{r.id}</dd></div>
        <div><dt>Event</dt><dd className="wrap mono">{r.event_id ?? '—'}</dd></div>
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
