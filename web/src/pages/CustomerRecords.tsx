import { api } from '../lib/api'
import { useAsync } from '../lib/use-async'
import type { Payment } from '../lib/types'
import { enc, formatValue } from '../lib/format'
import { StatusBadge } from '../components/ui'

interface Subscription {
  id: string
  status?: string
  product_id?: string
  [k: string]: unknown
}

/** The subscriptions the customer's payments belong to (fetched one by one: the API has no list by customer). */
export function CustomerRecords({ payments }: { payments: readonly Payment[] }) {
  const ids = [...new Set(payments.map((p) => p.subscription_id).filter((s): s is string => Boolean(s)))]
  const subs = useAsync(
    () => Promise.all(ids.map((id) => api.get<Subscription>(`/v1/subscriptions/${enc(id)}`).catch((): Subscription => ({ id, status: 'unknown' })))),
    [ids.join('\n')],
  )
  if (ids.length === 0) return null
  return (
    <section aria-labelledby="subs-title">
      <h2 id="subs-title">Subscriptions</h2>
      <ul className="run-links">
        {(subs.data ?? []).map((s) => (
          <li key={s.id}>
            <span className="mono">{s.id}</span> <StatusBadge status={s.status} />
            {s.product_id ? <span className="muted"> · {formatValue(s.product_id)}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  )
}
