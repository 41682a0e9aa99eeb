import { Field, FieldErrorText } from '../../components/Field'
import { Notice } from '../../components/ui'
import type { Product } from '../../lib/types'
import { describeConditions } from '../../lib/condition-words'
import { parseConditionValue, type QuietHoursDraft, type WorkflowDraft } from '../../lib/workflow-draft'
import { useBuilder } from './context'
import { ConditionsEditor } from './ConditionsEditor'
import { ProductPicker } from './ProductPicker'

interface Props {
  draft: WorkflowDraft
  update: (patch: Partial<WorkflowDraft>) => void
  products: readonly Product[]
  productsError?: string
}

/** Name, trigger type, products, conditions and exit events. */
export function TriggerSection({ draft, update, products, productsError }: Props) {
  const { catalog } = useBuilder()
  const exitEvents = catalog?.exit_events ?? []
  const setQuiet = (patch: Partial<QuietHoursDraft>) => update({ quietHours: { ...draft.quietHours, ...patch } })
  return (
    <>
      <section className="card" aria-labelledby="about-title">
        <h2 id="about-title">Workflow</h2>
        <Field path="name" label="Name">
          {(a) => <input {...a} type="text" value={draft.name} maxLength={200} onChange={(e) => update({ name: e.target.value })} />}
        </Field>
        <Field path="description" label="Description (optional)">
          {(a) => <input {...a} type="text" value={draft.description} onChange={(e) => update({ description: e.target.value })} />}
        </Field>
      </section>
      <section className="card" aria-labelledby="trigger-title">
        <h2 id="trigger-title">1. Trigger</h2>
        <fieldset className="radio-group" id="field-trigger-type" tabIndex={-1}>
          <legend>When this happens</legend>
          {(catalog?.trigger_types ?? []).map(({ type: t, title }) => (
            <label key={t} className="check">
              <input type="radio" name="trigger-type" value={t} checked={draft.triggerType === t} onChange={() => update({ triggerType: t })} />
              <span className="wrap">{title} <span className="muted">({t})</span></span>
            </label>
          ))}
          <FieldErrorText path="trigger.type" />
        </fieldset>
      </section>
      <section className="card" aria-labelledby="products-title">
        <h2 id="products-title">2. Products</h2>
        <Notice>{productsError}</Notice>
        <ProductPicker products={products} value={draft.products} onChange={(p) => update({ products: p })} />
      </section>
      <section className="card" aria-labelledby="conditions-title">
        <h2 id="conditions-title">3. Conditions</h2>
        <ConditionsEditor path="trigger.conditions" legend="Only when all of these hold" emptyHint="No conditions: every matching event starts a run." value={draft.conditions} onChange={(c) => update({ conditions: c })} />
        {draft.conditions.length ? (
          <p className="hint" data-testid="conditions-in-words">
            In words: only when {describeConditions(draft.conditions.map((c) => ({ field: c.field.trim(), op: c.op, value: parseConditionValue(c.op, c.value) })))}.
          </p>
        ) : null}
        <fieldset className="exit-on" id="field-exit_on" tabIndex={-1}>
          <legend>Stop the run early when</legend>
          {exitEvents.map(({ type: t, title }) => (
            <label key={t} className="check">
              <input
                type="checkbox" checked={draft.exitOn.includes(t)}
                onChange={(e) => update({ exitOn: e.target.checked ? [...draft.exitOn, t] : draft.exitOn.filter((x) => x !== t) })}
              />
              <span className="wrap">{title} <span className="muted">(<code>{t}</code>)</span></span>
            </label>
          ))}
          <p className="hint">Only events for the same customer and product (and the same subscription or plan when both name one) end the run, as “exited”.</p>
          {catalog && draft.exitOn.filter((t) => !exitEvents.some((e) => e.type === t)).map((t) => (
            <p key={t} className="hint">Also: <code>{t}</code> (kept as saved)</p>
          ))}
          <FieldErrorText path="exit_on" />
        </fieldset>
      </section>
      <section className="card" aria-labelledby="quiet-title">
        <h2 id="quiet-title">Quiet hours</h2>
        <fieldset className="quiet-hours" id="field-quiet_hours" tabIndex={-1}>
          <legend className="sr-only">Quiet hours</legend>
          <label className="check">
            <input
              type="checkbox" checked={draft.quietHours.enabled}
              onChange={(e) => setQuiet({ enabled: e.target.checked })}
            />
            <span className="wrap">Do not email or text customers during quiet hours; messages due then are sent when they end</span>
          </label>
          {draft.quietHours.enabled ? (
            <div className="form-row">
              <Field path="quiet_hours.start" label="From" hint="24-hour HH:MM">
                {(a) => <input {...a} type="text" inputMode="numeric" placeholder="21:00" value={draft.quietHours.start} onChange={(e) => setQuiet({ start: e.target.value })} />}
              </Field>
              <Field path="quiet_hours.end" label="Until" hint="24-hour HH:MM; may be the next morning">
                {(a) => <input {...a} type="text" inputMode="numeric" placeholder="08:00" value={draft.quietHours.end} onChange={(e) => setQuiet({ end: e.target.value })} />}
              </Field>
              <Field path="quiet_hours.time_zone" label="Time zone (optional)" hint="IANA name such as Europe/Paris, for customers without a time zone of their own (default UTC)">
                {(a) => <input {...a} type="text" list="time-zones" placeholder="Europe/Paris" value={draft.quietHours.timeZone} onChange={(e) => setQuiet({ timeZone: e.target.value })} />}
              </Field>
              <datalist id="time-zones">
                {timeZones().map((z) => <option key={z} value={z} />)}
              </datalist>
            </div>
          ) : null}
          <FieldErrorText path="quiet_hours" />
        </fieldset>
      </section>
    </>
  )
}

let zones: string[] | undefined
/** IANA zones the browser knows, for the time-zone suggestions (asked once: the list does not change). */
function timeZones(): string[] {
  if (zones) return zones
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] }
  try {
    zones = intl.supportedValuesOf?.('timeZone') ?? []
  } catch {
    zones = []
  }
  return zones
}
