import { useRef, useState, type FormEvent } from 'react'
import { api, ApiError, errorMessage, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import { OUTBOUND_EVENTS, type WebhookDelivery, type WebhookEndpoint } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { placeErrors, type FieldError } from '../lib/problem'
import { describeEvents, EVENT_DESCRIPTIONS, eventsToApi, nextAttemptIso } from '../lib/endpoints'
import { Field, FieldErrors, FieldErrorText } from '../components/Field'
import { Empty, Notice, PageHeader, StatusBadge, TableWrap } from '../components/ui'

const FORM_FIELDS = ['url', 'events', 'description']

/** Settings: endpoints that receive Recoup's own events, their signing secret (once), and deliveries. */
export function WebhookEndpointsPage() {
  const list = useAsync(() => api.get<Page<WebhookEndpoint>>('/v1/webhook-endpoints'), [])
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [all, setAll] = useState(false)
  const [chosen, setChosen] = useState<string[]>(['recovery.ended'])
  const [errors, setErrors] = useState<FieldError[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [created, setCreated] = useState<WebhookEndpoint | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const secretRef = useRef<HTMLInputElement>(null)
  const placed = placeErrors(errors, FORM_FIELDS)

  const create = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setErrors([])
    setProblem(null)
    setMessage(null)
    try {
      const body: Record<string, unknown> = { url: url.trim(), events: eventsToApi(all, chosen) }
      if (description.trim()) body.description = description.trim()
      const ep = await api.post<WebhookEndpoint>('/v1/webhook-endpoints', body)
      setCreated(ep)
      setUrl('')
      setDescription('')
      await list.reload()
      requestAnimationFrame(() => secretRef.current?.focus())
    } catch (err) {
      if (err instanceof ApiError && err.problem?.errors?.length) setErrors([...err.problem.errors])
      setProblem(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const remove = async (ep: WebhookEndpoint) => {
    if (!window.confirm(`Delete the endpoint ${ep.url}? It will receive no more events.`)) return
    try {
      await api.del(`/v1/webhook-endpoints/${enc(ep.id)}`)
      setMessage(`Endpoint ${ep.url} deleted.`)
      if (created?.id === ep.id) setCreated(null)
      if (open === ep.id) setOpen(null)
      await list.reload()
    } catch (err) {
      setMessage(null)
      setProblem(errorMessage(err))
    }
  }

  const copy = async () => {
    if (!created?.secret) return
    secretRef.current?.select()
    try {
      await navigator.clipboard.writeText(created.secret)
      setMessage('Signing secret copied to the clipboard.')
    } catch {
      setMessage('Select the secret and copy it (Ctrl+C / ⌘C).')
    }
  }

  const endpoints = list.data?.data ?? []
  const openEndpoint = open ? endpoints.find((e) => e.id === open) : undefined
  return (
    <div>
      <PageHeader title="Webhook endpoints" />
      <p className="hint page-intro">Recoup posts its own events to these URLs, signed per Standard Webhooks (<code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code> headers), and retries failed deliveries.</p>
      {created?.secret ? (
        <div className="notice notice-success secret-once" role="status" data-testid="endpoint-secret">
          <p><strong>Endpoint created.</strong> This is its signing secret. Copy it now and store it with your receiver: <strong>it is not shown again</strong>.</p>
          <div className="secret-row">
            <label htmlFor="endpoint-secret" className="sr-only">Signing secret of {created.url}</label>
            <input id="endpoint-secret" ref={secretRef} type="text" readOnly value={created.secret} className="mono" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn" onClick={() => void copy()}>Copy secret</button>
            <button type="button" className="btn btn-quiet" onClick={() => setCreated(null)}>I have stored it</button>
          </div>
        </div>
      ) : null}
      <Notice kind="success">{message}</Notice>
      <FieldErrors.Provider value={placed.byField}>
        <form className="card" onSubmit={(e) => void create(e)} noValidate aria-labelledby="new-endpoint-title">
          <h2 id="new-endpoint-title">Add an endpoint</h2>
          <Notice>{problem}</Notice>
          <div className="form-row">
            <Field path="url" label="URL">
              {(a) => <input {...a} type="url" required placeholder="https://example.com/hooks/recoup" value={url} onChange={(e) => setUrl(e.target.value)} />}
            </Field>
            <Field path="description" label="Description (optional)">
              {(a) => <input {...a} type="text" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
          </div>
          <fieldset id="field-events" tabIndex={-1}>
            <legend>Events to send</legend>
            <label className="check">
              <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
              <span className="wrap">All events <span className="muted">(<code>*</code>, including types added later)</span></span>
            </label>
            {!all ? OUTBOUND_EVENTS.map((ev) => (
              <label key={ev} className="check">
                <input type="checkbox" checked={chosen.includes(ev)} onChange={(e) => setChosen(e.target.checked ? [...chosen, ev] : chosen.filter((x) => x !== ev))} />
                <span className="wrap"><code>{ev}</code> <span className="muted">— {EVENT_DESCRIPTIONS[ev]}</span></span>
              </label>
            )) : null}
            <FieldErrorText path="events" />
          </fieldset>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Adding…' : 'Add endpoint'}</button>
        </form>
      </FieldErrors.Provider>
      <section aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        <Notice>{list.error}</Notice>
        {list.data && endpoints.length === 0 ? <Empty>No webhook endpoints yet.</Empty> : null}
        {endpoints.length ? (
          <TableWrap label="Webhook endpoints">
            <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {endpoints.map((ep) => (
                <tr key={ep.id} data-testid="endpoint-row">
                  <td className="wrap mono">{ep.url}{ep.disabled ? <> <StatusBadge status="disabled" /></> : null}</td>
                  <td className="wrap">{describeEvents(ep.events)}</td>
                  <td className="wrap">{ep.description || '—'}</td>
                  <td>{formatDateTime(ep.created_at)}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="btn btn-small" aria-expanded={open === ep.id} aria-controls={`deliveries-${ep.id}`} onClick={() => setOpen(open === ep.id ? null : ep.id)}>
                        {open === ep.id ? 'Hide deliveries' : 'Deliveries'}<span className="sr-only"> of {ep.url}</span>
                      </button>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(ep)}>Delete<span className="sr-only"> {ep.url}</span></button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
        ) : null}
        {openEndpoint ? <Deliveries key={openEndpoint.id} endpoint={openEndpoint} /> : null}
      </section>
    </div>
  )
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  const id = endpoint.id
  const list = useAsync(() => api.get<Page<WebhookDelivery>>(`/v1/webhook-endpoints/${enc(id)}/deliveries`), [id])
  const rows = list.data?.data ?? []
  return (
    <section className="card" id={`deliveries-${id}`} aria-labelledby={`deliveries-title-${id}`}>
      <div className="timeline-head">
        <h3 id={`deliveries-title-${id}`} className="wrap">Last deliveries to <span className="mono">{endpoint.url}</span></h3>
        <button type="button" className="btn btn-small btn-quiet" onClick={() => void list.reload()}>Refresh</button>
      </div>
      <Notice>{list.error}</Notice>
      {list.loading && !list.data ? <p aria-live="polite">Loading deliveries…</p> : null}
      {list.data && rows.length === 0 ? <Empty>Nothing delivered yet. Deliveries appear when runs end.</Empty> : null}
      {rows.length ? (
        <TableWrap label={`Deliveries to ${endpoint.url}`}>
          <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col" className="num">Attempts</th><th scope="col">Last error</th><th scope="col">Created</th><th scope="col">Next attempt</th></tr></thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-testid="delivery-row">
                <td className="mono">{d.event_type ?? '—'}</td>
                <td><StatusBadge status={d.status} /></td>
                <td className="num">{d.attempts ?? 0}</td>
                <td className="wrap">{d.last_error || '—'}</td>
                <td>{formatDateTime(d.created_at)}</td>
                <td>{d.status === 'pending' ? formatDateTime(nextAttemptIso(d.next_attempt_at)) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
    </section>
  )
}
