import { useState, type FormEvent } from 'react'
import { api, type Page } from '../lib/api'
import { usePagedList } from '../lib/use-async'
import type { Message } from '../lib/types'
import { navigate } from '../lib/router'
import { Empty, LoadMore, Notice, PageHeader } from '../components/ui'
import { MessageCard } from './MessageCard'

/** The outbox and sent messages, by channel and customer, with status and errors. */
export function MessagesPage({ initial }: { initial: URLSearchParams }) {
  const applied = { channel: initial.get('channel') ?? '', customer_id: initial.get('customer_id') ?? '' }
  const [form, setForm] = useState(applied)
  const list = usePagedList((cursor) => api.get<Page<Message>>('/v1/messages', { ...applied, cursor }), [])
  const apply = (e: FormEvent) => {
    e.preventDefault()
    const q = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== ''))
    navigate(`/messages${q.toString() ? `?${q}` : ''}`)
  }
  return (
    <div>
      <PageHeader title="Messages" />
      <form className="filters" onSubmit={apply} aria-label="Filter messages">
        <div className="field">
          <label htmlFor="f-channel">Channel</label>
          <select id="f-channel" value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}>
            <option value="">All channels</option>
            <option value="email">Email</option>
            <option value="sms">SMS</option>
            <option value="team">Team</option>
            <option value="webhook">Webhook</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-mcustomer">Customer ID</label>
          <input id="f-mcustomer" type="text" value={form.customer_id} onChange={(e) => setForm({ ...form, customer_id: e.target.value })} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">Apply filters</button>
          <button type="button" className="btn btn-quiet" onClick={() => void list.reload()}>Refresh</button>
        </div>
      </form>
      <p className="hint">Status <strong>outbox</strong> means the message was rendered and kept here because no provider is configured.</p>
      <Notice>{list.error}</Notice>
      {!list.loading && list.items.length === 0 ? <Empty>No messages yet.</Empty> : null}
      <div className="message-list">{list.items.map((m) => <MessageCard key={m.id} message={m} showRun />)}</div>
      <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={() => void list.loadMore()} />
    </div>
  )
}
