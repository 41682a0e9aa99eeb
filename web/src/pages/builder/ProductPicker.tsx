import { useId, useState } from 'react'
import { useFieldErrors, FieldErrorText } from '../../components/Field'
import type { Product } from '../../lib/types'
import { Link } from '../../components/Link'

interface Props {
  products: readonly Product[]
  value: string[]
  onChange: (ids: string[]) => void
}

const isArchived = (p: Product) => Boolean(p.archived || p.archived_at || p.status === 'archived')

/** Searchable multi-select of catalog products, or "any product" (["*"]). */
export function ProductPicker({ products, value, onChange }: Props) {
  const [query, setQuery] = useState('')
  const searchId = useId()
  const { id, describedBy, invalid } = useFieldErrors('trigger.products')
  const any = value.includes('*')
  const q = query.trim().toLowerCase()
  const shown = products.filter((p) => !q || p.name.toLowerCase().includes(q) || p.id.toLowerCase().includes(q))
  const known = new Map(products.map((p) => [p.id, p]))
  const toggle = (pid: string, on: boolean) => onChange(on ? [...value.filter((v) => v !== '*'), pid] : value.filter((v) => v !== pid))

  return (
    <fieldset className={`field ${invalid ? 'field-invalid' : ''}`} aria-describedby={describedBy} id={id} tabIndex={-1}>
      <legend>Products</legend>
      <label className="check">
        <input type="checkbox" checked={any} onChange={(e) => onChange(e.target.checked ? ['*'] : [])} />
        Any product
      </label>
      {!any ? (
        <>
          {value.length > 0 ? (
            <ul className="chips" aria-label="Selected products">
              {value.map((pid) => (
                <li key={pid} className="chip">
                  <span className="ellipsis">{known.get(pid)?.name ?? pid}</span>
                  <button type="button" className="chip-remove" onClick={() => toggle(pid, false)} aria-label={`Remove ${known.get(pid)?.name ?? pid}`}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">Select one or more products, or any product.</p>
          )}
          <label htmlFor={searchId}>Search products</label>
          <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name or id" />
          <div className="product-options" role="group" aria-label="Products to trigger on">
            {products.length === 0 ? (
              <p className="hint" data-testid="no-products">
                No products yet. Add the products you sell on the <Link to="/products">Products</Link> page (or send events naming them), then choose them here; or choose “Any product”.
              </p>
            ) : shown.length === 0 ? (
              <p className="hint">No product matches “{query}”. <button type="button" className="linklike" onClick={() => setQuery('')}>Show all {products.length}</button>, or add it on the <Link to="/products">Products</Link> page.</p>
            ) : null}
            {shown.map((p) => (
              <label key={p.id} className="check product-option">
                <input type="checkbox" checked={value.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
                <span className="wrap">
                  {p.name} <span className="muted">({p.id}){isArchived(p) ? ' — archived' : ''}</span>
                </span>
              </label>
            ))}
          </div>
        </>
      ) : null}
      <FieldErrorText path="trigger.products" />
    </fieldset>
  )
}
