import { useState, type FormEvent } from 'react'
import { api, type Page } from '../lib/api'
import { usePagedList } from '../lib/use-async'
import type { Customer } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { navigate } from '../lib/router'
import { Link } from '../components/Link'
import { Empty, LoadMore, Notice, PageHeader, TableWrap } from '../components/ui'

/** Customers, optionally those with one tag. */
export function CustomersPage({ initialTag }: { initialTag: string }) {
  const [tag, setTag] = useState(initialTag)
  const list = usePagedList((cursor) => api.get<Page<Customer>>('/v1/customers', { tag: initialTag, cursor }), [])
  const apply = (e: FormEvent) => {
    e.preventDefault()
    navigate(tag.trim() ? `/customers?tag=${encodeURIComponent(tag.trim())}` : '/customers')
  }
  return (
    <div>
      <PageHeader title="Customers" />
      <form className="filters" onSubmit={apply} aria-label="Filter customers">
        <div className="field">
          <label htmlFor="f-tag">Tag</label>
          <input id="f-tag" type="text" value={tag} onChange={(e) => setTag(e.target.value)} placeholder="payment-failed" />
        </div>
        <div className="filter-actions"><button type="submit" className="btn btn-primary">Filter</button></div>
      </form>
      <Notice>{list.error}</Notice>
      {!list.loading && list.items.length === 0 ? <Empty>No customers{initialTag ? ` tagged “${initialTag}”` : ''}.</Empty> : null}
      {list.items.length > 0 ? (
        <TableWrap label="Customers">
          <thead><tr><th scope="col">Customer</th><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">Tags</th><th scope="col">Since</th></tr></thead>
          <tbody>
            {list.items.map((c) => (
              <tr key={c.id}>
                <td className="wrap"><Link to={`/customers/${enc(c.id)}`}>{c.name || c.id}</Link></td>
                <td className="wrap">{c.email ?? '—'}</td>
                <td>{c.phone ?? '—'}</td>
                <td className="wrap">{(c.tags ?? []).map((t) => <span key={t} className="tag">{t}</span>)}</td>
                <td>{formatDateTime(c.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}
