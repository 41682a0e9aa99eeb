import type { Message } from '../lib/types'
import { enc, formatDateTime, formatValue } from '../lib/format'
import { Link } from '../components/Link'
import { StatusBadge } from '../components/ui'

/** One message as rendered and sent (or kept in the outbox), with its error if it failed. */
export function MessageCard({ message: m, showRun }: { message: Message; showRun?: boolean }) {
  return (
    <article className="card message" data-testid="message" aria-label={`${m.channel} message to ${m.to ?? 'unknown'}`}>
      <header className="message-head">
        <span className="badge badge-channel">{m.channel}</span>
        <StatusBadge status={m.status} />
        <span className="muted">{formatDateTime(m.created_at)}</span>
      </header>
      <dl className="kv-list">
        <div><dt>To</dt><dd className="wrap">{m.to ?? '—'}</dd></div>
        {m.subject ? <div><dt>Subject</dt><dd className="wrap" data-testid="message-subject">{m.subject}</dd></div> : null}
        {showRun && m.run_id ? <div><dt>Run</dt><dd className="wrap"><Link to={`/runs/${enc(m.run_id)}`}>{m.run_id}</Link>{m.step_id ? ` · ${m.step_id}` : ''}</dd></div> : null}
      </dl>
      <div className="message-body" data-testid="message-body">{m.body ?? ''}</div>
      {m.error ? <p className="step-error"><strong>Error:</strong> {formatValue(m.error)}</p> : null}
    </article>
  )
}
