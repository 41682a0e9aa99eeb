import { useEffect, useId, useRef, useState } from 'react'
import { api, errorMessage } from '../../lib/api'
import { enc } from '../../lib/format'
import { SAMPLE_CASES, SAMPLE_LOCALES, withCase } from '../../lib/sample-cases'
import { sampleEvent, type TriggerType } from '../../lib/workflow-draft'
import { Notice } from '../../components/ui'
import { PreviewResult } from './PreviewResult'

interface Props {
  workflowId: string
  triggerType: TriggerType
  products: readonly string[]
  /** Changes after each save, to re-render the preview. */
  refresh: number
}

/** Renders every message of the saved workflow against an editable sample event (no side effects). */
export function Preview({ workflowId, triggerType, products, refresh }: Props) {
  const [sampleCase, setSampleCase] = useState(SAMPLE_CASES[0]!.id)
  const [locale, setLocale] = useState('')
  const sample = (c = sampleCase, l = locale) => JSON.stringify(withCase(sampleEvent(triggerType, products), c, l), null, 2)
  const [eventText, setEventText] = useState(() => sample())
  const [result, setResult] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const latest = useRef(0)

  const run = async (text = eventText) => {
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch {
      setError('The sample event is not valid JSON.')
      return
    }
    // Only the newest request's answer is shown: choosing a case, then a language, sends two.
    const mine = ++latest.current
    setBusy(true)
    setError(null)
    try {
      const answer = await api.post(`/v1/workflows/${enc(workflowId)}/test`, { event })
      if (mine === latest.current) setResult(answer)
    } catch (err) {
      if (mine !== latest.current) return
      setResult(null)
      setError(errorMessage(err))
    } finally {
      if (mine === latest.current) setBusy(false)
    }
  }

  useEffect(() => {
    void run()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workflowId, refresh])

  return (
    <section className="card preview" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Live preview</h2>
      <p className="hint">What a run of the saved version would do for this event, rendered, without sending anything: each email as the customer sees it, on a computer and on a phone.</p>
      <div className="preview-cases">
        {triggerType === 'payment.failed' ? (
          <label>
            Sample case{' '}
            <select
              value={sampleCase}
              onChange={(e) => {
                setSampleCase(e.target.value)
                const t = sample(e.target.value, locale)
                setEventText(t)
                void run(t)
              }}
            >
              {SAMPLE_CASES.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
            </select>
          </label>
        ) : null}
        <label>
          Customer language{' '}
          <select
            value={locale}
            onChange={(e) => {
              setLocale(e.target.value)
              const t = sample(sampleCase, e.target.value)
              setEventText(t)
              void run(t)
            }}
          >
            {SAMPLE_LOCALES.map((l) => <option key={l.id} value={l.id}>{l.label}</option>)}
          </select>
        </label>
      </div>
      <details>
        <summary>Sample event</summary>
        <label htmlFor={`${id}-event`}>Sample event (JSON)</label>
        <textarea id={`${id}-event`} className="code" rows={14} value={eventText} onChange={(e) => setEventText(e.target.value)} spellCheck={false} />
        <button
          type="button" className="btn btn-quiet"
          onClick={() => {
            const t = sample()
            setEventText(t)
            void run(t)
          }}
        >
          Reset to a sample for this trigger
        </button>
      </details>
      <button type="button" className="btn" onClick={() => void run()} disabled={busy}>
        {busy ? 'Rendering…' : 'Render preview'}
      </button>
      <Notice>{error}</Notice>
      <div aria-live="polite" data-testid="preview">{result !== null ? <PreviewResult result={result} /> : null}</div>
    </section>
  )
}
