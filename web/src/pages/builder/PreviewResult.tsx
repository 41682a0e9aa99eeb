import { describeCondition } from '../../lib/condition-words'
import { formatValue } from '../../lib/format'
import { countSms, nonGsmCharacters, smsWarning } from '../../lib/sms'

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
      {typeof fields.html === 'string' ? <EmailFrames html={fields.html} subject={formatValue(fields.subject)} /> : null}
      {step.type === 'send_sms' && typeof fields.body === 'string' ? <SmsCounter body={fields.body} /> : null}
      {nested.length ? <ol className="preview-steps">{nested.map((s, i) => <StepPreview key={i} step={s} />)}</ol> : null}
    </li>
  )
}

/**
 * The email's HTML as the customer's mail app shows it, at 600 px (desktop) and 375 px (phone), each
 * in a sandboxed frame: no scripts, no access to the dashboard, links do not navigate.
 */
function EmailFrames({ html, subject }: { html: string; subject: string }) {
  return (
    <div className="email-frames" data-testid="email-preview">
      {[
        { width: 600, label: 'Desktop, 600 px' },
        { width: 375, label: 'Phone, 375 px' },
      ].map((f) => (
        <figure key={f.width} className="email-frame">
          <figcaption className="muted">{f.label}</figcaption>
          <iframe sandbox="" srcDoc={html} title={`${subject}: ${f.label}`} width={f.width} height={640} />
        </figure>
      ))}
    </div>
  )
}

/** The rendered SMS's length and segments, with a warning when it costs more than one segment. */
function SmsCounter({ body }: { body: string }) {
  const c = countSms(body)
  const warning = smsWarning(c)
  const odd = c.encoding === 'UCS-2' ? nonGsmCharacters(body) : []
  return (
    <p className="counter" data-testid="sms-preview-counter">
      {c.units} characters · {c.segments} segment{c.segments === 1 ? '' : 's'} · {c.encoding}
      {warning ? <span className="warn" role="status"> {warning}{odd.length ? ` Characters: ${odd.join(' ')}` : ''}</span> : null}
    </p>
  )
}

/** "This event would not start a run: amount ≥ $100.00 does not hold (it is $49.00)", from the answer's failed conditions. */
function failedInWords(result: Json): string | undefined {
  const failed = Array.isArray(result.failed_conditions) ? result.failed_conditions.filter(isObj) : []
  if (!failed.length) return undefined
  const currency = isObj(result.event) && isObj(result.event.payment) && typeof result.event.payment.currency === 'string' ? result.event.payment.currency : 'USD'
  const said = failed.map((c) => {
    const cond = { field: String(c.field), op: String(c.op), value: c.value }
    const actual = c.actual === null || c.actual === undefined ? 'missing' : describeCondition({ ...cond, op: 'eq', value: c.actual }, currency).replace(/^.* is /, '')
    return `${describeCondition(cond, currency)} does not hold (it is ${actual})`
  })
  return `This event would not start a run: ${said.join('; ')}.`
}

/** Shows the answer of a preview: whether the event matches and each rendered step. */
export function PreviewResult({ result }: { result: unknown }) {
  if (!isObj(result)) return <pre className="code">{formatValue(result)}</pre>
  const steps = [result.steps, result.actions, result.messages].find(Array.isArray) as unknown[] | undefined
  const matched = result.matched ?? result.matches ?? result.would_start
  return (
    <div>
      {typeof matched === 'boolean' ? (
        <p className={matched ? 'ok' : 'warn'} data-testid="preview-match">
          {matched ? 'This event would start a run.' : failedInWords(result) ?? `This event would not start a run${result.reason ? `: ${formatValue(result.reason)}` : '.'}`}
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
