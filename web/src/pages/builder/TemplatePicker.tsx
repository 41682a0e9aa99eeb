import { api, type Page } from '../../lib/api'
import { useAsync } from '../../lib/use-async'
import { stepTitle, triggerTitle } from '../../lib/catalog'
import { useBuilder } from './context'
import { Notice } from '../../components/ui'

export interface WorkflowTemplate {
  id: string
  name: string
  description?: string
  trigger: { type: string }
  steps: { id: string; type: string }[]
}

/** Starter workflows (GET /v1/workflow-templates) a new workflow can be copied from. */
export function TemplatePicker({ onPick }: { onPick: (t: WorkflowTemplate) => void }) {
  const { catalog } = useBuilder()
  const templates = useAsync(() => api.get<Page<WorkflowTemplate>>('/v1/workflow-templates'), [])
  const list = templates.data?.data ?? []
  if (!templates.loading && !templates.error && list.length === 0) return null
  return (
    <section className="card templates" aria-labelledby="templates-title">
      <h2 id="templates-title">Start from a template</h2>
      <p className="hint">Copy a ready-made workflow, choose its products, adjust anything, then save. Or build one from scratch below.</p>
      <Notice>{templates.error}</Notice>
      {templates.loading && !list.length ? <p aria-live="polite">Loading templates…</p> : null}
      <ul className="template-list">
        {list.map((t) => (
          <li key={t.id} className="template" data-testid={`template-${t.id}`}>
            <h3 className="wrap">{t.name}</h3>
            <p className="muted">{triggerTitle(catalog, t.trigger.type)} · {t.steps.length} steps</p>
            {t.description ? <p className="wrap">{t.description}</p> : null}
            <ol className="template-steps">
              {t.steps.map((s) => <li key={s.id}>{stepTitle(catalog, s.type)}</li>)}
            </ol>
            <button type="button" className="btn btn-primary" aria-label={`Use template: ${t.name}`} onClick={() => onPick(t)}>
              Use this template
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
