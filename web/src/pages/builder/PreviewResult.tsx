import { formatValue } from '../../lib/format'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

const SHOWN = ['channel', 'to', 'subject', 'body', 'message', 'url', 'method', 'duration', 'until', 'add_tags', 'remove_tags', 'set_fields', 'note', 'kind', 'skipped', 'reason', 'error']

function StepPreview({ step }: { step: Json }) {
  // The rendered fields may sit on the step itself or under `rendered` / `output` / `would`.
  const fields: Json = { ...step, ...(isObj(step.output) ? step.output : {}), ...(isObj(step.would) ? step.would : {}), ...(isObj(step.rendered) ? step.rendered : {}) }
  const rows = SHOWN.filter((k) => fields[k] !== undefined && fields[k] !== null && fields[k] !== '')
  const nested = [...(Array.isArray(step.then) ? step.then : []), ...(Array.isArray(step.steps) ? step.steps : [])].filter(isObj)
  return (
    <li className="preview-step">
      <p className="preview-step-head">
        <strong>{formatValue(step.type)}</strong> <span className="muted">{formatValue(step.id ?? step.step_id)}</span>
        {step.took !== undefined || step.branch !== undefined ? <span className="muted"> → took the {formatValue(step.took ?? step.branch)} branch</span> : null}
      </p>
      {rows.length ? (
        <dl className="kv-list">
          {rows.map((k) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className={k === 'body' || k === 'message' ? 'message-body' : 'wrap'}>{formatValue(fields[k])}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {nested.length ? <ol className="preview-steps">{nested.map((s, i) => <StepPreview key={i} step={s} />)}</ol> : null}
    </li>
  )
}

/** Shows the answer of POST /v1/workflows/:id/test: whether the event matches and each rendered step. */
export function PreviewResult({ result }: { result: unknown }) {
  if (!isObj(result)) return <pre className="code">{formatValue(result)}</pre>
  const steps = [result.steps, result.actions, result.messages].find(Array.isArray) as unknown[] | undefined
  const matched = result.matched ?? result.matches ?? result.would_start
  return (
    <div>
      {typeof matched === 'boolean' ? (
        <p className={matched ? 'ok' : 'warn'}>
          {matched ? 'This event would start a run.' : `This event would not start a run${result.reason ? `: ${formatValue(result.reason)}` : '.'}`}
        </p>
      ) : null}
      {steps ? (
        <ol className="preview-steps">{steps.filter(isObj).map((s, i) => <StepPreview key={i} step={s} />)}</ol>
      ) : (
        <pre className="code">{formatValue(result)}</pre>
      )}
      <details>
        <summary>Raw answer</summary>
        <pre className="code">{formatValue(result)}</pre>
      </details>
    </div>
  )
}
