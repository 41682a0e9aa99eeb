import { useEffect, useRef } from 'react'
import { fieldId, normalizePath, type FieldError } from '../../lib/problem'

/** The API's validation errors listed at the top, each a button that moves focus to its field. */
export function ErrorSummary({ title, errors, unplaced, label }: {
  title: string
  errors: readonly FieldError[]
  unplaced: readonly FieldError[]
  /** A field path in words ("Step 2 (alert): to"); the path itself when absent. */
  label?: (path: string) => string
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => ref.current?.focus(), [errors])
  const focus = (path: string) => {
    // Walk up the path until an element exists (e.g. trigger.products[0] → trigger.products).
    let p = normalizePath(path)
    while (p) {
      const el = document.getElementById(fieldId(p))
      if (el) {
        el.focus()
        el.scrollIntoView({ block: 'center' })
        return
      }
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
      p = cut > 0 ? p.slice(0, cut) : ''
    }
  }
  const unplacedSet = new Set(unplaced.map((e) => `${e.path}\n${e.message}`))
  return (
    <div className="notice notice-error error-summary" role="alert" tabIndex={-1} ref={ref} data-testid="error-summary">
      <h2>{title}</h2>
      {errors.length ? (
        <ul>
          {errors.map((e, i) => {
            const p = normalizePath(e.path)
            return (
              <li key={i}>
                {unplacedSet.has(`${p}\n${e.message}`) ? (
                  <span>{label && p ? label(p) : <code>{p || 'workflow'}</code>}: {e.message}</span>
                ) : (
                  <button type="button" className="linklike" onClick={() => focus(p)}>{label ? label(p) : <code>{p}</code>}: {e.message}</button>
                )}
              </li>
            )
          })}
        </ul>
      ) : null}
    </div>
  )
}
