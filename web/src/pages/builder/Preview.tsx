import { useEffect, useId, useState } from 'react'
import { api, errorMessage } from '../../lib/api'
import { enc } from '../../lib/format'
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
  const [eventText, setEventText] = useState(() => JSON.stringify(sampleEvent(triggerType, products), null, 2))
  const [result, setResult] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()

  const run = async (text = eventText) => {
    let event: unknown
    try {
      event = JSON.parse(text)
    } catch {
      setError('The sample event is not valid JSON.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      setResult(await api.post(`/v1/workflows/${enc(workflowId)}/test`, { event }))
    } catch (err) {
      setResult(null)
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  useEffect(() => {
    void run()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workflowId, refresh])

  return (
    <section className="card preview" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Live preview</h2>
      <p className="hint">What a run of the saved version would do for this event, rendered, without sending anything.</p>
      <details>
        <summary>Sample event</summary>
        <label htmlFor={`${id}-event`}>Sample event (JSON)</label>
        <textarea id={`${id}-event`} className="code" rows={14} value={eventText} onChange={(e) => setEventText(e.target.value)} spellCheck={false} />
        <button
          type="button" className="btn btn-quiet"
          onClick={() => {
            const t = JSON.stringify(sampleEvent(triggerType, products), null, 2)
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
