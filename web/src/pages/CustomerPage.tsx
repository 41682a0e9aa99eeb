import { useState } from 'react'
import { api, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { Customer, Payment, Run } from '../lib/types'
import { enc, formatDateTime, formatValue } from '../lib/format'
import { Link } from '../components/Link'
import { Empty, Money, Notice, OutcomeBadge, PageHeader, StatusBadge, TableWrap } from '../components/ui'
import { CustomerRecords } from './CustomerRecords'
import { RunActions } from './RunActions'

/** A customer's profile: contact, tags, fields, notes, payments, subscriptions, plans and runs. */
export function CustomerPage({ id }: { id: string }) {
  const customer = useAsync(() => api.get<Customer>(`/v1/customers/${enc(id)}`), [id])
  const payments = useAsync(() => api.get<Page<Payment>>('/v1/payments', { customer_id: id, limit: 100 }), [id])
  const runs = useAsync(() => api.get<Page<Run>>('/v1/runs', { customer_id: id, limit: 100 }), [id])
  const [done, setDone] = useState<string | undefined>()
  if (!customer.data) return customer.error ? <Notice>{customer.error}</Notice> : <p aria-live="polite">Loading customer…</p>
  const c = customer.data
  const fields = Object.entries(c.fields ?? {})
  const notes = [...(c.notes ?? [])].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))
  return (
    <div>
      <PageHeader title={<span className="wrap">{c.name || c.id}</span>} />
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Recoveries</h2>
        <Notice>{runs.error}</Notice>
        <Notice kind="success">{done}</Notice>
        {runs.data?.data.length === 0 ? <Empty>No runs for this customer.</Empty> : null}
        <ul className="run-card-list">
          {(runs.data?.data ?? []).map((r) => (
            <li key={r.id} data-testid="customer-run">
              <div className="run-card-head">
                <OutcomeBadge run={r} />
                <Link to={`/runs/${enc(r.id)}`}>{r.workflow_name ?? r.workflow_id}</Link>
                <Money amount={r.amount} currency={r.currency} />
                <span className="muted">{r.product_names?.join(', ')}{r.product_names?.length ? ' · ' : ''}started {formatDateTime(r.created_at)}</span>
                <StatusBadge status={r.status} quiet />
              </div>
              <RunActions run={r} compact onChanged={async (message) => { setDone(message); await Promise.all([runs.reload(), payments.reload(), customer.reload()]) }} />
            </li>
          ))}
        </ul>
      </section>
      <div className="grid-2">
        <section className="card" aria-labelledby="contact-title">
          <h2 id="contact-title">Contact</h2>
          <dl className="kv-list">
            <div><dt>ID</dt><dd className="wrap mono">{c.id}</dd></div>
            <div><dt>Email</dt><dd className="wrap">{c.email ?? '—'}</dd></div>
            <div><dt>Phone</dt><dd>{c.phone ?? '—'}</dd></div>
            <div><dt>Customer since</dt><dd>{formatDateTime(c.created_at)}</dd></div>
          </dl>
          <h3>Tags</h3>
          {c.tags?.length ? (
            <ul className="tags" aria-label="Tags" data-testid="customer-tags">
              {c.tags.map((t) => <li key={t} className="tag"><Link to={`/customers?tag=${encodeURIComponent(t)}`}>{t}</Link></li>)}
            </ul>
          ) : <p className="empty">No tags.</p>}
        </section>
        <section className="card" aria-labelledby="fields-title">
          <h2 id="fields-title">Fields</h2>
          {fields.length ? (
            <dl className="kv-list">{fields.map(([k, v]) => <div key={k}><dt className="wrap">{k}</dt><dd className="wrap">{formatValue(v)}</dd></div>)}</dl>
          ) : <p className="empty">No custom fields.</p>}
        </section>
      </div>
      <section className="card" aria-labelledby="notes-title">
        <h2 id="notes-title">Notes</h2>
        {notes.length ? (
          <ul className="notes">
            {notes.map((n, i) => (
              <li key={i}>
                <p className="wrap">{n.body}</p>
                <p className="muted">{formatDateTime(n.created_at)}{n.run_id ? <> · <Link to={`/runs/${enc(n.run_id)}`}>run {n.run_id}</Link></> : null}</p>
              </li>
            ))}
          </ul>
        ) : <p className="empty">No notes.</p>}
      </section>
      <section aria-labelledby="payments-title">
        <h2 id="payments-title">Payments</h2>
        <Notice>{payments.error}</Notice>
        {payments.data?.data.length === 0 ? <Empty>No payments recorded.</Empty> : null}
        {payments.data?.data.length ? (
          <TableWrap label="Payments" className="table-cards">
            <thead><tr><th scope="col">Payment</th><th scope="col" className="num">Amount</th><th scope="col">Status</th><th scope="col">Decline</th><th scope="col">Subscription</th><th scope="col">When</th></tr></thead>
            <tbody>
              {payments.data.data.map((p) => (
                <tr key={p.id}>
                  <td className="ellipsis-cell mono" data-label="Payment">{p.payment_id ?? p.id}</td>
                  <td className="num" data-label="Amount"><Money amount={p.amount} currency={p.currency} /></td>
                  <td data-label="Status"><StatusBadge status={p.status} />{p.source === 'staff' ? <span className="muted small"> marked paid by staff</span> : null}</td>
                  <td className="wrap" data-label="Decline">{p.failure_code ?? '—'}</td>
                  <td className="ellipsis-cell mono" data-label="Subscription">{p.subscription_id ?? '—'}</td>
                  <td data-label="When">{formatDateTime(p.occurred_at ?? p.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
        ) : null}
      </section>
      <CustomerRecords key={done ?? ""} customerId={id} />
    </div>
  )
}
