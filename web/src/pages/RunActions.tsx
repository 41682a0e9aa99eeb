import { useEffect, useRef, useState, type FormEvent } from 'react'
import { api, errorMessage } from '../lib/api'
import { enc } from '../lib/format'
import { formatMoney, minorToInput, parseMoney } from '../lib/money'
import type { Run } from '../lib/types'

const NAME_KEY = 'recoup.staffName'
const LIVE = new Set(['running', 'waiting'])

type Panel = 'paid' | 'skip' | 'cancel' | null

/** The name staff gave last time (kept in this browser), so the record says who acted. */
function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? ''
  } catch {
    return ''
  }
}

function remember(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(NAME_KEY, name.trim())
  } catch {
    // Private windows may refuse storage: the name is simply asked again.
  }
}

/** What a run can be told: which buttons it shows. */
export function runActionsFor(run: Pick<Run, 'status' | 'current_step' | 'workflow_version'>, latestVersion: number | undefined) {
  const live = LIVE.has(run.status)
  const failed = run.status === 'failed'
  return {
    markPaid: live || failed,
    skip: (failed || run.status === 'waiting') && !!run.current_step,
    retry: failed,
    retryLatest: failed && latestVersion !== undefined && run.workflow_version !== undefined && latestVersion > run.workflow_version,
    cancel: live,
  }
}

/**
 * The buttons staff use to fix a run, and the small forms behind them: mark as paid (amount in the
 * run's currency, a note), skip this step, retry (on its version or the newest), cancel with a reason.
 */
export function RunActions({ run, latestVersion, onChanged, compact }: {
  run: Run
  latestVersion?: number
  onChanged: (message: string) => Promise<void> | void
  /** Only "Mark as paid" (customer page rows). */
  compact?: boolean
}) {
  const [panel, setPanel] = useState<Panel>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const can = runActionsFor(run, latestVersion)
  const currency = run.currency ?? 'USD'
  const [amount, setAmount] = useState(run.amount != null ? minorToInput(run.amount, currency) : '')
  const [note, setNote] = useState('')
  const [name, setName] = useState(rememberedName)
  const first = useRef<HTMLInputElement>(null)
  const base = `/v1/runs/${enc(run.id)}`

  useEffect(() => {
    if (panel) first.current?.focus()
  }, [panel])

  const open = (p: Panel) => {
    setError(undefined)
    setNote('')
    setPanel(panel === p ? null : p)
  }

  const send = async (path: string, body: Record<string, unknown>, done: string) => {
    setBusy(true)
    setError(undefined)
    try {
      await api.post(`${base}/${path}`, body)
      remember(name)
      setPanel(null)
      await onChanged(done)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const by = name.trim() ? { by: name.trim() } : {}
  const submitPaid = (e: FormEvent) => {
    e.preventDefault()
    const parsed = amount.trim() === '' && run.amount != null ? { minor: run.amount } : parseMoney(amount, currency)
    if ('error' in parsed) return setError(parsed.error)
    void send('mark-paid', { amount: parsed.minor, ...(note.trim() ? { note: note.trim() } : {}), ...by }, `Marked as paid (${formatMoney(parsed.minor, currency)}). The run ended as recovered.`)
  }
  const submitSkip = (e: FormEvent) => {
    e.preventDefault()
    void send('skip-step', { step_id: run.current_step, ...(note.trim() ? { note: note.trim() } : {}), ...by }, `Step “${run.current_step}” skipped; the run goes on with the next step.`)
  }
  const submitCancel = (e: FormEvent) => {
    e.preventDefault()
    void send('cancel', { ...(note.trim() ? { reason: note.trim() } : {}), ...by }, 'Run canceled.')
  }
  const retry = (latest: boolean) =>
    void send('retry', latest ? { latest_version: true } : {}, latest ? `Run moved to version ${latestVersion} and resumed from the failed step.` : 'Run resumed from the failed step.')

  if (compact && !can.markPaid) return null
  const nameField = (
    <div className="field">
      <label htmlFor={`who-${run.id}`}>Your name (optional)</label>
      <input id={`who-${run.id}`} type="text" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      <p className="hint">Recorded with the change, beside the API key used.</p>
    </div>
  )
  const title = (what: string) => (compact ? `${what} — ${run.workflow_name ?? run.workflow_id}` : what)
  return (
    <div className="run-actions">
      <div className="page-actions">
        {can.markPaid ? <button type="button" className="btn btn-ok" aria-expanded={panel === 'paid'} onClick={() => open('paid')} disabled={busy}>Mark as paid</button> : null}
        {!compact && can.skip ? <button type="button" className="btn" aria-expanded={panel === 'skip'} onClick={() => open('skip')} disabled={busy}>Skip this step</button> : null}
        {!compact && can.retryLatest ? <button type="button" className="btn btn-primary" onClick={() => retry(true)} disabled={busy}>Retry on latest version (v{latestVersion})</button> : null}
        {!compact && can.retry ? <button type="button" className={can.retryLatest ? 'btn' : 'btn btn-primary'} onClick={() => retry(false)} disabled={busy}>{can.retryLatest ? `Retry on v${run.workflow_version}` : 'Retry run'}</button> : null}
        {!compact && can.cancel ? <button type="button" className="btn btn-danger" aria-expanded={panel === 'cancel'} onClick={() => open('cancel')} disabled={busy}>Cancel run…</button> : null}
      </div>
      {error && !panel ? <div className="notice notice-error" role="alert">{error}</div> : null}
      {panel === 'paid' ? (
        <form className="card action-panel" aria-label={title('Mark as paid')} onSubmit={submitPaid}>
          <h2>{title('Mark as paid')}</h2>
          <p className="hint">For money that came in outside Recoup (a bank transfer, a card taken by phone). Records a successful payment and ends the run as recovered.</p>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`paid-amount-${run.id}`}>Amount received ({currency.toUpperCase()})</label>
              <input id={`paid-amount-${run.id}`} ref={first} type="text" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-describedby={`paid-amount-hint-${run.id}`} />
              <p className="hint" id={`paid-amount-hint-${run.id}`}>{run.amount != null ? `Due: ${formatMoney(run.amount, currency)}` : 'For example 49.00'}</p>
            </div>
            {nameField}
          </div>
          <div className="field">
            <label htmlFor={`paid-note-${run.id}`}>Note (optional)</label>
            <input id={`paid-note-${run.id}`} type="text" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Paid by bank transfer, ref. 1234" />
          </div>
          {error ? <div className="notice notice-error" role="alert">{error}</div> : null}
          <div className="page-actions">
            <button type="submit" className="btn btn-ok" disabled={busy}>Record payment</button>
            <button type="button" className="btn btn-quiet" onClick={() => setPanel(null)}>Close</button>
          </div>
        </form>
      ) : null}
      {panel === 'skip' ? (
        <form className="card action-panel" aria-label="Skip this step" onSubmit={submitSkip}>
          <h2>Skip step “{run.current_step}”</h2>
          <p className="hint">The step is recorded as skipped, with your note, and the run goes on with the next step.</p>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`skip-note-${run.id}`}>Why (optional)</label>
              <input id={`skip-note-${run.id}`} ref={first} type="text" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Slack is down; the team was told by phone" />
            </div>
            {nameField}
          </div>
          {error ? <div className="notice notice-error" role="alert">{error}</div> : null}
          <div className="page-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>Skip step</button>
            <button type="button" className="btn btn-quiet" onClick={() => setPanel(null)}>Close</button>
          </div>
        </form>
      ) : null}
      {panel === 'cancel' ? (
        <form className="card action-panel" aria-label="Cancel run" onSubmit={submitCancel}>
          <h2>Cancel this run</h2>
          <p className="hint">Steps not done yet will not happen. The reason is kept on the run.</p>
          <div className="form-row">
            <div className="field">
              <label htmlFor={`cancel-reason-${run.id}`}>Reason</label>
              <input id={`cancel-reason-${run.id}`} ref={first} type="text" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Customer closed the account" />
            </div>
            {nameField}
          </div>
          {error ? <div className="notice notice-error" role="alert">{error}</div> : null}
          <div className="page-actions">
            <button type="submit" className="btn btn-danger" disabled={busy}>Cancel run</button>
            <button type="button" className="btn btn-quiet" onClick={() => setPanel(null)}>Keep it running</button>
          </div>
        </form>
      ) : null}
    </div>
  )
}
