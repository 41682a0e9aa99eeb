import { describe, expect, it } from 'vitest'
import {
  draftFieldPaths, draftFromApi, draftFromTemplate, draftToApi, emptyDraft, formatConditionValue, move, newStep, parseConditionValue,
  stepFromApi, stepToApi, uniqueStepId,
} from './workflow-draft'
import { placeErrors } from './problem'

const API_WORKFLOW = {
  id: 'wf_pro_recovery', name: 'Pro plan — failed payment', status: 'active', version: 3,
  trigger: { type: 'payment.failed', products: ['prod_pro'], conditions: [{ field: 'payment.amount', op: 'gte', value: 1000 }] },
  exit_on: ['payment.succeeded', 'payment.extended'],
  quiet_hours: { start: '21:00', end: '08:00', time_zone: 'Europe/Paris' },
  steps: [
    { id: 'tell-customer', type: 'send_email', subject: 'Hi', body: 'Hi {{ customer.name }}' },
    { id: 'tag', type: 'update_customer', add_tags: ['payment-failed'], set_fields: { billing_status: 'past_due' }, note: 'n' },
    { id: 'alert', type: 'notify_team', channel: 'slack', url: 'https://hooks.example.com/x', message: 'm' },
    { id: 'give-it-time', type: 'wait', duration: 'P3D' },
    { id: 'retry', type: 'retry_payment', schedule: ['P1D', 'P3D'], notify: 'billing@example.com' },
    { id: 'hook', type: 'webhook', url: 'https://example.com/h', method: 'PUT', secret: 'whsec_abc', future_option: 1 },
    {
      id: 'big', type: 'branch', if: [{ field: 'payment.failure_code', op: 'in', value: ['card_declined', 'expired_card'] }],
      then: [{ id: 'nudge', type: 'send_sms', body: 'Pay please' }], else: [],
    },
    { id: 'offer', type: 'offer', kind: 'extend', days: 14, expires_in: 'P3D', note: 'Take {{ product.name }} two more weeks' },
    { id: 'end', type: 'update_subscription', action: 'pause_collection' },
  ],
}

describe('workflow draft', () => {
  it('round-trips the API shape, keeping fields the form does not know', () => {
    const draft = draftFromApi(API_WORKFLOW)
    expect(draft.version).toBe(3)
    expect(draft.steps[1]!.add_tags).toBe('payment-failed')
    expect(draft.conditions[0]!.value).toBe('1000')
    const { id: _id, version: _v, ...rest } = API_WORKFLOW
    expect(draftToApi(draft)).toEqual(rest)
  })
  it('writes offer, retry and quiet-hours settings as the server takes them', () => {
    const d = emptyDraft()
    d.name = 'Plans'
    d.triggerType = 'installment_plan.canceled'
    d.products = ['*']
    d.quietHours = { enabled: true, start: '22:00', end: '07:30', timeZone: ' ' }
    const offer = newStep('offer', new Set())
    offer.kind = 'restructure'
    offer.installments = ' 6 '
    offer.days = '14'
    const retry = newStep('retry_payment', new Set())
    const odd = newStep('offer', new Set(['offer-1']))
    odd.days = '1.5'
    d.steps = [offer, retry, odd]
    const api = draftToApi(d)
    expect(api.quiet_hours).toEqual({ start: '22:00', end: '07:30' })
    const steps = api.steps as Record<string, unknown>[]
    // Only the fields of the chosen kind; numbers typed as text become numbers.
    expect(steps[0]).toEqual({ id: 'offer-1', type: 'offer', kind: 'restructure', installments: 6, every: 'P30D', expires_in: 'P7D' })
    // No schedule: the server's decline-aware default.
    expect(steps[1]).toEqual({ id: 'retry-payment-1', type: 'retry_payment' })
    // A repeated interval is two retries a day apart, not one.
    retry.schedule = 'P1D, P1D'
    expect((draftToApi(d).steps as Record<string, unknown>[])[1]).toMatchObject({ schedule: ['P1D', 'P1D'] })
    expect(draftFieldPaths(d)).toContain('steps[1].schedule[1]')
    // Not a whole number: sent as typed, so the server's error names the field.
    expect(steps[2]).toMatchObject({ kind: 'extend', days: '1.5' })
    d.quietHours.enabled = false
    expect(draftToApi(d)).not.toHaveProperty('quiet_hours')
  })
  it('copies a starter template as a new draft without products', () => {
    const d = draftFromTemplate({ ...API_WORKFLOW, id: 'starter_x', status: 'active', trigger: { ...API_WORKFLOW.trigger, products: ['*'] } })
    expect(d.id).toBeUndefined()
    expect(d.version).toBeUndefined()
    expect(d.status).toBe('draft')
    expect(d.products).toEqual([])
    expect(d.steps.map((s) => s.id)).toContain('retry')
    expect(d.quietHours.enabled).toBe(true)
  })
  it('builds API JSON from form text', () => {
    const d = emptyDraft()
    d.name = '  Basic  '
    d.products = ['prod_a']
    d.conditions = [{ key: 'c', field: 'payment.currency', op: 'in', value: 'USD, EUR' }]
    const email = newStep('send_email', new Set())
    email.to = '  '
    const crm = newStep('update_customer', new Set())
    crm.add_tags = 'a, b, a'
    crm.set_fields = [{ key: 'x', name: 'status', value: 'late' }, { key: 'y', name: ' ', value: 'ignored' }]
    d.steps = [email, crm]
    const api = draftToApi(d, 'active')
    expect(api).toMatchObject({
      name: 'Basic', status: 'active',
      trigger: { type: 'payment.failed', products: ['prod_a'], conditions: [{ field: 'payment.currency', op: 'in', value: ['USD', 'EUR'] }] },
    })
    const steps = api.steps as Record<string, unknown>[]
    expect(steps[0]).not.toHaveProperty('to')
    expect(steps[1]).toEqual({ id: 'update-customer-1', type: 'update_customer', add_tags: ['a', 'b'], set_fields: { status: 'late' } })
  })
  it('types condition values', () => {
    expect(parseConditionValue('gte', '1000')).toBe(1000)
    expect(parseConditionValue('eq', '"1000"')).toBe('1000')
    expect(parseConditionValue('eq', 'card_declined')).toBe('card_declined')
    expect(parseConditionValue('exists', '')).toBeUndefined()
    expect(parseConditionValue('exists', 'false')).toBe(false)
    expect(parseConditionValue('in', '[1, 2]')).toEqual([1, 2])
    expect(formatConditionValue(['a', 1])).toBe('a, 1')
    expect(formatConditionValue('42')).toBe('"42"')
  })
  it('lists field paths so nested API errors find their field', () => {
    const draft = draftFromApi(API_WORKFLOW)
    const placed = placeErrors(
      [
        { path: 'steps[6].then[0].body', message: 'unknown variable' },
        { path: 'trigger.products[0]', message: 'unknown product' },
        { path: 'steps[1].set_fields.billing_status', message: 'bad' },
        { path: 'steps[3].duration', message: 'not a duration' },
        { path: 'steps[4].schedule[1]', message: 'not a duration' },
        { path: 'steps[7].days', message: 'too big' },
        { path: 'quiet_hours.time_zone', message: 'unknown zone' },
        { path: 'exit_on[1]', message: 'bad event' },
      ],
      draftFieldPaths(draft),
    )
    expect([...placed.byField.keys()]).toEqual([
      'steps[6].then[0].body', 'trigger.products', 'steps[1].set_fields.billing_status', 'steps[3].duration',
      'steps[4].schedule[1]', 'steps[7].days', 'quiet_hours.time_zone', 'exit_on',
    ])
    expect(placed.unplaced).toEqual([])
  })
  it('keeps every field of a step type it has no form for, and sends them back as they were', () => {
    const api = { id: 'whats', type: 'send_whatsapp', to: '+15555550100', body: 'Hi {{ customer.name }}', template: 'recovery_1' }
    const draft = stepFromApi(api)
    expect(draft.extra).toEqual({ to: '+15555550100', body: 'Hi {{ customer.name }}', template: 'recovery_1' })
    expect(stepToApi(draft)).toEqual(api)
  })
  it('makes unique step ids and moves steps', () => {
    expect(uniqueStepId('send_email', new Set(['send-email-1']))).toBe('send-email-2')
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b'])
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b'])
  })
})
