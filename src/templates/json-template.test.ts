import { describe, expect, it } from 'vitest'
import { PermanentError } from '../domain/errors.js'
import { jsonBodySchema, jsonTemplateStrings, renderJsonBody } from './json-template.js'
import { TemplateRenderer } from './render.js'

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected an error')
}

describe('JSON templates', () => {
  const t = new TemplateRenderer()
  const data = { customer: { name: 'x","admin":true,"y":"' }, payment: { amount: 4900, currency: 'EUR' } }
  const render = (s: string) => t.render(s, data)

  it('renders each string of an object body into a string value, so data cannot change the structure', () => {
    const body = { customer: { name: '{{ customer.name }}' }, amount: '{{ payment.amount | money }}', tags: ['a', '{{ payment.currency }}'], n: 1, ok: true, none: null }
    const sent = JSON.parse(renderJsonBody(body, render))
    expect(sent).toEqual({ customer: { name: 'x","admin":true,"y":"' }, amount: '€49.00', tags: ['a', 'EUR'], n: 1, ok: true, none: null })
    expect(sent).not.toHaveProperty('admin')
    expect(Object.keys(JSON.parse(renderJsonBody(JSON.parse('{"__proto__":"{{ payment.currency }}"}'), render)))).toEqual(['__proto__'])
  })
  it('renders a string body that is JSON already string by string, as safely as an object body', () => {
    const sent = JSON.parse(renderJsonBody('{ "customer": { "name": "{{ customer.name }}" }, "n": 1 }', render))
    expect(sent).toEqual({ customer: { name: 'x","admin":true,"y":"' }, n: 1 })
  })
  it('requires any other string body to render to JSON, and says to use an object body', () => {
    expect(renderJsonBody('{"amount": {{ payment.amount }}}', render)).toBe('{"amount": 4900}')
    const quoted = (s: string) => t.render(s, { customer: { name: 'Dwayne "The Rock' }, payment: { amount: 4900 } })
    const err = thrown(() => renderJsonBody('{"name": "{{ customer.name }}", "amount": {{ payment.amount }}}', quoted))
    expect(err).toBeInstanceOf(PermanentError)
    expect(err.message).toContain('not valid JSON')
    expect(err.message).toContain('JSON object')
  })
  it('lists every template string with its path', () => {
    expect(jsonTemplateStrings({ customer: { name: '{{ customer.name }}' }, list: [1, 'x'] }, ['body'])).toEqual([
      { path: ['body', 'customer', 'name'], source: '{{ customer.name }}' },
      { path: ['body', 'list', 1], source: 'x' },
    ])
  })
  it('accepts objects, arrays and strings as bodies, within size and depth', () => {
    const schema = jsonBodySchema(100)
    expect(schema.safeParse({ a: ['b', 1, null] }).success).toBe(true)
    expect(schema.safeParse('{"a": 1}').success).toBe(true)
    expect(schema.safeParse(42).error?.issues[0]?.message).toContain('JSON object or array')
    expect(schema.safeParse({ a: 'x'.repeat(200) }).error?.issues[0]?.message).toContain('at most 100 characters')
    let deep: unknown = 'x'
    for (let i = 0; i < 10_000; i++) deep = [deep]
    expect(schema.safeParse(deep).error?.issues[0]?.message).toContain('32 levels')
  })
})
