import { useEffect, useMemo, useState } from 'react'
import { api, ApiError, errorMessage, type Page } from '../../lib/api'
import { useAsync } from '../../lib/use-async'
import { loadCatalog } from '../../lib/catalog'
import { navigate, setNavigationGuard } from '../../lib/router'
import { activationProblems, pathInWords, typedProblems } from '../../lib/draft-checks'
import { enc } from '../../lib/format'
import type { Product, Workflow } from '../../lib/types'
import { placeErrors, type FieldError } from '../../lib/problem'
import {
  allStepIds, draftFieldPaths, draftFromApi, draftFromTemplate, draftToApi, emptyDraft, type WorkflowDraft, type WorkflowStatus,
} from '../../lib/workflow-draft'
import { FieldErrors } from '../../components/Field'
import { Link } from '../../components/Link'
import { Notice, PageHeader, StatusBadge } from '../../components/ui'
import { Builder } from './context'
import { TriggerSection } from './TriggerSection'
import { StepsEditor } from './StepsEditor'
import { ErrorSummary } from './ErrorSummary'
import { Preview } from './Preview'
import { VersionHistory } from './VersionHistory'
import { TemplatePicker, type WorkflowTemplate } from './TemplatePicker'

// A message that survives the remount after a new workflow's first save.
let flash: string | null = null

/** Create or edit a workflow: trigger, products, conditions, steps; save, activate, pause; preview. */
export function WorkflowBuilder({ id }: { id?: string }) {
  const [draft, setDraft] = useState<WorkflowDraft | null>(id ? null : emptyDraft())
  const [errors, setErrors] = useState<FieldError[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(() => {
    const f = flash
    flash = null
    return f
  })
  const [busy, setBusy] = useState(false)
  const [warnings, setWarnings] = useState<string[]>([])
  const [savedCount, setSavedCount] = useState(0)
  const [template, setTemplate] = useState<WorkflowTemplate | null>(null)
  // The draft as last loaded or saved: anything else is an unsaved change.
  const [baseline, setBaseline] = useState<string | null>(() => (id ? null : JSON.stringify(draftToApi(emptyDraft()))))
  const products = useAsync(() => api.get<Page<Product>>('/v1/products', { limit: 500 }), [])
  const catalog = useAsync(loadCatalog, [])
  const loaded = useAsync(async () => {
    if (!id) return null
    const wf = await api.get<Workflow>(`/v1/workflows/${enc(id)}`)
    setDraft(draftFromApi(wf))
    setBaseline(JSON.stringify(draftToApi(draftFromApi(wf))))
    setWarnings(wf.warnings ?? [])
    return wf
  }, [id])

  // What is typed is checked at once (addresses, phones, web addresses), beside each field.
  const typed = useMemo(() => (draft ? typedProblems(draft) : []), [draft])
  const shown = useMemo(() => {
    const seen = new Set(errors.map((e) => `${e.path}\n${e.message}`))
    return [...errors, ...typed.filter((e) => !seen.has(`${e.path}\n${e.message}`))]
  }, [errors, typed])
  const placed = useMemo(() => placeErrors(shown, draft ? draftFieldPaths(draft) : []), [shown, draft])
  const dirty = draft !== null && baseline !== null && JSON.stringify(draftToApi(draft)) !== baseline
  useEffect(() => {
    if (!dirty) return
    const ask = () => window.confirm('This workflow has unsaved changes. Leave without saving them?')
    const unload = (e: BeforeUnloadEvent) => {
      e.preventDefault()
      e.returnValue = ''
    }
    window.addEventListener('beforeunload', unload)
    const remove = setNavigationGuard(ask)
    return () => {
      window.removeEventListener('beforeunload', unload)
      remove()
    }
  }, [dirty])
  const info = useMemo(
    () => ({ triggerType: draft?.triggerType ?? 'payment.failed', products: products.data?.data ?? [], stepIds: allStepIds(draft?.steps ?? []), catalog: catalog.data ?? null }),
    [draft?.triggerType, draft?.steps, products.data, catalog.data],
  )

  if (!draft) {
    return loaded.error ? <Notice>{loaded.error}</Notice> : <p aria-live="polite">Loading workflow…</p>
  }
  const update = (patch: Partial<WorkflowDraft>) => setDraft({ ...draft, ...patch })

  const save = async (status: WorkflowStatus) => {
    setErrors([])
    setProblem(null)
    setSaved(null)
    const blocking = [...typed, ...(status === 'active' ? activationProblems(draft) : [])]
    if (blocking.length) {
      setErrors(blocking)
      setProblem(status === 'active' && typed.length === 0 ? 'Not activated yet: fix this first' : 'Not saved: fix these first')
      return
    }
    setBusy(true)
    try {
      const body = draftToApi(draft, status)
      const verb = status === draft.status || status === 'draft' ? 'saved' : status === 'active' ? 'activated' : 'paused'
      if (!draft.id) {
        const wf = await api.post<Workflow>('/v1/workflows', body)
        flash = `Workflow ${verb} (version ${wf.version ?? 1}).`
        navigate(`/workflows/${enc(wf.id)}`, { replace: true, force: true })
        return
      }
      const wf = await api.put<Workflow>(`/v1/workflows/${enc(draft.id)}`, body)
      setDraft(draftFromApi(wf))
      setBaseline(JSON.stringify(draftToApi(draftFromApi(wf))))
      setWarnings(wf.warnings ?? [])
      setSaved(`Workflow ${verb}${wf.version !== undefined ? ` (version ${wf.version})` : ''}.`)
      setSavedCount((n) => n + 1)
    } catch (err) {
      if (err instanceof ApiError && err.problem?.errors?.length) {
        setErrors([...err.problem.errors])
        setProblem(err.problem.title ?? 'The workflow has problems')
      } else setProblem(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const archive = async () => {
    if (!draft.id || !window.confirm('Archive this workflow? It stops starting runs; runs in progress carry on. You can unarchive it later.')) return
    setBusy(true)
    try {
      await api.post(`/v1/workflows/${enc(draft.id)}/archive`)
      navigate('/workflows?archived=true', { force: true })
    } catch (err) {
      setProblem(errorMessage(err))
      setBusy(false)
    }
  }

  const isNew = !draft.id
  const pickTemplate = (t: WorkflowTemplate) => {
    setDraft(draftFromTemplate(t))
    setTemplate(t)
    setErrors([])
    setProblem(null)
    // Products are the one thing a template cannot know: take the user there.
    requestAnimationFrame(() => {
      const el = document.getElementById('products-title')
      el?.scrollIntoView({ block: 'start' })
      document.getElementById('field-trigger-products')?.focus()
    })
  }
  return (
    <Builder.Provider value={info}>
      <FieldErrors.Provider value={placed.byField}>
        <PageHeader
          title={
            <>
              {isNew ? 'New workflow' : draft.name || draft.id}{' '}
              {!isNew ? <StatusBadge status={draft.status} /> : null}{' '}
              {draft.version !== undefined ? <span className="version" data-testid="workflow-version">v{draft.version}</span> : null}
            </>
          }
        >
          <Link to="/workflows" className="btn btn-quiet">All workflows</Link>
          {!isNew ? <Link to={`/runs?workflow_id=${enc(draft.id!)}`} className="btn btn-quiet">Runs</Link> : null}
          {!isNew ? <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void archive()}>Archive</button> : null}
        </PageHeader>
        <Notice kind="success">{saved}</Notice>
        {warnings.length ? <Notice kind="info">{warnings.map((w) => <p key={w}>Note: {w}.</p>)}</Notice> : null}
        {isNew && template ? (
          <Notice kind="info">
            <p>Copied from the template “{template.name}”. Choose the products it is for, review the steps, then save.</p>
            <button type="button" className="btn btn-small" onClick={() => { setTemplate(null); setDraft(emptyDraft()) }}>Start over from scratch</button>
          </Notice>
        ) : null}
        {isNew && !template ? <TemplatePicker onPick={pickTemplate} /> : null}
        {problem ? <ErrorSummary title={problem} errors={errors} unplaced={placed.unplaced} label={(p) => pathInWords(p, draft)} /> : null}
        <div className="builder-layout">
        <form className="builder" onSubmit={(e) => { e.preventDefault(); void save(draft.status) }} noValidate>
          <TriggerSection draft={draft} update={update} products={products.data?.data ?? []} productsError={products.error} />
          <section className="card" aria-labelledby="steps-title">
            <h2 id="steps-title">4. Steps</h2>
            <p className="hint">Steps run in order. A wait pauses the run; the run ends early when an exit event arrives.</p>
            <StepsEditor path="steps" title="Steps" steps={draft.steps} onChange={(steps) => update({ steps })} />
          </section>
          <div className="save-bar">
            {draft.status === 'draft' ? (
              <button type="button" className="btn" disabled={busy} onClick={() => void save('draft')}>Save as draft</button>
            ) : (
              <button type="submit" className="btn" disabled={busy}>Save changes</button>
            )}
            {draft.status !== 'active' ? (
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void save('active')}>
                {isNew ? 'Save and activate' : 'Activate'}
              </button>
            ) : (
              <button type="button" className="btn btn-warning" disabled={busy} onClick={() => void save('paused')}>Pause</button>
            )}
            {busy ? <span aria-live="polite">Saving…</span> : dirty ? <span className="muted" data-testid="unsaved">Unsaved changes</span> : null}
          </div>
        </form>
        <aside className="builder-preview" aria-label="Preview">
          <Preview draft={draft} products={products.data?.data ?? []} />
        </aside>
        </div>
        {draft.id ? <VersionHistory workflowId={draft.id} refresh={savedCount} /> : null}
      </FieldErrors.Provider>
    </Builder.Provider>
  )
}
