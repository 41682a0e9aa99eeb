import { useState, type FormEvent } from 'react'
import { api, ApiError, errorMessage, type Page } from '../lib/api'
import { usePagedList } from '../lib/use-async'
import type { Product } from '../lib/types'
import { enc, formatDateTime } from '../lib/format'
import { placeErrors } from '../lib/problem'
import { Field, FieldErrors } from '../components/Field'
import { Empty, LoadMore, Notice, PageHeader, StatusBadge, TableWrap } from '../components/ui'

const archived = (p: Product) => Boolean(p.archived || p.archived_at || p.status === 'archived')

/** The product catalog: list, create, archive. */
export function ProductsPage() {
  const list = usePagedList((cursor) => api.get<Page<Product>>('/v1/products', { cursor }), [])
  const [form, setForm] = useState({ id: '', name: '', description: '' })
  const [errors, setErrors] = useState<ReadonlyMap<string, readonly string[]>>(new Map())
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)

  // Never rejects: every failure ends in the notice, so the form can drop the promise.
  const create = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setErrors(new Map())
    setMessage(null)
    try {
      const body: Record<string, string> = { name: form.name.trim() }
      if (form.id.trim()) body.id = form.id.trim()
      if (form.description.trim()) body.description = form.description.trim()
      const p = await api.post<Product>('/v1/products', body)
      setForm({ id: '', name: '', description: '' })
      setMessage({ kind: 'success', text: `Created ${p.name} (${p.id}).` })
      await list.reload()
    } catch (err) {
      if (err instanceof ApiError && err.problem?.errors?.length) setErrors(placeErrors(err.problem.errors, ['id', 'name', 'description']).byField)
      setMessage({ kind: 'error', text: errorMessage(err) })
    } finally {
      setBusy(false)
    }
  }

  const archive = async (p: Product) => {
    if (!window.confirm(`Archive ${p.name}? Workflows that trigger on it keep it, marked archived.`)) return
    try {
      await api.del(`/v1/products/${enc(p.id)}`)
      setMessage({ kind: 'success', text: `Archived ${p.name}.` })
      await list.reload()
    } catch (err) {
      setMessage({ kind: 'error', text: errorMessage(err) })
    }
  }

  return (
    <div>
      <PageHeader title="Products" />
      <FieldErrors.Provider value={errors}>
        <form className="card product-form" onSubmit={(e) => void create(e)} aria-labelledby="new-product-title" noValidate>
          <h2 id="new-product-title">Add a product</h2>
          <div className="form-row">
            <Field path="name" label="Name">{(a) => <input {...a} type="text" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}</Field>
            <Field path="id" label="ID (optional)" hint="Leave empty to let Recoup choose">{(a) => <input {...a} type="text" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />}</Field>
          </div>
          <Field path="description" label="Description (optional)">{(a) => <input {...a} type="text" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}</Field>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Adding…' : 'Add product'}</button>
        </form>
      </FieldErrors.Provider>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <Notice>{list.error}</Notice>
      {!list.loading && list.items.length === 0 ? <Empty>No products yet.</Empty> : null}
      {list.items.length > 0 ? (
        <TableWrap label="Products">
          <thead><tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Description</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.items.map((p) => (
              <tr key={p.id}>
                <td className="wrap">{p.name}</td>
                <td className="ellipsis-cell mono">{p.id}</td>
                <td className="wrap">{p.description ?? '—'}</td>
                <td><StatusBadge status={archived(p) ? 'archived' : 'active'} /></td>
                <td>{formatDateTime(p.created_at)}</td>
                <td>{archived(p) ? null : <button type="button" className="btn btn-small" onClick={() => void archive(p)} aria-label={`Archive ${p.name}`}>Archive</button>}</td>
              </tr>
            ))}
          </tbody>
        </TableWrap>
      ) : null}
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}
