import { describe, expect, it } from 'vitest'
import { TemplateRenderer } from './render.js'

describe('TemplateRenderer', () => {
  const t = new TemplateRenderer()
  it('formats money from minor units by currency and locale', () => {
    expect(t.render('{{ a | money: "USD" }}', { a: 4900 })).toBe('$49.00')
    expect(t.render('{{ a | money: "JPY" }}', { a: 4900 })).toBe('¥4,900')
    expect(t.render('{{ a | money: "EUR", "de-DE" }}', { a: 4900 })).toBe('49,00\u00a0€')
    expect(t.render('{{ a | money: "KWD" }}', { a: 1234 })).toBe('KWD\u00a01.234')
  })
  it('formats dates and escapes HTML when asked', () => {
    expect(t.render('{{ d | date }}', { d: '2026-11-21T10:00:00Z' })).toBe('Nov 21, 2026')
    expect(t.render('{{ d | date: "iso" }}', { d: '2026-11-21T10:00:00Z' })).toBe('2026-11-21T10:00:00.000Z')
    expect(t.render('Hi {{ n }}', { n: '<b>Bo</b>' }, { escapeHtml: true })).toBe('Hi &lt;b&gt;Bo&lt;/b&gt;')
  })
  it('lists the variables a template reads', () => {
    expect(t.variables('{{ customer.name }} {% if payment.amount > 1 %}{{ links.offer }}{% endif %}')).toEqual([
      ['customer', 'name'], ['payment', 'amount'], ['links', 'offer'],
    ])
  })
})
