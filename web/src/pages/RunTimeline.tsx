import type { RunStep } from '../lib/types'
import { formatDateTime, formatValue } from '../lib/format'
import { InstallmentTable, StatusBadge } from '../components/ui'
import { describeTimelineStep } from '../lib/timeline-step'
import { WAITING_LABEL } from '../lib/step-output'

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A run's steps in order, with status, attempts, times, output and error. */
export function RunTimeline({ steps, runStatus, waitingUntil: runWait, waitingReason }: { steps: readonly RunStep[]; runStatus: string; waitingUntil?: string | null; waitingReason?: string | null }) {
  if (steps.length === 0) return <p className="empty">No steps have started yet.</p>
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((s, i) => {
        const { described, waiting } = describeTimelineStep({ steps, index: i, run: { status: runStatus, waitingUntil: runWait, waitingReason }, fmt: formatDateTime })
        const errorText = formatValue(isObj(s.error) && typeof s.error.message === 'string' ? s.error.message : s.error)
        return (
          <li key={`${s.id}-${i}`} className={`timeline-item timeline-${s.status}`} data-testid={`timeline-step-${s.id}`}>
            <div className="timeline-head">
              <h3 className="wrap">{s.id} <span className="muted">({s.type})</span></h3>
              <StatusBadge status={s.status} />
            </div>
            <dl className="timeline-meta">
              <div><dt>Attempts</dt><dd>{s.attempts ?? 0}</dd></div>
              <div><dt>Started</dt><dd>{formatDateTime(s.started_at)}</dd></div>
              <div><dt>Finished</dt><dd>{formatDateTime(s.finished_at)}</dd></div>
              {waiting ? (
                <div data-testid="step-waiting"><dt>{WAITING_LABEL}</dt><dd>{formatDateTime(waiting.until)}{waiting.reason ? <span className="muted"> — {waiting.reason}</span> : null}</dd></div>
              ) : null}
            </dl>
            {described.rows.length ? (
              <dl className="kv-list step-output" data-testid="step-output">
                {described.rows.map((row, j) => (
                  <div key={`${row.label}-${j}`}>
                    <dt>{row.label}</dt>
                    <dd className={`wrap ${row.tone ?? ''}`}>{row.value}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
            {described.schedule ? (
              <InstallmentTable label={`New installments offered by ${s.id}`} className="schedule-table" items={described.schedule.items} currency={described.schedule.currency} />
            ) : null}
            {errorText ? <p className="step-error" role="note"><strong>Error:</strong> {errorText}</p> : null}
            {s.output !== undefined && s.output !== null && !(isObj(s.output) && Object.keys(s.output).length === 0) ? (
              <details>
                <summary>{described.rows.length ? 'Raw output' : 'Output'}</summary>
                <pre className="code">{formatValue(s.output)}</pre>
              </details>
            ) : null}
          </li>
        )
      })}
    </ol>
  )
}
