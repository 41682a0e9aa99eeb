// GET /v1/catalog: the dashboard builds workflows from this alone, so what it says must be what
// the server accepts: every step type and trigger, traits that match the engine's behaviour, and
// sample events and variables that make a valid workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventSchema } from '../src/domain/events.js'
import { DIALECTS, testApp } from './helpers/dialects.js'

interface StepType {
  type: string
  title: string
  traits: { customer_message: boolean; outside: boolean; reads_records: boolean; continues_on_error: boolean; arms: string[]; calls_url: boolean; portal_link?: string }
  templates: string[]
  params: { type?: string; properties?: Record<string, unknown>; required?: string[]; oneOf?: unknown[]; anyOf?: unknown[] }
}
interface TriggerType {
  type: string
  title: string
  variables: Record<string, unknown>
  suggested_variables: string[]
  sample_event: Record<string, unknown>
  carries_payment: boolean
}

describe('GET /v1/catalog', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  let catalog: { trigger_types: TriggerType[]; step_types: StepType[]; exit_events: { type: string; title: string }[]; condition_ops: string[] }
  beforeAll(async () => {
    app = await testApp(DIALECTS[0]!, { env: { RECOUP_WORKER: 'false' } })
    await app.inject('POST', '/v1/products', { id: 'prod_cat', name: 'Catalog product' })
    const res = await app.inject('GET', '/v1/catalog')
    expect(res.status).toBe(200)
    catalog = res.body
  })
  afterAll(async () => app.close())

  it('needs an API key like every /v1 route', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/v1/catalog' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })

  it('lists every step type with its traits and a JSON Schema of its params', () => {
    const byType = new Map(catalog.step_types.map((s) => [s.type, s]))
    expect([...byType.keys()]).toEqual([
      'send_email', 'send_sms', 'notify_team', 'update_customer', 'wait', 'webhook', 'retry_payment', 'offer', 'update_subscription', 'branch',
    ])
    expect(byType.get('send_email')).toMatchObject({ title: 'Send email', traits: { customer_message: true, outside: true }, templates: expect.arrayContaining(['subject', 'body']) })
    expect(byType.get('notify_team')!.traits).toMatchObject({ customer_message: false, continues_on_error: true, calls_url: true })
    expect(byType.get('branch')!.traits.arms).toEqual(['then', 'else'])
    expect(byType.get('offer')!.traits.portal_link).toBe('offer')
    expect(byType.get('wait')!.params).toMatchObject({ type: 'object', properties: { duration: { type: 'string' } }, required: ['duration'] })
    for (const s of catalog.step_types) expect(s.params, s.type).toBeTypeOf('object')
  })

  it('gives each trigger a valid sample event, its variables and picker suggestions', () => {
    expect(catalog.trigger_types.map((t) => t.type)).toEqual(['payment.failed', 'installment_plan.canceled'])
    for (const t of catalog.trigger_types) {
      expect(eventSchema.safeParse(t.sample_event).success, t.type).toBe(true)
      expect(t.sample_event.type).toBe(t.type)
      expect(t.variables).toHaveProperty('customer')
      expect(t.suggested_variables.length).toBeGreaterThan(0)
    }
    const plan = catalog.trigger_types.find((t) => t.type === 'installment_plan.canceled')!
    // The builder's preview asks for an amount and a decline only where the trigger has a payment.
    expect(catalog.trigger_types.map((t) => [t.type, t.carries_payment])).toEqual([['payment.failed', true], ['installment_plan.canceled', false]])
    expect(plan.variables).not.toHaveProperty('payment')
    expect(plan.suggested_variables.some((v) => v.startsWith('payment.'))).toBe(false)
  })

  it('offers exit events the server accepts in exit_on', async () => {
    expect(catalog.exit_events[0]).toEqual({ type: 'payment.succeeded', title: 'The customer paid' })
    expect(catalog.condition_ops).toContain('exists')
    const res = await app.inject('POST', '/v1/workflows', {
      name: 'Every exit event',
      trigger: { type: 'payment.failed', products: ['prod_cat'] },
      exit_on: catalog.exit_events.map((e) => e.type),
      // Each suggested variable is one the save-time check knows.
      steps: [{ id: 'tell', type: 'send_email', subject: 'About your payment', body: catalog.trigger_types[0]!.suggested_variables.map((v) => `{{ ${v} }}`).join(' ') }],
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  })
})
