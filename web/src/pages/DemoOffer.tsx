import { useState } from 'react'
import { api, errorMessage } from '../lib/api'
import { Notice } from '../components/ui'

/** First run: offers to load demo products, customers, starter workflows and sample events. */
export function DemoOffer({ onLoaded }: { onLoaded: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const load = async () => {
    setBusy(true)
    setError(null)
    try {
      await api.post('/v1/demo')
      onLoaded()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="card demo" aria-labelledby="demo-title">
      <h2 id="demo-title">Welcome to Recoup</h2>
      <p>
        There are no products or workflows yet. Load demo data to see Recoup at work within a minute: a few products and
        customers, the two starter workflows (failed payment, canceled installment plan) and a stream of sample events.
      </p>
      <Notice>{error}</Notice>
      <button type="button" className="btn btn-primary" onClick={() => void load()} disabled={busy}>
        {busy ? 'Loading demo data…' : 'Load demo data'}
      </button>
    </section>
  )
}
