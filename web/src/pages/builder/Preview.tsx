import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react'
import { api, ApiError, errorMessage } from '../../lib/api'
import { minorToInput, parseMoney } from '../../lib/money'
import { SAMPLE_CASES, SAMPLE_LOCALES, withCase } from '../../lib/sample-cases'
import { sampleEvent, type Catalog } from '../../lib/catalog'
import { draftToApi, type WorkflowDraft } from '../../lib/workflow-draft'
import { useBuilder } from './context'
import type { Product } from '../../lib/types'
import { Notice } from '../../components/ui'
import { PreviewResult } from './PreviewResult'

interface Props {
  /** The workflow as it is being edited, unsaved changes included. */
  draft: WorkflowDraft
  products: readonly Product[]
}

/** How long typing pauses before the preview renders again. */
const DEBOUNCE_MS = 350

type Json = Record<string, unknown>

/** The sample event the controls describe: a case, a language, an amount, a product, a phone or none. */
function buildEvent(catalog: Catalog | null, draft: WorkflowDraft, o: { sampleCase: string; locale: string; amount: number | null; product: string; phone: boolean }): Json {
  const base = withCase(sampleEvent(catalog, draft.triggerType, o.product ? [o.product] : draft.products), o.sampleCase, o.locale)
  const customer = { ...(base.customer as Json) }
  if (!o.phone) delete customer.phone
  const out: Json = { ...base, customer }
  if (o.amount !== null) {
    if (out.payment) out.payment = { ...(out.payment as Json), amount: o.amount }
    if (out.installment_plan) out.installment_plan = { ...(out.installment_plan as Json), balance_due: o.amount }
  }
  return out
}

/**
 * Renders what a run of the workflow as edited would do (nothing is sent or saved), again whenever
 * the draft or the sample changes: each message rendered, which branch is taken, and when the
 * trigger would not start a run, which condition failed.
 */
export function Preview({ draft, products }: Props) {
  const { catalog } = useBuilder()
  // A payment trigger's sample has an amount and a decline; a plan trigger's, a balance due.
  const carriesPayment = catalog?.trigger_types.find((t) => t.type === draft.triggerType)?.carries_payment ?? true
  const [sampleCase, setSampleCase] = useState(SAMPLE_CASES[0]!.id)
  const [locale, setLocale] = useState('')
  // The sample events are in US dollars.
  const currency = 'USD'
  const [amountText, setAmountText] = useState(() => minorToInput(carriesPayment ? 4900 : 40000, currency))
  const [product, setProduct] = useState('')
  const [phone, setPhone] = useState(true)
  const [customJson, setCustomJson] = useState<string | null>(null)
  const [result, setResult] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const [problems, setProblems] = useState<readonly { path: string; message: string }[]>([])
  const [busy, setBusy] = useState(false)
  const id = useId()
  const latest = useRef(0)

  const parsedAmount = parseMoney(amountText, currency)
  const amount = 'minor' in parsedAmount ? parsedAmount.minor : null
  const chosen = draft.products.filter((p) => p !== '*')
  // Cheap to build on every render; the request below is compared as text, so nothing re-renders for it.
  const built = buildEvent(catalog, draft, { sampleCase, locale, amount, product: chosen.includes(product) ? product : '', phone })
  const eventText = customJson ?? JSON.stringify(built, null, 2)
  // What the server is asked to render: the draft as edited, with a stand-in name and any product
  // until those are chosen, so the messages show from the first keystroke.
  const workflow = useMemo(() => {
    const body = draftToApi(draft)
    const trigger = body.trigger as Json
    return {
      ...body, ...(draft.id ? { id: draft.id } : {}), name: draft.name.trim() || 'Untitled workflow',
      trigger: { ...trigger, products: draft.products.length ? draft.products : ['*'] },
    }
  }, [draft])
  const request = JSON.stringify({ workflow, eventText })

  // Reads only its argument, state setters and a ref, so it is the same function on every render.
  const run = useCallback(async (sent: string) => {
    const { workflow, eventText } = JSON.parse(sent) as { workflow: unknown; eventText: string }
    let event: unknown
    try {
      event = JSON.parse(eventText)
    } catch {
      setError('The sample event is not valid JSON.')
      return
    }
    // Only the newest request's answer is shown: typing sends many.
    const mine = ++latest.current
    setBusy(true)
    setError(null)
    try {
      const answer = await api.post('/v1/workflows/preview', { workflow, event })
      if (mine !== latest.current) return
      setResult(answer)
      setProblems([])
    } catch (err) {
      if (mine !== latest.current) return
      if (err instanceof ApiError && err.status === 422 && err.problem?.errors?.length) {
        setProblems(err.problem.errors)
      } else {
        setResult(null)
        setError(errorMessage(err))
      }
    } finally {
      if (mine === latest.current) setBusy(false)
    }
  }, [])

  // The sample event comes from the catalog: nothing to render before it has loaded.
  const ready = catalog !== null
  useEffect(() => {
    if (!ready) return
    const t = setTimeout(() => void run(request), DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [request, run, ready])

  const names = new Map(products.map((p) => [p.id, p.name]))
  return (
    <section className="card preview" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Live preview</h2>
      <p className="hint">What a run of this workflow, as you edit it, would do for a sample customer: each message rendered, without sending or saving anything.</p>
      <div className="preview-cases">
        <label>
          Sample {carriesPayment ? 'amount' : 'balance due'} (USD)
          <input type="text" inputMode="decimal" value={amountText} onChange={(e) => { setAmountText(e.target.value); setCustomJson(null) }} aria-invalid={amount === null ? true : undefined} />
          {'error' in parsedAmount ? <span className="field-error">{parsedAmount.error}</span> : null}
        </label>
        {carriesPayment ? (
          <label>
            Sample case (decline)
            <select value={sampleCase} onChange={(e) => { setSampleCase(e.target.value); setCustomJson(null) }}>
              {SAMPLE_CASES.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
            </select>
          </label>
        ) : null}
        {chosen.length > 1 ? (
          <label>
            Product
            <select value={chosen.includes(product) ? product : chosen[0]} onChange={(e) => { setProduct(e.target.value); setCustomJson(null) }}>
              {chosen.map((p) => <option key={p} value={p}>{names.get(p) ?? p}</option>)}
            </select>
          </label>
        ) : null}
        <label>
          Customer language
          <select value={locale} onChange={(e) => { setLocale(e.target.value); setCustomJson(null) }}>
            {SAMPLE_LOCALES.map((l) => <option key={l.id} value={l.id}>{l.label}</option>)}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={phone} onChange={(e) => { setPhone(e.target.checked); setCustomJson(null) }} />
          <span>Customer has a phone number</span>
        </label>
      </div>
      <details>
        <summary>Sample event (JSON, for anything else)</summary>
        <label htmlFor={`${id}-event`}>Sample event (JSON)</label>
        <textarea id={`${id}-event`} className="code" rows={14} value={eventText} onChange={(e) => setCustomJson(e.target.value)} spellCheck={false} />
        {customJson !== null ? <button type="button" className="btn btn-quiet" onClick={() => setCustomJson(null)}>Back to the sample above</button> : null}
      </details>
      <p className="muted small" aria-live="polite">{busy ? 'Rendering…' : null}</p>
      <Notice>{error}</Notice>
      {problems.length ? (
        <div className="notice notice-info" data-testid="preview-problems">
          <p>The preview shows once these are fixed:</p>
          <ul>{problems.map((p, i) => <li key={i}><code>{p.path}</code>: {p.message}</li>)}</ul>
        </div>
      ) : null}
      <div aria-live="polite" data-testid="preview">{result !== null ? <PreviewResult result={result} /> : null}</div>
    </section>
  )
}
