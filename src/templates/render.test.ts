import { describe, expect, it } from 'vitest'
import { PermanentError } from '../domain/errors.js'
import { TemplateError, TemplateRenderer } from './render.js'

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected an error')
}

describe('TemplateRenderer', () => {
  const t = new TemplateRenderer()
  it('formats money from minor units by currency and locale', () => {
    expect(t.render('{{ a | money: "USD" }}', { a: 4900 })).toBe('$49.00')
    expect(t.render('{{ a | money: "JPY" }}', { a: 4900 })).toBe('¥4,900')
    expect(t.render('{{ a | money: "EUR", "de-DE" }}', { a: 4900 })).toBe('49,00\u00a0€')
    expect(t.render('{{ a | money: "KWD" }}', { a: 1234 })).toBe('KWD\u00a01.234')
  })
  it('formats money without a currency in the payment’s or plan’s own currency', () => {
    expect(t.render('{{ payment.amount | money }}', { payment: { amount: 4900, currency: 'EUR' } })).toBe('€49.00')
    expect(t.render('{{ installment_plan.balance_due | money }}', { installment_plan: { balance_due: 40000, currency: 'GBP' } })).toBe('£400.00')
    expect(t.render('{{ payment.amount | money }}', { payment: { amount: 4900, currency: 'EUR' } }, { escapeHtml: true })).toBe('€49.00')
    expect(t.render('{{ a | money }}', { a: 4900 })).toBe('$49.00')
  })
  it('formats dates by named style, and by strftime for any format with %', () => {
    const d = '2023-10-19T10:00:00Z'
    expect(t.render('{{ d | date }}', { d })).toBe('Oct 19, 2023')
    expect(t.render('{{ d | date: "iso" }}', { d })).toBe('2023-10-19T10:00:00.000Z')
    expect(t.render('{{ d | date: "long" }}', { d })).toBe('October 19, 2023')
    expect(t.render('{{ d | date: "short" }}', { d })).toBe('10/19/23')
    expect(t.render('{{ d | date: "full" }}', { d })).toBe('Thursday, October 19, 2023')
    expect(t.render('{{ d | date: "%B %d, %Y" }}', { d })).toBe('October 19, 2023')
    expect(t.render('{{ d | date: "%Y-%m-%d %H:%M" }}', { d })).toBe('2023-10-19 10:00')
    // Late in the evening UTC: still the 19th, whatever the host's time zone.
    expect(t.render('{{ d | date: "%a %e %b" }}', { d: '2023-10-19T23:30:00Z' })).toBe('Thu 19 Oct')
  })
  it("formats money and dates in the customer's locale unless the template names one", () => {
    const de = { customer: { locale: 'de' }, payment: { amount: 4900, currency: 'EUR' }, d: '2026-11-21T10:00:00Z' }
    expect(t.render('{{ payment.amount | money }} · {{ d | date }} · {{ d | date: "long" }}', de)).toBe('49,00\u00a0€ · 21.11.2026 · 21. November 2026')
    expect(t.render('{{ payment.amount | money }}', { ...de, customer: { locale: 'es-ES' } })).toBe('49,00\u00a0€')
    expect(t.render('{{ payment.amount | money: "EUR", "en-US" }}', de)).toBe('€49.00')
    // No locale, or one that is not a tag: the renderer's default.
    expect(t.render('{{ payment.amount | money }}', { ...de, customer: { locale: null } })).toBe('€49.00')
    expect(t.render('{{ payment.amount | money }}', { ...de, customer: { locale: 'de_DE!' } })).toBe('€49.00')
    expect(t.render('{{ payment.amount | money }}', { ...de, customer: { locale: 'de' } }, { escapeHtml: true })).toBe('49,00\u00a0€')
  })
  it('escapes HTML when asked', () => {
    expect(t.render('Hi {{ n }}', { n: '<b>Bo</b>' }, { escapeHtml: true })).toBe('Hi &lt;b&gt;Bo&lt;/b&gt;')
  })
  it('lists the variables a template reads', () => {
    expect(t.variables('{{ customer.name }} {% if payment.amount > 1 %}{{ links.offer }}{% endif %}')).toEqual([
      ['customer', 'name'], ['payment', 'amount'], ['links', 'offer'],
    ])
  })

  it('stops a runaway loop with a permanent TemplateError instead of blocking the process', () => {
    const nested = '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}'
    const huge = thrown(() => t.render(nested, {}))
    expect(huge).toBeInstanceOf(TemplateError)
    expect(huge).toBeInstanceOf(PermanentError)
    expect(huge.message).toContain('template stopped')
    // Ranges small enough for the memory limit, but far too many iterations: stopped by the clock.
    const slow = thrown(() => t.render('{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}', {}))
    expect((slow as TemplateError).reason).toBe('limit')
    expect(slow.message).toContain('ran longer than 200 ms')
    const grows = thrown(() => t.render('{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', {}))
    expect(grows.message).toContain('built more than 10000000')
  })
  it('refuses a template longer than the parse limit, and takes other limits', () => {
    const small = new TemplateRenderer({ limits: { parseLimit: 50, renderLimitMs: 20 } })
    expect(small.limits).toMatchObject({ parseLimit: 50, renderLimitMs: 20, memoryLimit: 10_000_000 })
    expect(thrown(() => small.variables(`{{ a }}${'x'.repeat(60)}`)).message).toBe('template is longer than 50 characters')
    const quick = new TemplateRenderer({ limits: { renderLimitMs: 20 } })
    expect(thrown(() => quick.render('{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}', {})).message).toContain('20 ms')
  })
  it('turns bad syntax into a permanent TemplateError', () => {
    const err = thrown(() => t.render('{% if x %}', {}))
    expect(err).toBeInstanceOf(TemplateError)
    expect(err.message).toMatch(/^template does not parse: /)
  })
})
