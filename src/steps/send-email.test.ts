import { describe, expect, it } from 'vitest'
import type { ActionInput } from './action.js'
import { TemplateRenderer } from '../templates/render.js'
import { sendEmail } from './send-email.js'

const templates = new TemplateRenderer()
const data = {
  business: { name: 'Acme Cloud', color: '#0f766e' },
  customer: { email: 'ada@example.com', name: 'Ada', locale: 'es-MX' },
  product: { name: 'Pro' },
  payment: { amount: 4900, currency: 'USD' },
  event: { occurred_at: '2026-11-21T10:00:00Z' },
  links: { update_payment: 'https://pay.acme.test/l/AbCdEfGhIjKlMnOp', offer: 'https://pay.acme.test/l/OfFeR00000000000', unsubscribe: 'https://pay.acme.test/l/UnSuB00000000000' },
}

/** What the step would send for `params`, rendered with the real template engine. */
function preview(params: Record<string, unknown>) {
  const input = { params: sendEmail.params.parse(params), data, render: (t: string) => templates.render(t, data), now: 0 }
  return sendEmail.preview!(input as unknown as ActionInput<never>) as { subject: string; body: string; text?: string; html?: string }
}

describe('send_email', () => {
  it('picks the translation for the customer locale (es-MX → es) and speaks it in the layout', () => {
    const p = preview({
      subject: 'Your {{ product.name }} payment failed',
      body: 'Hi {{ customer.name }}\n\n{{ links.update_payment }}',
      translations: { es: { subject: 'Tu pago de {{ product.name }} falló', body: 'Hola {{ customer.name }}\n\n{{ links.update_payment }}' } },
    })
    expect(p.subject).toBe('Tu pago de Pro falló')
    expect(p.html).toContain('<html lang="es-MX"')
    expect(p.html).toMatch(/>\s*Actualizar tarjeta\s*<\/a>/)
    expect(p.html).toContain('Importe pendiente')
  })

  it('a step may carry its own brand and button, or send plain text', () => {
    const branded = preview({ subject: 'Hi', body: 'See {{ links.offer }}', brand: { name: 'Acme Courses', color: '#7c3aed' }, button: { label: 'Open the offer' } })
    expect(branded.html).toContain('>Acme Courses</div>')
    expect(branded.html).toMatch(/href="https:\/\/pay\.acme\.test\/l\/OfFeR00000000000"[^>]*background:#7c3aed[^>]*>\s*Open the offer\s*<\/a>/)
    const none = preview({ subject: 'Hi', body: 'Nothing to click', button: false })
    expect(none.html).not.toContain('class="rc-button"')
    const text = preview({ subject: 'Hi', body: 'Plain {{ links.update_payment }}', format: 'text' })
    expect(text.html).toBeUndefined()
    expect(text.body).toBe('Plain https://pay.acme.test/l/AbCdEfGhIjKlMnOp')
  })

  it('refuses bad brands, reply-to addresses and translation keys when the workflow is saved', () => {
    const bad = sendEmail.params.safeParse({ subject: 'x', body: 'y', brand: { color: 'teal' }, reply_to: 'not an address', translations: { 'de_DE!': { body: 'x' } } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['brand.color', 'reply_to', 'translations.de_DE!'])
  })
})
