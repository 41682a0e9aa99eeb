// The builder edits a "draft": the API's workflow JSON with every field as the text a form holds
// (tags as "a, b", condition values as typed text). These functions convert both ways and list
// the field paths the form renders, so API error paths (`steps[2].subject`) land beside fields.

import { durationForApi, splitList, splitSequence } from './text'

/** A trigger type (the catalog, GET /v1/catalog, lists them). */
export type TriggerType = string
export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const
export type ConditionOp = (typeof CONDITION_OPS)[number]
export type WorkflowStatus = 'draft' | 'active' | 'paused'

export interface ConditionDraft {
  key: string
  field: string
  op: ConditionOp
  /** Typed as text: `1000` is a number, `"1000"` a string, `a, b` a list for `in`. */
  value: string
}

export interface KeyValue {
  key: string
  name: string
  value: string
}

/** One step as the form edits it; toApi keeps only the fields of its type. */
export interface StepDraft {
  key: string
  id: string
  type: string
  to: string
  subject: string
  body: string
  message: string
  channel: 'email' | 'slack' | 'webhook'
  url: string
  method: string
  add_tags: string
  remove_tags: string
  set_fields: KeyValue[]
  note: string
  duration: string
  /** webhook: optional whsec_ signing secret of this step. */
  secret: string
  /** retry_payment: delays before each attempt, as text ("P1D, P3D"); empty = decline-aware default. */
  schedule: string
  /** retry_payment: where built-in retry requests go (email). */
  notify: string
  kind: 'extend' | 'restructure'
  /** offer extend: days to push the due date back (1..365), as typed. */
  days: string
  /** offer restructure: number of installments (2..36), as typed. */
  installments: string
  /** offer restructure: interval between installments (ISO 8601). */
  every: string
  /** offer: how long the customer has to answer (ISO 8601). */
  expires_in: string
  /** update_subscription: how the subscription ends. */
  action: 'cancel' | 'pause_collection' | 'mark_uncollectible'
  if: ConditionDraft[]
  then: StepDraft[]
  else: StepDraft[]
  /** Fields the form does not know, kept so a save never drops them. */
  extra: Record<string, unknown>
}

export interface WorkflowDraft {
  id?: string
  name: string
  description: string
  status: WorkflowStatus
  version?: number
  triggerType: TriggerType
  /** Product ids, or ["*"] for any product. */
  products: string[]
  conditions: ConditionDraft[]
  exitOn: string[]
  quietHours: QuietHoursDraft
  steps: StepDraft[]
}

/** Hours in which customers are not messaged (sends wait until the window ends). */
export interface QuietHoursDraft {
  enabled: boolean
  /** HH:MM, 24-hour. */
  start: string
  end: string
  /** IANA zone; empty = the customer's own (or UTC). */
  timeZone: string
}

let seq = 0
/** A React key unique within this page. */
export function newKey(): string {
  seq += 1
  return `k${seq}`
}

/** A step id not yet used in `taken`, derived from the type: `send-email-2`. */
export function uniqueStepId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/_/g, '-')
  for (let n = 1; ; n += 1) {
    const id = `${base}-${n}`
    if (!taken.has(id)) return id
  }
}

/** Every step id in a list, branches included. */
export function allStepIds(steps: readonly StepDraft[]): Set<string> {
  const ids = new Set<string>()
  const walk = (list: readonly StepDraft[]) => {
    for (const s of list) {
      ids.add(s.id)
      walk(s.then)
      walk(s.else)
    }
  }
  walk(steps)
  return ids
}

/** A fresh step of `type` with sensible defaults. */
export function newStep(type: string, taken: ReadonlySet<string>): StepDraft {
  const step: StepDraft = {
    key: newKey(), id: uniqueStepId(type, taken), type,
    to: '', subject: '', body: '', message: '', channel: 'email', url: '', method: 'POST',
    add_tags: '', remove_tags: '', set_fields: [], note: '', duration: 'P3D', secret: '', schedule: '', notify: '',
    kind: 'extend', days: '14', installments: '4', every: 'P30D', expires_in: 'P7D', action: 'cancel', if: [], then: [], else: [], extra: {},
  }
  if (type === 'send_email') {
    step.subject = "Your {{ product.name }} payment didn't go through"
    step.body = 'Hi {{ customer.name }}, please update your payment method: {{ links.update_payment }}'
  }
  if (type === 'send_sms') step.body = 'Your {{ product.name }} payment failed. Update your card: {{ links.update_payment }}'
  if (type === 'notify_team') step.message = '{{ customer.email }} has a problem with {{ product.name }}'
  return step
}

/** An empty workflow for the builder. */
export function emptyDraft(): WorkflowDraft {
  return {
    name: '', description: '', status: 'draft', triggerType: 'payment.failed', products: [], conditions: [],
    exitOn: ['payment.succeeded'], quietHours: { enabled: false, start: '21:00', end: '08:00', timeZone: '' }, steps: [],
  }
}

/** Reads a condition value typed as text. */
export function parseConditionValue(op: ConditionOp, text: string): unknown {
  const t = text.trim()
  if (op === 'exists') return t === '' ? undefined : t !== 'false'
  if (op === 'in') {
    if (t.startsWith('[')) {
      try {
        const v: unknown = JSON.parse(t)
        if (Array.isArray(v)) return v
      } catch {
        /* fall through to the comma list */
      }
    }
    return t === '' ? [] : t.split(',').map((s) => parseScalar(s.trim()))
  }
  return parseScalar(t)
}

function parseScalar(t: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  if (t === 'true') return true
  if (t === 'false') return false
  if (t === 'null') return null
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      return JSON.parse(t) as unknown
    } catch {
      return t.slice(1, -1)
    }
  }
  return t
}

/** Writes a condition value back as the text parseConditionValue reads. */
export function formatConditionValue(value: unknown): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.map((v) => formatScalar(v)).join(', ')
  return formatScalar(value)
}

function formatScalar(v: unknown): string {
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$|^(true|false|null)$/.test(v) || v.includes(',') ? JSON.stringify(v) : v
  return JSON.stringify(v) ?? ''
}

type Json = Record<string, unknown>

function conditionsToApi(list: readonly ConditionDraft[]): Json[] {
  return list.map((c) => {
    const value = parseConditionValue(c.op, c.value)
    return value === undefined ? { field: c.field.trim(), op: c.op } : { field: c.field.trim(), op: c.op, value }
  })
}

/** A whole number typed as text becomes a number; anything else is sent as typed (the API explains). */
function intOrText(text: string): number | string {
  const t = text.trim()
  return /^-?\d+$/.test(t) ? Number(t) : t
}

/** A step as the API takes it. */
export function stepToApi(s: StepDraft): Json {
  const out: Json = { ...s.extra, id: s.id.trim(), type: s.type }
  const opt = (key: string, v: string) => {
    if (v.trim() !== '') out[key] = v
  }
  switch (s.type) {
    case 'send_email':
      opt('to', s.to.trim())
      out.subject = s.subject
      out.body = s.body
      break
    case 'send_sms':
      opt('to', s.to.trim())
      out.body = s.body
      break
    case 'notify_team':
      out.channel = s.channel
      if (s.channel === 'email') {
        opt('to', s.to.trim())
        opt('subject', s.subject)
      } else opt('url', s.url.trim())
      out.message = s.message
      break
    case 'update_customer': {
      const add = splitList(s.add_tags)
      const remove = splitList(s.remove_tags)
      if (add.length) out.add_tags = add
      if (remove.length) out.remove_tags = remove
      const fields = s.set_fields.filter((kv) => kv.name.trim() !== '')
      if (fields.length) out.set_fields = Object.fromEntries(fields.map((kv) => [kv.name.trim(), kv.value]))
      opt('note', s.note)
      break
    }
    case 'wait':
      out.duration = durationForApi(s.duration)
      break
    case 'webhook':
      out.url = s.url.trim()
      out.method = s.method
      opt('body', s.body)
      opt('secret', s.secret.trim())
      break
    case 'retry_payment': {
      const schedule = splitSequence(s.schedule).map(durationForApi)
      if (schedule.length) out.schedule = schedule
      opt('notify', s.notify.trim())
      break
    }
    case 'offer':
      out.kind = s.kind
      if (s.kind === 'extend') {
        if (s.days.trim() !== '') out.days = intOrText(s.days)
      } else {
        if (s.installments.trim() !== '') out.installments = intOrText(s.installments)
        opt('every', durationForApi(s.every))
      }
      opt('expires_in', durationForApi(s.expires_in))
      opt('note', s.note)
      break
    case 'update_subscription':
      out.action = s.action
      opt('notify', s.notify.trim())
      break
    case 'branch':
      out.if = conditionsToApi(s.if)
      out.then = s.then.map(stepToApi)
      out.else = s.else.map(stepToApi)
      break
    default:
      break
  }
  return out
}

/** The request body for POST / PUT /v1/workflows. */
export function draftToApi(d: WorkflowDraft, status: WorkflowStatus = d.status): Json {
  const out: Json = {
    name: d.name.trim(),
    status,
    trigger: { type: d.triggerType, products: d.products, conditions: conditionsToApi(d.conditions) },
    exit_on: d.exitOn,
    steps: d.steps.map(stepToApi),
  }
  if (d.description.trim() !== '') out.description = d.description
  if (d.quietHours.enabled) {
    const q: Json = { start: d.quietHours.start.trim(), end: d.quietHours.end.trim() }
    if (d.quietHours.timeZone.trim() !== '') q.time_zone = d.quietHours.timeZone.trim()
    out.quiet_hours = q
  }
  return out
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {})

function conditionsFromApi(v: unknown): ConditionDraft[] {
  return arr(v).map((c) => {
    const o = obj(c)
    const op = (CONDITION_OPS as readonly string[]).includes(str(o.op)) ? (o.op as ConditionOp) : 'eq'
    return { key: newKey(), field: str(o.field), op, value: formatConditionValue(o.value) }
  })
}

const KNOWN_STEP_KEYS = new Set([
  'id', 'type', 'to', 'subject', 'body', 'message', 'channel', 'url', 'method', 'add_tags', 'remove_tags',
  'set_fields', 'note', 'duration', 'kind', 'days', 'installments', 'every', 'expires_in', 'secret', 'schedule', 'notify', 'action',
  'if', 'then', 'else',
])

/**
 * Step types the builder has a form of its own for. Any other type (a new one the server's catalog
 * lists) is edited as its params in JSON: every field but id and type is kept in `extra`.
 */
export const FORM_STEP_TYPES: ReadonlySet<string> = new Set([
  'send_email', 'send_sms', 'notify_team', 'update_customer', 'wait', 'webhook', 'retry_payment', 'offer', 'update_subscription', 'branch',
])

/** A step from the API as the form edits it. */
export function stepFromApi(v: unknown): StepDraft {
  const o = obj(v)
  const s = newStep(str(o.type), new Set())
  const known = FORM_STEP_TYPES.has(s.type) ? KNOWN_STEP_KEYS : new Set(['id', 'type'])
  const extra = Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k)))
  const channel = str(o.channel)
  return {
    ...s,
    id: str(o.id),
    to: str(o.to), subject: str(o.subject),
    body: typeof o.body === 'string' ? o.body : o.body === undefined ? '' : JSON.stringify(o.body, null, 2),
    message: str(o.message),
    channel: channel === 'slack' || channel === 'webhook' ? channel : 'email',
    url: str(o.url), method: str(o.method) || 'POST',
    add_tags: arr(o.add_tags).map(str).join(', '), remove_tags: arr(o.remove_tags).map(str).join(', '),
    set_fields: Object.entries(obj(o.set_fields)).map(([name, value]) => ({
      key: newKey(), name, value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
    note: str(o.note), duration: str(o.duration),
    secret: str(o.secret), schedule: arr(o.schedule).map(str).join(', '), notify: str(o.notify),
    kind: str(o.kind) === 'restructure' ? 'restructure' : 'extend',
    action: o.action === 'pause_collection' || o.action === 'mark_uncollectible' ? o.action : 'cancel',
    // As saved: a round trip adds nothing (the server's defaults apply to what is left out).
    days: str(o.days), installments: str(o.installments), every: str(o.every), expires_in: str(o.expires_in),
    if: conditionsFromApi(o.if), then: arr(o.then).map(stepFromApi), else: arr(o.else).map(stepFromApi),
    extra,
  }
}

/** A workflow from GET /v1/workflows/:id as the builder edits it. */
export function draftFromApi(v: unknown): WorkflowDraft {
  const o = obj(v)
  const trigger = obj(o.trigger)
  const type = str(trigger.type)
  const status = str(o.status)
  return {
    id: str(o.id) || undefined,
    name: str(o.name),
    description: str(o.description),
    status: status === 'active' || status === 'paused' ? status : 'draft',
    version: typeof o.version === 'number' ? o.version : undefined,
    triggerType: type || 'payment.failed',
    products: arr(trigger.products).map(str),
    conditions: conditionsFromApi(trigger.conditions),
    exitOn: Array.isArray(o.exit_on) ? o.exit_on.map(str) : ['payment.succeeded'],
    quietHours: quietHoursFromApi(o.quiet_hours),
    steps: arr(o.steps).map(stepFromApi),
  }
}

function quietHoursFromApi(v: unknown): QuietHoursDraft {
  const q = obj(v)
  if (!str(q.start) && !str(q.end)) return emptyDraft().quietHours
  return { enabled: true, start: str(q.start), end: str(q.end), timeZone: str(q.time_zone) }
}

/**
 * A new workflow copied from a starter template (GET /v1/workflow-templates): its steps, trigger
 * type, conditions, exit events and quiet hours, as an unsaved draft. Products are left for the
 * user to choose (the template's "*" would silently mean every product).
 */
export function draftFromTemplate(template: unknown): WorkflowDraft {
  const d = draftFromApi(template)
  return { ...d, id: undefined, version: undefined, status: 'draft', products: [] }
}

function conditionPaths(prefix: string, list: readonly ConditionDraft[]): string[] {
  return [prefix, ...list.flatMap((_, i) => [`${prefix}[${i}]`, `${prefix}[${i}].field`, `${prefix}[${i}].op`, `${prefix}[${i}].value`])]
}

/** The form fields a step renders, as API paths. */
export function stepFieldPaths(prefix: string, s: StepDraft): string[] {
  const f = (...names: string[]) => names.map((n) => `${prefix}.${n}`)
  const own: Record<string, string[]> = {
    send_email: f('to', 'subject', 'body'),
    send_sms: f('to', 'body'),
    notify_team: f('channel', ...(s.channel === 'email' ? ['to', 'subject'] : ['url']), 'message'),
    update_customer: [...f('add_tags', 'remove_tags', 'set_fields', 'note'), ...s.set_fields.map((kv) => `${prefix}.set_fields.${kv.name}`)],
    wait: f('duration'),
    webhook: f('url', 'method', 'body', 'secret'),
    retry_payment: [...f('schedule', 'notify'), ...splitSequence(s.schedule).map((_, i) => `${prefix}.schedule[${i}]`)],
    offer: f('kind', ...(s.kind === 'extend' ? ['days'] : ['installments', 'every']), 'expires_in', 'note'),
    update_subscription: f('action', 'notify'),
    branch: [
      ...conditionPaths(`${prefix}.if`, s.if),
      `${prefix}.then`, `${prefix}.else`,
      ...s.then.flatMap((c, i) => stepFieldPaths(`${prefix}.then[${i}]`, c)),
      ...s.else.flatMap((c, i) => stepFieldPaths(`${prefix}.else[${i}]`, c)),
    ],
  }
  const extras = s.type === 'branch' ? [] : [
    `${prefix}.on_error`,
    ...(s.type === 'update_customer' ? [`${prefix}.until`, `${prefix}.restore_fields`, ...s.set_fields.map((kv) => `${prefix}.restore_fields.${kv.name}`)] : []),
    ...(s.type === 'offer' ? [`${prefix}.alert_on_accept`, `${prefix}.alert_on_accept.to`] : []),
  ]
  return [prefix, `${prefix}.id`, `${prefix}.type`, ...(own[s.type] ?? []), ...extras]
}

/** Every field path the builder renders for `d`. */
export function draftFieldPaths(d: WorkflowDraft): string[] {
  return [
    'name', 'description', 'status', 'exit_on', 'trigger', 'trigger.type', 'trigger.products',
    ...(d.quietHours.enabled ? ['quiet_hours', 'quiet_hours.start', 'quiet_hours.end', 'quiet_hours.time_zone'] : []),
    ...conditionPaths('trigger.conditions', d.conditions),
    'steps',
    ...d.steps.flatMap((s, i) => stepFieldPaths(`steps[${i}]`, s)),
  ]
}

/** Moves item `from` to `to` in a copy of `list`. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list]
  const copy = [...list]
  const [item] = copy.splice(from, 1)
  copy.splice(to, 0, item as T)
  return copy
}
