import { api, type Page } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { InstallmentPlan, Subscription } from '../lib/types'
import { formatDateTime } from '../lib/format'
import { Empty, InstallmentTable, Money, Notice, StatusBadge, TableWrap } from '../components/ui'

/** A customer's subscriptions and installment plans (with a restructured plan's new schedule). */
export function CustomerRecords({ customerId }: { customerId: string }) {
  const subs = useAsync(() => api.get<Page<Subscription>>('/v1/subscriptions', { customer_id: customerId, limit: 100 }), [customerId])
  const plans = useAsync(() => api.get<Page<InstallmentPlan>>('/v1/installment-plans', { customer_id: customerId, limit: 100 }), [customerId])
  return (
    <>
      <section aria-labelledby="subs-title">
        <h2 id="subs-title">Subscriptions</h2>
        <Notice>{subs.error}</Notice>
        {subs.data?.data.length === 0 ? <Empty>No subscriptions.</Empty> : null}
        {subs.data?.data.length ? (
          <TableWrap label="Subscriptions" className="table-cards">
            <thead><tr><th scope="col">Subscription</th><th scope="col">Products</th><th scope="col">Status</th><th scope="col" className="num">Amount</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {subs.data.data.map((s) => (
                <tr key={s.id} data-testid="subscription-row">
                  <td className="ellipsis-cell mono" title={s.id} data-label="Subscription">{s.id}</td>
                  <td className="wrap" data-label="Products">{(s.product_ids ?? []).join(', ') || '—'}</td>
                  <td data-label="Status"><StatusBadge status={s.status} />{s.grace_until ? <p className="hint">Grace until {formatDateTime(s.grace_until)}</p> : null}</td>
                  <td className="num" data-label="Amount"><Money amount={s.amount} currency={s.currency} /></td>
                  <td data-label="Updated">{formatDateTime(s.updated_at ?? s.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </TableWrap>
        ) : null}
      </section>
      <section aria-labelledby="plans-title">
        <h2 id="plans-title">Installment plans</h2>
        <Notice>{plans.error}</Notice>
        {plans.data?.data.length === 0 ? <Empty>No installment plans.</Empty> : null}
        {(plans.data?.data ?? []).map((p) => <PlanCard key={p.id} plan={p} />)}
      </section>
    </>
  )
}

function PlanCard({ plan: p }: { plan: InstallmentPlan }) {
  return (
    <article className="card plan" data-testid="plan" aria-labelledby={`plan-${p.id}`}>
      <div className="timeline-head">
        <h3 id={`plan-${p.id}`} className="wrap mono">{p.id}</h3>
        <StatusBadge status={p.status} />
      </div>
      <dl className="summary-grid compact">
        <div><dt>Products</dt><dd className="wrap">{(p.product_ids ?? []).join(', ') || '—'}</dd></div>
        <div><dt>Installments paid</dt><dd>{p.installments_paid != null && p.installments_total != null ? `${p.installments_paid} of ${p.installments_total}` : '—'}</dd></div>
        <div><dt>Installment</dt><dd><Money amount={p.installment_amount} currency={p.currency} /></dd></div>
        <div><dt>Balance due</dt><dd><strong><Money amount={p.balance_due} currency={p.currency} /></strong></dd></div>
        {p.due_at ? <div><dt>Due</dt><dd>{formatDateTime(p.due_at)}</dd></div> : null}
        {p.reason ? <div><dt>Reason</dt><dd className="wrap">{p.reason}</dd></div> : null}
      </dl>
      {p.schedule?.length ? (
        <>
          <h4>Restructured schedule</h4>
          <InstallmentTable label={`Restructured schedule of ${p.id}`} items={p.schedule} currency={p.currency} rowTestId="plan-schedule-row" />
        </>
      ) : null}
    </article>
  )
}
