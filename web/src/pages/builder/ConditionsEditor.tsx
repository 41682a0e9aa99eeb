import { useId } from 'react'
import { Field } from '../../components/Field'
import { CONDITION_OPS, newKey, type ConditionDraft, type ConditionOp } from '../../lib/workflow-draft'
import { FieldErrorText } from '../../components/Field'

const OP_LABELS: Record<ConditionOp, string> = {
  eq: 'equals', ne: 'does not equal', gt: 'greater than', gte: 'at least', lt: 'less than', lte: 'at most',
  in: 'is one of', contains: 'contains', exists: 'exists',
}

const FIELD_SUGGESTIONS = [
  'payment.amount', 'payment.currency', 'payment.failure_code', 'payment.attempt', 'customer.email',
  'installment_plan.balance_due', 'installment_plan.installments_paid', 'installment_plan.reason',
]

/** Rows of (field, op, value); all must hold. `path` is where the API reports errors (`trigger.conditions`). */
export function ConditionsEditor({ path, value, onChange, legend, emptyHint }: { path: string; value: ConditionDraft[]; onChange: (c: ConditionDraft[]) => void; legend: string; emptyHint: string }) {
  const listId = useId()
  const set = (i: number, patch: Partial<ConditionDraft>) => onChange(value.map((c, j) => (j === i ? { ...c, ...patch } : c)))
  return (
    <fieldset className="conditions">
      <legend>{legend}</legend>
      <datalist id={listId}>
        {FIELD_SUGGESTIONS.map((f) => <option key={f} value={f} />)}
      </datalist>
      {value.length === 0 ? <p className="hint">{emptyHint}</p> : null}
      {value.map((c, i) => (
        <div className="condition-row" key={c.key}>
          <Field path={`${path}[${i}].field`} label={`Condition ${i + 1} field`}>
            {(a) => <input {...a} type="text" list={listId} value={c.field} placeholder="payment.amount" onChange={(e) => set(i, { field: e.target.value })} />}
          </Field>
          <Field path={`${path}[${i}].op`} label="Operator">
            {(a) => (
              <select {...a} value={c.op} onChange={(e) => set(i, { op: e.target.value as ConditionOp })}>
                {CONDITION_OPS.map((op) => <option key={op} value={op}>{OP_LABELS[op]} ({op})</option>)}
              </select>
            )}
          </Field>
          <Field
            path={`${path}[${i}].value`} label="Value"
            hint={c.op === 'in' ? 'Comma-separated' : c.op === 'exists' ? 'Leave empty, or false for "is missing"' : 'Numbers are numbers; quote "123" for text'}
          >
            {(a) => <input {...a} type="text" value={c.value} onChange={(e) => set(i, { value: e.target.value })} />}
          </Field>
          <button type="button" className="btn btn-quiet" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={`Remove condition ${i + 1}`}>
            Remove
          </button>
          <FieldErrorText path={`${path}[${i}]`} />
        </div>
      ))}
      <FieldErrorText path={path} />
      <button type="button" className="btn" onClick={() => onChange([...value, { key: newKey(), field: '', op: 'eq', value: '' }])}>
        Add condition
      </button>
    </fieldset>
  )
}
