// Turns what the server stores about a run into words: a step's `output` (retry attempts and
// outcome, offer terms and status, held messages, deliveries), the run's `waiting_reason`, and
// durations. Pure, so it is unit-tested; the run page renders the rows.
import { formatMoney } from './money'
import { describeDuration, splitSequence, toIsoDuration } from './text'
import type { Installment } from './types'

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Formats an instant for people; the page passes the browser-locale formatter. */
export type TimeFormat = (iso: string) => string

/** Milliseconds (or seconds with `unit`) in words: `2 days 3 hours`, `5 minutes`, `40 seconds`. */
export function describeSpan(value: number, unit: 'ms' | 's' = 'ms'): string {
  let s = Math.round(unit === 'ms' ? value / 1000 : value)
  if (s <= 0) return 'at once'
  const parts: string[] = []
  for (const [size, name] of [[86_400, 'day'], [3_600, 'hour'], [60, 'minute'], [1, 'second']] as const) {
    if (s >= size) {
      const n = Math.floor(s / size)
      s -= n * size
      parts.push(`${n} ${name}${n === 1 ? '' : 's'}`)
    }
    if (parts.length === 2) break
  }
  return parts.join(' ')
}

/** A retry schedule typed as `P1D, P3D` in words (`after 1 day, then 3 days`); null when empty or not all durations. */
export function describeSchedule(text: string): string | null {
  const items = splitSequence(text)
  if (items.length === 0) return null
  const words = items.map((i) => {
    const iso = toIsoDuration(i)
    return iso ? describeDuration(iso) : null
  })
  if (words.some((w) => w === null)) return null
  return `after ${words[0]}${words.length > 1 ? `, then ${words.slice(1).join(', then ')}` : ''}`
}

/** Rewrites ISO instants inside a server message with `fmt`. */
export function humanizeTimes(text: string, fmt: TimeFormat): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => fmt(iso))
}

export type WaitKind = 'quiet_hours' | 'daily_cap' | 'payment_retry' | 'offer' | 'wait' | 'error_retry' | 'other'

/** What a run's `waiting_reason` is about, with a short title for it. */
export function classifyWait(reason: string | null | undefined): { kind: WaitKind; title: string } {
  const r = (reason ?? '').toLowerCase()
  if (r.startsWith('quiet hours')) return { kind: 'quiet_hours', title: 'Quiet hours: the message is held until they end' }
  if (r.includes('daily cap')) return { kind: 'daily_cap', title: 'Daily message cap reached for this customer' }
  if (r.includes('payment retry')) return { kind: 'payment_retry', title: 'Waiting for the next payment retry' }
  if (r.startsWith('offer open')) return { kind: 'offer', title: 'Offer open: waiting for the customer’s answer' }
  if (r.startsWith('wait ')) return { kind: 'wait', title: 'Wait step' }
  if (/^retry \d+ of \d+ after/.test(r)) return { kind: 'error_retry', title: 'Retrying a step after an error' }
  return { kind: 'other', title: 'Waiting' }
}

/** How a waiting step's wake time is labelled. */
export const WAITING_LABEL = 'Waiting until'

export interface OutputRow {
  label: string
  value: string
  tone?: 'ok' | 'warn' | 'bad'
}

export interface DescribedOutput {
  rows: OutputRow[]
  /** A restructure offer's new installments. */
  schedule?: { currency: string; items: Installment[] }
}

const OFFER_STATUS: Record<string, OutputRow> = {
  open: { label: 'Offer status', value: 'open — waiting for the customer’s answer' },
  accepted: { label: 'Offer status', value: 'accepted by the customer', tone: 'ok' },
  declined: { label: 'Offer status', value: 'declined by the customer', tone: 'warn' },
  expired: { label: 'Offer status', value: 'expired without an answer', tone: 'warn' },
  closed: { label: 'Offer status', value: 'closed when the run ended' },
}

function describeOffer(o: Json, stepStatus: string, fmt: TimeFormat): DescribedOutput {
  const terms = isObj(o.offer) ? o.offer : {}
  const currency = str(terms.currency) ?? ''
  const amount = num(terms.amount)
  const rows: OutputRow[] = []
  if (terms.kind === 'extend') {
    rows.push({ label: 'Offer', value: `extend the due date by ${num(terms.days) ?? '?'} day${num(terms.days) === 1 ? '' : 's'}` })
    if (str(terms.due_at)) rows.push({ label: 'New due date', value: fmt(terms.due_at as string) })
  } else if (terms.kind === 'restructure') {
    const every = str(terms.every)
    rows.push({ label: 'Offer', value: `pay the balance in ${num(terms.installments) ?? '?'} installments${every ? `, every ${describeDuration(every) ?? every}` : ''}` })
  }
  if (amount !== undefined) rows.push({ label: 'Amount', value: formatMoney(amount, currency) })
  // An offer still "open" in its output after the step settled: accepted as the run ended, or closed with it.
  const raw = str(o.status)
  const status = raw === 'open' && stepStatus === 'completed' ? 'accepted' : raw === 'open' && stepStatus !== 'running' && stepStatus !== 'pending' ? 'closed' : raw
  if (status) rows.push(OFFER_STATUS[status] ?? { label: 'Offer status', value: status })
  if (str(o.expires_at)) rows.push({ label: status === 'open' ? 'Open until' : 'Was open until', value: fmt(o.expires_at as string) })
  if (str(o.note)) rows.push({ label: 'Note', value: o.note as string })
  const items = Array.isArray(terms.schedule)
    ? terms.schedule.filter(isObj).map((i) => ({ due_at: str(i.due_at) ?? '', amount: num(i.amount) ?? 0 }))
    : []
  return { rows, ...(items.length ? { schedule: { currency, items } } : {}) }
}

function describeRetry(o: Json, status: string, fmt: TimeFormat): OutputRow[] {
  const rows: OutputRow[] = []
  const attempts = num(o.attempts)
  const code = str(o.code) ?? str(o.last_code)
  switch (o.outcome) {
    case 'succeeded':
      rows.push({ label: 'Outcome', value: 'the retry succeeded: payment recovered', tone: 'ok' })
      break
    case 'hard_decline':
      rows.push({ label: 'Outcome', value: `stopped: hard decline${code ? ` (${code})` : ''}, a retry cannot succeed`, tone: 'bad' })
      break
    case 'exhausted':
      rows.push({ label: 'Outcome', value: `every scheduled retry failed${code ? ` (last decline: ${code})` : ''}`, tone: 'bad' })
      break
    default:
      break
  }
  if (attempts !== undefined) rows.push({ label: 'Attempts', value: String(attempts) })
  if (str(o.trigger)) rows.push({ label: 'Retried because', value: o.trigger as string })
  if (o.decline === 'hard') rows.push({ label: 'Not retried', value: `hard decline${code ? ` (${code})` : ''}: ask the customer for a new card`, tone: 'warn' })
  // The state while retries are pending: attempts made, schedule, next attempt.
  const schedule = Array.isArray(o.schedule) ? o.schedule.map(num).filter((n): n is number => n !== undefined) : null
  const made = num(o.attempt)
  if (schedule && made !== undefined) {
    rows.push({ label: 'Retries made', value: `${made} of ${schedule.length}` })
    rows.push({ label: 'Schedule', value: `after ${schedule.map((ms) => describeSpan(ms)).join(', then ')}` })
    if (num(o.next_at) !== undefined && (status === 'running' || status === 'pending')) rows.push({ label: 'Next retry', value: fmt(new Date(o.next_at as number).toISOString()) })
    if (str(o.last_code)) rows.push({ label: 'Last decline code', value: o.last_code as string })
  }
  if (str(o.provider_id)) rows.push({ label: 'Provider payment', value: o.provider_id as string })
  return rows
}

/**
 * A step's output as labelled rows (and an installment schedule for restructure offers).
 * Fields it does not know are left to the raw view.
 */
export function describeStepOutput(type: string, status: string, output: unknown, fmt: TimeFormat): DescribedOutput {
  if (!isObj(output)) return { rows: [] }
  const o = output
  let out: DescribedOutput = { rows: [] }
  if (type === 'offer' && isObj(o.offer)) out = describeOffer(o, status, fmt)
  else if (type === 'retry_payment') out = { rows: describeRetry(o, status, fmt) }
  const rows = out.rows
  if (str(o.deferred_until)) {
    rows.push({ label: 'Held until', value: fmt(o.deferred_until as string), tone: 'warn' })
  }
  if (str(o.reason) && o.decline !== 'hard') rows.push({ label: status === 'skipped' ? 'Skipped because' : 'Why', value: humanizeTimes(o.reason as string, fmt) })
  if (str(o.delivery)) rows.push({ label: 'Delivery', value: o.delivery === 'outbox' ? 'outbox (no provider configured)' : (o.delivery as string) })
  if (str(o.to) && type !== 'offer') rows.push({ label: 'To', value: o.to as string })
  if (Array.isArray(o.added_tags) && o.added_tags.length) rows.push({ label: 'Tags added', value: o.added_tags.join(', ') })
  if (Array.isArray(o.removed_tags) && o.removed_tags.length) rows.push({ label: 'Tags removed', value: o.removed_tags.join(', ') })
  if (isObj(o.set_fields) && Object.keys(o.set_fields).length) {
    rows.push({ label: 'Fields set', value: Object.entries(o.set_fields).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ') })
  }
  if (str(o.note) && type !== 'offer') rows.push({ label: 'Note', value: o.note as string })
  if (type === 'wait' && num(o.until) !== undefined) {
    const label = status === 'completed' ? 'Waited until' : status === 'skipped' ? 'Was waiting until' : WAITING_LABEL
    rows.push({ label, value: fmt(new Date(o.until as number).toISOString()) })
  }
  if (o.run_continued === true) rows.push({ label: 'Run', value: 'went on without this step (it may fail without stopping the recovery)', tone: 'warn' })
  if (str(o.skipped_by)) rows.push({ label: 'Skipped by', value: `${o.skipped_by as string}${str(o.skipped_at) ? `, ${fmt(o.skipped_at as string)}` : ''}`, tone: 'warn' })
  if (str(o.skip_note)) rows.push({ label: 'Why skipped', value: o.skip_note as string })
  if (isObj(o.undo_when_recovered)) {
    const u = o.undo_when_recovered
    const parts = [
      ...(Array.isArray(u.remove_tags) && u.remove_tags.length ? [`remove ${u.remove_tags.join(', ')}`] : []),
      ...(isObj(u.set_fields) ? Object.entries(u.set_fields).map(([k, v]) => `${k} back to ${v === null ? '(empty)' : String(v)}`) : []),
    ]
    if (parts.length) rows.push({ label: 'Undone when recovered', value: parts.join('; ') })
  }
  if (str(o.branch) || str(o.took)) rows.push({ label: 'Took branch', value: (str(o.branch) ?? str(o.took)) as string })
  return out
}

/** The median time to recover (seconds) in words; `—` when nothing was recovered. */
export function formatTimeToRecover(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—'
  if (seconds < 1) return 'under a second'
  return describeSpan(seconds, 's')
}
