import { useState } from 'react'
import { Field } from '../../components/Field'
import type { StepDraft } from '../../lib/workflow-draft'
import { useBuilder } from './context'

/**
 * The form of a step type the builder has no form of its own for: its params as JSON, with the
 * fields the catalog's schema names. A new step type is usable here without any dashboard change.
 */
export function JsonParamsForm({ path, step: s, onChange }: { path: string; step: StepDraft; onChange: (s: StepDraft) => void }) {
  const { catalog } = useBuilder()
  const info = catalog?.step_types.find((t) => t.type === s.type)
  const [text, setText] = useState(() => JSON.stringify(s.extra, null, 2))
  const [problem, setProblem] = useState<string | null>(null)
  const fields = Object.keys((info?.params.properties as Record<string, unknown> | undefined) ?? {})
  const required = (info?.params.required as string[] | undefined) ?? []
  const hint = fields.length
    ? `Fields: ${fields.map((f) => (required.includes(f) ? `${f} (required)` : f)).join(', ')}.`
    : 'The step’s fields as a JSON object.'
  return (
    <Field path={`${path}.params`} label={`${info?.title ?? s.type}: settings (JSON)`} hint={problem ?? hint}>
      {(a) => (
        <textarea
          {...a} rows={6} spellCheck={false} value={text}
          onChange={(e) => {
            setText(e.target.value)
            try {
              const v: unknown = JSON.parse(e.target.value)
              if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
              setProblem(null)
              onChange({ ...s, extra: v as Record<string, unknown> })
            } catch {
              setProblem('Not a JSON object yet: the last valid settings are kept.')
            }
          }}
        />
      )}
    </Field>
  )
}
