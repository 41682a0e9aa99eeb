import { useId, useRef, useState, type ReactNode } from 'react'
import { Field } from '../../components/Field'
import { insertAt } from '../../lib/text'
import { variablesFor } from '../../lib/catalog'
import { useBuilder } from './context'

interface Props {
  path: string
  label: string
  value: string
  onChange: (v: string) => void
  multiline?: boolean
  hint?: ReactNode
  after?: ReactNode
}

/** A text field for a Liquid template, with a picker that inserts `{{ variable }}` at the caret. */
export function TemplateField({ path, label, value, onChange, multiline, hint, after }: Props) {
  const { triggerType, catalog } = useBuilder()
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const pickerId = useId()
  const variables = variablesFor(catalog, triggerType)
  const [choice, setChoice] = useState(variables[0] ?? '')
  const picked = variables.includes(choice) ? choice : variables[0] ?? ''
  const insert = (variable: string) => {
    const el = ref.current
    const start = el?.selectionStart ?? value.length
    const end = el?.selectionEnd ?? value.length
    const next = insertAt(value, start, end, `{{ ${variable} }}`)
    onChange(next.text)
    requestAnimationFrame(() => {
      el?.focus()
      el?.setSelectionRange(next.caret, next.caret)
    })
  }
  return (
    <Field path={path} label={label} hint={hint}>
      {(a) => (
        <>
          {multiline ? (
            <textarea {...a} ref={ref} rows={5} value={value} onChange={(e) => onChange(e.target.value)} />
          ) : (
            <input {...a} ref={ref} type="text" value={value} onChange={(e) => onChange(e.target.value)} />
          )}
          <div className="field-tools">
            {/* A select plus a button: choosing with arrow keys must not insert on every key press. */}
            <label htmlFor={pickerId} className="sr-only">Variable for {label.toLowerCase()}</label>
            <select id={pickerId} value={picked} onChange={(e) => setChoice(e.target.value)}>
              {variables.map((v) => (
                <option key={v} value={v}>{v}</option>
              ))}
            </select>
            <button type="button" className="btn btn-small" onClick={() => insert(picked)} aria-label={`Insert variable into ${label.toLowerCase()}`}>
              Insert variable
            </button>
            {after}
          </div>
        </>
      )}
    </Field>
  )
}
