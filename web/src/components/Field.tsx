import { createContext, useContext, type ReactNode } from 'react'
import { fieldId } from '../lib/problem'

/** API validation messages by field path, provided by a form (see problem.placeErrors). */
export const FieldErrors = createContext<ReadonlyMap<string, readonly string[]>>(new Map())

/** The messages for a field path, and the ids to wire a control to its label and errors. */
export function useFieldErrors(path: string) {
  const errors = useContext(FieldErrors).get(path) ?? []
  const id = fieldId(path)
  return {
    id,
    errors,
    describedBy: errors.length ? `${id}-error` : undefined,
    invalid: errors.length > 0 ? true : undefined,
  }
}

/** The error list shown beside a field. */
export function FieldErrorText({ path }: { path: string }) {
  const { id, errors } = useFieldErrors(path)
  if (!errors.length) return null
  return (
    <p className="field-error" id={`${id}-error`} data-testid={`error-${path}`}>
      {errors.join('; ')}
    </p>
  )
}

interface FieldProps {
  path: string
  label: ReactNode
  hint?: ReactNode
  children: (a: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode
  className?: string
}

/** A labelled form control with its hint and API errors beside it. */
export function Field({ path, label, hint, children, className }: FieldProps) {
  const { id, describedBy, invalid } = useFieldErrors(path)
  const hintId = hint ? `${id}-hint` : undefined
  const described = [hintId, describedBy].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field ${invalid ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described, 'aria-invalid': invalid })}
      {hint ? <p className="hint" id={hintId}>{hint}</p> : null}
      <FieldErrorText path={path} />
    </div>
  )
}
