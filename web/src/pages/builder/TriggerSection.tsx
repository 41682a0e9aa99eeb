import { Field, FieldErrorText } from '../../components/Field'
import { Notice } from '../../components/ui'
import type { Product } from '../../lib/types'
import { EXIT_EVENTS, TRIGGER_TYPES, type WorkflowDraft } from '../../lib/workflow-draft'
import { triggerLabel } from '../../lib/format'
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
          {TRIGGER_TYPES.map((t) => (
            <label key={t} className="check">
              <input type="radio" name="trigger-type" value={t} checked={draft.triggerType === t} onChange={() => update({ triggerType: t })} />
              <span className="wrap">{triggerLabel(t)} <span className="muted">({t})</span></span>
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
        <fieldset className="exit-on" id="field-exit_on" tabIndex={-1}>
          <legend>Stop the run early when</legend>
          {EXIT_EVENTS.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox" checked={draft.exitOn.includes(t)}
                onChange={(e) => update({ exitOn: e.target.checked ? [...draft.exitOn, t] : draft.exitOn.filter((x) => x !== t) })}
              />
              <span className="wrap"><code>{t}</code> arrives for the same customer and product</span>
            </label>
          ))}
          <FieldErrorText path="exit_on" />
        </fieldset>
      </section>
    </>
  )
}
