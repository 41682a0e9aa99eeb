import { Field } from '../../components/Field'
import { traitsOf } from '../../lib/catalog'
import type { StepDraft } from '../../lib/workflow-draft'
import { useBuilder } from './context'

/**
 * What every step may say beyond its own fields: what a failure does to the run (`on_error`), and
 * for CRM updates whether the change is temporary (`until: recovered`, with what fields go back to).
 * Kept in the step's `extra`, which the draft sends as it is.
 */
export function StepExtras({ path, step: s, onChange }: { path: string; step: StepDraft; onChange: (s: StepDraft) => void }) {
  const { catalog } = useBuilder()
  const traits = traitsOf(catalog, s.type)
  // A step with arms (a branch) cannot fail: it has no on_error.
  if (traits?.arms.length) return null
  const setExtra = (patch: Record<string, unknown>) => {
    const extra = { ...s.extra, ...patch }
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete extra[k]
    onChange({ ...s, extra })
  }
  const continues = traits?.continues_on_error ?? false
  const onError = s.extra.on_error === 'continue' || s.extra.on_error === 'fail' ? s.extra.on_error : ''
  const temporary = s.extra.until === 'recovered'
  const restore = (s.extra.restore_fields && typeof s.extra.restore_fields === 'object' ? s.extra.restore_fields : {}) as Record<string, unknown>
  const fields = s.set_fields.filter((kv) => kv.name.trim() !== '')
  return (
    <div className="step-extras">
      {s.type === 'update_customer' ? (
        <fieldset className="temporary" id={`field-${path}.until`} tabIndex={-1}>
          <legend className="sr-only">Temporary change</legend>
          <label className="check">
            <input type="checkbox" checked={temporary} onChange={(e) => setExtra({ until: e.target.checked ? 'recovered' : undefined, restore_fields: e.target.checked ? s.extra.restore_fields : undefined })} />
            <span className="wrap">Undo these changes when the money is recovered or an offer is accepted (remove the tags added, put back the tags removed, reset the fields)</span>
          </label>
          {temporary && fields.length ? (
            <div className="form-row">
              {fields.map((kv) => (
                <Field key={kv.key} path={`${path}.restore_fields.${kv.name.trim()}`} label={`${kv.name.trim()} goes back to`} hint="Empty: the value it had before">
                  {(a) => (
                    <input
                      {...a} type="text" value={typeof restore[kv.name.trim()] === 'string' ? (restore[kv.name.trim()] as string) : ''} placeholder="active"
                      onChange={(e) => {
                        const next = { ...restore, [kv.name.trim()]: e.target.value }
                        if (e.target.value === '') delete next[kv.name.trim()]
                        setExtra({ restore_fields: Object.keys(next).length ? next : undefined })
                      }}
                    />
                  )}
                </Field>
              ))}
            </div>
          ) : null}
        </fieldset>
      ) : null}
      {s.type === 'offer' ? (
        <Field path={`${path}.alert_on_accept.to`} label="Email the team when the customer accepts (optional)" hint="An address such as billing@yourcompany.com; empty: no alert">
          {(a) => (
            <input
              {...a} type="email" placeholder="billing@yourcompany.com"
              value={typeof (s.extra.alert_on_accept as { to?: unknown } | undefined)?.to === 'string' ? ((s.extra.alert_on_accept as { to: string }).to) : ''}
              onChange={(e) => setExtra({ alert_on_accept: e.target.value.trim() ? { channel: 'email', to: e.target.value } : undefined })}
            />
          )}
        </Field>
      ) : null}
      <Field path={`${path}.on_error`} label="If this step fails after its retries">
        {(a) => (
          <select {...a} value={onError} onChange={(e) => setExtra({ on_error: e.target.value === '' ? undefined : e.target.value })}>
            <option value="">{continues ? 'Go on with the next step (default for team alerts)' : 'Stop the run (default)'}</option>
            {continues ? <option value="fail">Stop the run</option> : <option value="continue">Go on with the next step</option>}
          </select>
        )}
      </Field>
    </div>
  )
}
