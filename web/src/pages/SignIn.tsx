import { useState, type FormEvent } from 'react'
import { ApiError, errorMessage, request } from '../lib/api'
import { Notice } from '../components/ui'

/** Asks for an API key and checks it against the API before keeping it. */
export function SignIn({ message, onSignedIn }: { message: string | null; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  // Never rejects: every failure ends in the field's error, so the form can drop the promise.
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const k = key.trim()
    if (!k) {
      setError('Enter your API key.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      await request('GET', '/v1/products', { query: { limit: 1 }, key: k })
      onSignedIn(k)
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That API key was not accepted. Check it and try again.' : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Sign in to Recoup</h1>
        <p>Paste an API key. It is kept only in this browser tab and forgotten when you close it.</p>
        {message ? <Notice kind={message.includes('401') ? 'error' : 'info'}>{message}</Notice> : null}
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key" type="password" autoComplete="off" spellCheck={false} value={key}
            onChange={(e) => setKey(e.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'api-key-error' : 'api-key-hint'}
          />
          <p className="hint" id="api-key-hint">Printed once by <code>recoup start</code>, or set with <code>RECOUP_API_KEY</code>.</p>
          {error ? <p className="field-error" id="api-key-error" role="alert">{error}</p> : null}
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </main>
  )
}
