import { useEffect, useId, useState } from 'react'
import { FieldErrorText } from '../../components/Field'
import { stepTitle } from '../../lib/catalog'
import { move, newStep, type StepDraft } from '../../lib/workflow-draft'
import { useBuilder } from './context'
import { StepExtras } from './StepExtras'
import { StepForm } from './StepForm'

interface Props {
  /** API path of this list: `steps`, or `steps[3].then` inside a branch. */
  path: string
  steps: StepDraft[]
  onChange: (steps: StepDraft[]) => void
  title: string
}

/** An ordered list of steps: add, move up/down, edit and remove. Branch steps nest another list. */
export function StepsEditor({ path, steps, onChange, title }: Props) {
  const { stepIds, catalog } = useBuilder()
  const label = (type: string) => stepTitle(catalog, type)
  const [type, setType] = useState('send_email')
  const addId = useId()
  const set = (i: number, s: StepDraft) => onChange(steps.map((x, j) => (j === i ? s : x)))
  // "Add step" takes the keyboard to the new step's first field.
  const [added, setAdded] = useState<string | null>(null)
  useEffect(() => {
    if (!added) return
    const card = document.querySelector<HTMLElement>(`[data-step-key="${added}"]`)
    card?.querySelector<HTMLElement>('input, textarea, select')?.focus()
    setAdded(null)
  }, [added, steps])
  return (
    <section className="steps" aria-label={title}>
      {steps.length === 0 ? <p className="hint">No steps yet.</p> : null}
      <ol className="step-list">
        {steps.map((s, i) => (
          <li key={s.key} className="card step-card" data-testid={`step-${path}[${i}]`} data-step-key={s.key}>
            <div className="step-head">
              <h3>
                <span className="step-num">{i + 1}.</span> {label(s.type)} <span className="muted ellipsis">· {s.id}</span>
              </h3>
              <div className="step-actions">
                <button type="button" className="btn btn-small" disabled={i === 0} onClick={() => onChange(move(steps, i, i - 1))} aria-label={`Move step ${i + 1} (${s.id}) up`}>
                  ↑ Up
                </button>
                <button type="button" className="btn btn-small" disabled={i === steps.length - 1} onClick={() => onChange(move(steps, i, i + 1))} aria-label={`Move step ${i + 1} (${s.id}) down`}>
                  ↓ Down
                </button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => onChange(steps.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1} (${s.id})`}>
                  Remove
                </button>
              </div>
            </div>
            <FieldErrorText path={`${path}[${i}]`} />
            <FieldErrorText path={`${path}[${i}].type`} />
            <StepForm path={`${path}[${i}]`} step={s} onChange={(next) => set(i, next)} />
            <StepExtras path={`${path}[${i}]`} step={s} onChange={(next) => set(i, next)} />
          </li>
        ))}
      </ol>
      <FieldErrorText path={path} />
      <div className="add-step">
        <label htmlFor={addId}>{steps.length ? 'Next step' : 'First step'}</label>
        <select id={addId} value={type} onChange={(e) => setType(e.target.value)}>
          {(catalog?.step_types ?? []).map((t) => <option key={t.type} value={t.type}>{t.title}</option>)}
        </select>
        <button
          type="button" className="btn"
          onClick={() => {
            const step = newStep(type, stepIds)
            onChange([...steps, step])
            setAdded(step.key)
          }}
        >
          Add step{path === 'steps' ? '' : ` to ${title.toLowerCase()}`}
        </button>
      </div>
    </section>
  )
}
