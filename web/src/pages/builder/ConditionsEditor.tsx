import { useId, useState } from 'react'
import { Field } from '../../components/Field'
import { AMOUNT_FIELDS, conditionsCurrency } from '../../lib/condition-words'
import { formatMoney, minorToInput, parseMoney } from '../../lib/money'
import { CONDITION_OPS, newKey, parseConditionValue, type ConditionDraft, type ConditionOp } from '../../lib/workflow-draft'
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
  const currency = conditionsCurrency(value.map((c) => ({ field: c.field.trim(), op: c.op, value: parseConditionValue(c.op, c.value) })))
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
          {AMOUNT_FIELDS.has(c.field.trim()) && c.op !== 'exists' && c.op !== 'in' ? (
            <MoneyValue path={`${path}[${i}].value`} value={c.value} currency={currency} onChange={(v) => set(i, { value: v })} />
          ) : (
            <Field
              path={`${path}[${i}].value`} label="Value"
              hint={c.op === 'in' ? 'Comma-separated' : c.op === 'exists' ? 'Leave empty, or false for "is missing"' : 'Numbers are numbers; quote "123" for text'}
            >
              {(a) => <input {...a} type="text" value={c.value} onChange={(e) => set(i, { value: e.target.value })} />}
            </Field>
          )}
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

/**
 * An amount typed in the currency ("$10.00", "10", "1,234.50"), stored as minor units (1000). Text
 * that is not an amount is kept as typed, quoted, so the save is refused with the API's reason beside it.
 */
function MoneyValue({ path, value, currency, onChange }: { path: string; value: string; currency: string; onChange: (v: string) => void }) {
  const stored = /^\d+$/.test(value.trim()) ? Number(value.trim()) : null
  const [text, setText] = useState(() => (stored !== null ? minorToInput(stored, currency) : value.replace(/^"|"$/g, '')))
  const parsed = text.trim() === '' ? null : parseMoney(text, currency)
  const problem = parsed && 'error' in parsed ? parsed.error : undefined
  const hint = problem ?? (stored !== null ? `${formatMoney(stored, currency)}, stored as ${stored} (minor units).` : `An amount in ${currency}, such as 10.00.`)
  return (
    <Field path={path} label={`Amount (${currency})`} hint={`${hint} Add a condition “payment.currency equals EUR” for another currency.`}>
      {(a) => (
        <input
          {...a} type="text" inputMode="decimal" value={text} placeholder="10.00" aria-invalid={a['aria-invalid'] ?? (problem ? true : undefined)}
          onChange={(e) => {
            setText(e.target.value)
            const p = e.target.value.trim() === '' ? null : parseMoney(e.target.value, currency)
            onChange(p === null ? '' : 'minor' in p ? String(p.minor) : JSON.stringify(e.target.value))
          }}
        />
      )}
    </Field>
  )
}
