import type { ReactNode } from 'react'
import { Field } from '../../components/Field'
import { countSms, knownSmsText, nonGsmCharacters, smsWarning } from '../../lib/sms'
import { describeDuration, toIsoDuration } from '../../lib/text'
import { newKey, type StepDraft } from '../../lib/workflow-draft'
import { describeSchedule } from '../../lib/step-output'
import { useBuilder } from './context'
import { ConditionsEditor } from './ConditionsEditor'
import { JsonParamsForm } from './JsonParamsForm'
import { StepsEditor } from './StepsEditor'
import { TemplateField } from './TemplateField'

interface Props {
  path: string
  step: StepDraft
  onChange: (s: StepDraft) => void
}

/** The form of one step, by type. Field paths match the API's error paths. */
export function StepForm({ path, step: s, onChange }: Props) {
  const { triggerType } = useBuilder()
  const set = (patch: Partial<StepDraft>) => onChange({ ...s, ...patch })
  const text = (name: keyof StepDraft & string, label: string, opts: { hint?: ReactNode; type?: string; placeholder?: string } = {}) => (
    <Field path={`${path}.${name}`} label={label} hint={opts.hint}>
      {(a) => (
        <input {...a} type={opts.type ?? 'text'} placeholder={opts.placeholder} value={String(s[name] ?? '')}
          onChange={(e) => set({ [name]: e.target.value } as Partial<StepDraft>)} />
      )}
    </Field>
  )
  const idField = text('id', 'Step ID', { hint: 'Stable name used in runs and logs: letters, digits, - or _' })

  switch (s.type) {
    case 'send_email':
      return (
        <div className="step-form">
          {text('to', 'To (optional)', { hint: 'Defaults to the customer’s email', type: 'text' })}
          <TemplateField path={`${path}.subject`} label="Subject" value={s.subject} onChange={(v) => set({ subject: v })} />
          <TemplateField path={`${path}.body`} label="Body" multiline value={s.body} onChange={(v) => set({ body: v })} />
          {idField}
        </div>
      )
    case 'send_sms': {
      // What is known before a run: the text, and links as long as the short links customers get.
      // Other variables are left out, so this is a lower bound; the preview counts the real message.
      const sent = knownSmsText(s.body, window.location.origin)
      const c = countSms(sent)
      const warning = smsWarning(c)
      const odd = c.encoding === 'UCS-2' ? nonGsmCharacters(sent) : []
      return (
        <div className="step-form">
          {text('to', 'To (optional)', { hint: 'Defaults to the customer’s phone' })}
          <TemplateField
            path={`${path}.body`} label="Message" multiline value={s.body} onChange={(v) => set({ body: v })}
            after={
              <span className="counter" aria-live="polite" data-testid="sms-counter">
                {c.units}+ characters · {c.segments} segment{c.segments === 1 ? '' : 's'} · {c.encoding} · {c.remaining} left
                <span className="muted"> (links counted as short links, other variables not yet: see the preview for the message as sent)</span>
                {warning ? (
                  <span className="warn" role="status" data-testid="sms-warning">
                    {' '}{warning}{odd.length ? ` Characters: ${odd.join(' ')}` : ''}
                  </span>
                ) : null}
              </span>
            }
          />
          {idField}
        </div>
      )
    }
    case 'notify_team':
      return (
        <div className="step-form">
          <Field path={`${path}.channel`} label="Channel">
            {(a) => (
              <select {...a} value={s.channel} onChange={(e) => set({ channel: e.target.value as StepDraft['channel'] })}>
                <option value="email">Email</option>
                <option value="slack">Slack</option>
                <option value="webhook">Webhook</option>
              </select>
            )}
          </Field>
          {s.channel === 'email'
            ? <>
                {text('to', 'Team email address', { type: 'email', placeholder: 'finance@example.com' })}
                <TemplateField path={`${path}.subject`} label="Subject (optional)" value={s.subject} onChange={(v) => set({ subject: v })} />
              </>
            : text('url', s.channel === 'slack' ? 'Slack incoming webhook URL' : 'Webhook URL', { type: 'url', placeholder: 'https://' })}
          <TemplateField path={`${path}.message`} label="Message" multiline value={s.message} onChange={(v) => set({ message: v })} />
          {idField}
        </div>
      )
    case 'update_customer':
      return (
        <div className="step-form">
          {text('add_tags', 'Add tags', { hint: 'Comma-separated, e.g. payment-failed, at-risk' })}
          {text('remove_tags', 'Remove tags', { hint: 'Comma-separated' })}
          <fieldset className="kv">
            <legend>Set fields</legend>
            {s.set_fields.map((kv, i) => (
              <div className="kv-row" key={kv.key}>
                <Field path={`${path}.set_fields.${kv.name}`} label={`Field ${i + 1} name`}>
                  {(a) => <input {...a} type="text" value={kv.name} onChange={(e) => set({ set_fields: s.set_fields.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />}
                </Field>
                <Field path={`${path}.set_fields.${kv.name}.value`} label={`Field ${i + 1} value`}>
                  {(a) => <input {...a} type="text" value={kv.value} onChange={(e) => set({ set_fields: s.set_fields.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })} />}
                </Field>
                <button type="button" className="btn btn-quiet" aria-label={`Remove field ${i + 1}`} onClick={() => set({ set_fields: s.set_fields.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" className="btn btn-small" onClick={() => set({ set_fields: [...s.set_fields, { key: newKey(), name: '', value: '' }] })}>
              Add field
            </button>
          </fieldset>
          <TemplateField path={`${path}.note`} label="Note on the customer" multiline value={s.note} onChange={(v) => set({ note: v })} />
          {idField}
        </div>
      )
    case 'wait':
      return (
        <div className="step-form">
          {text('duration', 'Wait for', { hint: durationHint(s.duration, 'Type 3 days, 12 hours or 30 minutes (or ISO 8601: P3D).'), placeholder: '3 days' })}
          {idField}
        </div>
      )
    case 'webhook':
      return (
        <div className="step-form">
          {text('url', 'URL', { type: 'url', placeholder: 'https://example.com/hooks/recoup' })}
          <Field path={`${path}.method`} label="Method">
            {(a) => (
              <select {...a} value={s.method} onChange={(e) => set({ method: e.target.value })}>
                {['POST', 'PUT', 'PATCH'].map((m) => <option key={m}>{m}</option>)}
              </select>
            )}
          </Field>
          <TemplateField path={`${path}.body`} label="Body (optional)" multiline value={s.body} onChange={(v) => set({ body: v })} hint="A JSON template. Leave empty to send the run's data as JSON." />
          {text('secret', 'Signing secret (optional)', { hint: 'A whsec_… secret for this URL. Empty: signed with the server’s RECOUP_WEBHOOK_SECRET, if set.', placeholder: 'whsec_…' })}
          {idField}
        </div>
      )
    case 'retry_payment':
      return (
        <div className="step-form">
          <p className="hint">
            Retries the failed payment with the customer’s payment method. <strong>Hard declines</strong> (stolen or
            expired card, closed account…) are not retried: the step is skipped so the next steps can ask for a new card.
            A new card, or the customer’s “retry now” on the portal, retries at once. A successful retry ends the run as recovered.
          </p>
          {text('schedule', 'Retry schedule (optional)', {
            hint: <>Delays before each attempt, comma-separated (up to 12), e.g. <code>1 day, 3 days, 5 days</code> (or ISO 8601: <code>P1D, P3D, P5D</code>).
              Leave empty for the <strong>decline-aware default</strong>: insufficient funds are retried around paydays, other soft declines sooner.
              {describeSchedule(s.schedule) ? <> Now: {describeSchedule(s.schedule)}.</> : null}</>,
            placeholder: 'decline-aware default',
          })}
          {text('notify', 'Send retry requests to (optional)', { type: 'email', placeholder: 'billing@example.com', hint: 'Without Stripe, each retry is a request to your billing team: this email address, or the outbox when empty.' })}
          {idField}
        </div>
      )
    case 'update_subscription':
      return (
        <div className="step-form">
          <p className="hint">Ends a recovery that did not work, the way Stripe’s own end-of-dunning settings do. Without Stripe, your billing team is asked to do it.</p>
          <Field path={`${path}.action`} label="How it ends">
            {(a) => (
              <select {...a} value={s.action} onChange={(e) => set({ action: e.target.value as StepDraft['action'] })}>
                <option value="cancel">Cancel the subscription now</option>
                <option value="pause_collection">Pause payment collection (new invoices marked uncollectible)</option>
                <option value="mark_uncollectible">Mark the failed invoice uncollectible</option>
              </select>
            )}
          </Field>
          {text('notify', 'Send the request to (optional)', { type: 'email', placeholder: 'billing@example.com', hint: 'Without Stripe: this email address, or the outbox when empty.' })}
          {idField}
        </div>
      )
    case 'offer':
      return (
        <div className="step-form">
          <p className="hint">The customer sees the offer on their portal page (<code>{'{{ links.offer }}'}</code> in a message) and accepts or declines it. The run waits for the answer: acceptance ends it as recovered; a decline or expiry moves on to the next step.</p>
          <Field
            path={`${path}.kind`} label="Offer"
            hint={s.kind === 'restructure' && triggerType !== 'installment_plan.canceled'
              ? <span className="warn">A restructure spreads an installment plan’s balance: it only works in an “Installment plan canceled” workflow. Use “Extend the due date” here.</span>
              : undefined}
          >
            {(a) => (
              <select {...a} value={s.kind} onChange={(e) => set({ kind: e.target.value as StepDraft['kind'] })}>
                <option value="extend">Extend the due date</option>
                <option value="restructure">Restructure the plan’s balance into installments</option>
              </select>
            )}
          </Field>
          <div className="form-row">
            {s.kind === 'extend'
              ? text('days', 'Extend by (days)', { type: 'number', hint: '1 to 365 days after the offer is made.' })
              : <>
                  {text('installments', 'Number of installments', { type: 'number', hint: '2 to 36; the balance is split exactly.' })}
                  {text('every', 'Every', { placeholder: '30 days', hint: durationHint(s.every, 'Time between installments, such as 30 days or 2 weeks.') })}
                </>}
            {text('expires_in', 'Offer expires after', { placeholder: '7 days', hint: durationHint(s.expires_in, 'Such as 7 days; default 7 days.') })}
          </div>
          <TemplateField path={`${path}.note`} label="Note shown with the offer (optional)" multiline value={s.note} onChange={(v) => set({ note: v })} />
          {idField}
        </div>
      )
    case 'branch':
      return (
        <div className="step-form branch">
          <ConditionsEditor path={`${path}.if`} legend="If all of these hold" emptyHint="Add at least one condition; the branch takes Then when all hold, Else otherwise." value={s.if} onChange={(v) => set({ if: v })} />
          <h4>Then</h4>
          <StepsEditor path={`${path}.then`} title="Then branch" steps={s.then} onChange={(v) => set({ then: v })} />
          <h4>Else</h4>
          <StepsEditor path={`${path}.else`} title="Else branch" steps={s.else} onChange={(v) => set({ else: v })} />
          {idField}
        </div>
      )
    default:
      return (
        <div className="step-form">
          <JsonParamsForm path={path} step={s} onChange={onChange} />
          {idField}
        </div>
      )
  }
}

/** A duration field's hint: what to type, then what is stored ("Saved as P3D: 3 days"). */
function durationHint(text: string, help: string): string {
  const iso = text.trim() ? toIsoDuration(text) : null
  if (!text.trim()) return help
  if (!iso) return `${help} “${text.trim()}” is not a duration yet.`
  return `${help} Saved as ${iso}: ${describeDuration(iso)}.`
}
