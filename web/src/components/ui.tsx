import type { ReactNode } from 'react'
import { formatMoney } from '../lib/money'
import { formatDateTime } from '../lib/format'
import { outcomeOf } from '../lib/outcome'
import type { Installment, Run } from '../lib/types'

/**
 * A status word as a coloured pill (colour is never the only signal: the word is shown). `quiet`
 * greys it: a run's technical status sits beside its outcome, which carries the colour.
 */
export function StatusBadge({ status, quiet }: { status: string | undefined; quiet?: boolean }) {
  const s = status ?? 'unknown'
  return <span className={quiet ? 'badge badge-tech' : `badge badge-${s.replace(/[^a-z_]/gi, '')}`} data-testid="status" title={quiet ? 'Technical status' : undefined}>{s}</span>
}

/** How a run ended for the money (recovered, offer accepted: green; not recovered: red), or "In progress". */
export function OutcomeBadge({ run, large }: { run: Pick<Run, 'status' | 'outcome' | 'error'>; large?: boolean }) {
  const o = outcomeOf(run)
  return <span className={`badge outcome outcome-${o.tone}${large ? ' badge-large' : ''}`} data-testid="outcome" data-outcome={o.key}>{o.label}</span>
}

/** An alert box; errors are announced to screen readers. */
export function Notice({ kind = 'error', children }: { kind?: 'error' | 'info' | 'success'; children: ReactNode }) {
  if (!children) return null
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}

/** "Load more" under a paginated list. */
export function LoadMore({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  if (!hasMore && !loading) return null
  return (
    <div className="load-more">
      {hasMore ? (
        <button type="button" className="btn" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : (
        <span aria-live="polite">Loading…</span>
      )}
    </div>
  )
}

/** Page title row with optional actions. */
export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </div>
  )
}

/** Money in minor units, formatted for the currency. */
export function Money({ amount, currency }: { amount: number | null | undefined; currency: string | null | undefined }) {
  return <span className="money">{formatMoney(amount, currency)}</span>
}

/** A table that scrolls sideways on small screens instead of breaking the layout. */
export function TableWrap({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className={className ? `table-wrap ${className}` : 'table-wrap'} role="region" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </div>
  )
}

/** Shown when a list is empty. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** Numbered installments (due date, amount), e.g. a restructured plan's new schedule. */
export function InstallmentTable({ label, items, currency, className, rowTestId }: {
  label: string
  items: readonly Installment[]
  currency: string | null | undefined
  className?: string
  rowTestId?: string
}) {
  return (
    <TableWrap label={label} className={className}>
      <thead><tr><th scope="col">#</th><th scope="col">Due</th><th scope="col" className="num">Amount</th></tr></thead>
      <tbody>
        {items.map((item, n) => (
          <tr key={n} data-testid={rowTestId}><td>{n + 1}</td><td>{formatDateTime(item.due_at)}</td><td className="num"><Money amount={item.amount} currency={currency} /></td></tr>
        ))}
      </tbody>
    </TableWrap>
  )
}
