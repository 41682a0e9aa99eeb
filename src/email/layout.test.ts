import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bodyHtml, paragraphs, previewLine } from './body.js'
import { composeEmail, type EmailContent } from './compose.js'
import { EMAIL_COPY } from './copy.js'
import { LAYOUT_HTML } from './layout.generated.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const base: EmailContent = {
  business: { name: 'Acme Cloud', color: '#0f766e', address: '1 Main St\nSpringfield' },
  copy: EMAIL_COPY.en,
  lang: 'en',
  subject: 'Your Pro payment did not go through',
  body: 'Hi Ada,\n\nWe could not charge $49.00 for Pro.\nPlease update your card.\n\nhttps://pay.acme.test/l/AbCdEfGhIjKlMnOp\n\nThanks!',
  button: { url: 'https://pay.acme.test/l/AbCdEfGhIjKlMnOp', label: 'Update card' },
  summary: [{ label: 'Product', value: 'Pro' }, { label: 'Amount due', value: '$49.00' }],
  unsubscribeUrl: 'https://pay.acme.test/l/UnSuBsCrIbE12345',
}

describe('email layout', () => {
  it('is the compiled layout.mjml (run node scripts/build-email-layout.mjs after editing it)', () => {
    expect(() => execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-email-layout.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow()
    expect(LAYOUT_HTML).toMatch(/^<!doctype html>/)
  })

  it('shows the business, the summary, the body and one button to the main link', () => {
    const { html } = composeEmail(base)
    expect(html).not.toMatch(/@@[A-Z_]+@@|#010203|#040506/)
    expect(html).toContain('<html lang="en"')
    expect(html).toContain('<title>Your Pro payment did not go through</title>')
    expect(html).toContain('>Acme Cloud</div>')
    expect(html).toContain('1 Main St<br>Springfield')
    expect(html).toMatch(/<td[^>]*>Amount due<\/td><td[^>]*>\$49\.00<\/td>/)
    expect(html).toContain('<p style="margin:0 0 16px">We could not charge $49.00 for Pro.<br>\nPlease update your card.</p>')
    // The link's own line is the button; it is written out once, as the button.
    const links = [...html.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1])
    expect(links.filter((l) => l === base.button!.url)).toHaveLength(1)
    expect(html).toMatch(/<a\s+href="https:\/\/pay\.acme\.test\/l\/AbCdEfGhIjKlMnOp"[^>]*background:#0f766e;color:#ffffff[^>]*>\s*Update card\s*<\/a>/)
    expect(links).toContain(base.unsubscribeUrl)
    // The button stands where the link's line was: after "Please update your card.", before "Thanks!".
    const at = (needle: string) => html.indexOf(needle)
    expect(at('Please update your card.')).toBeLessThan(at('Update card'))
    expect(at('Update card')).toBeLessThan(at('<p style="margin:0 0 16px">Thanks!</p>'))
    expect(html).toContain('You are receiving this email because you have an account with Acme Cloud.')
  })

  it('the text part has the body and each link once', () => {
    const { text } = composeEmail(base)
    expect(text.split(base.button!.url)).toHaveLength(2)
    expect(text.split(base.unsubscribeUrl!)).toHaveLength(2)
    expect(text).toContain('We could not charge $49.00 for Pro.\nPlease update your card.')
    const noLinkInBody = composeEmail({ ...base, body: 'Hi Ada, please update your card.' }).text
    expect(noLinkInBody).toContain('Update card: https://pay.acme.test/l/AbCdEfGhIjKlMnOp')
    expect(noLinkInBody).toContain('Unsubscribe from these emails: https://pay.acme.test/l/UnSuBsCrIbE12345')
  })

  it('escapes what it is given: no markup from names, subjects or bodies, no placeholder injection', () => {
    const { html } = composeEmail({
      ...base,
      business: { ...base.business, name: 'Acme <script>alert(1)</script>' },
      subject: 'Hi "there" & <b>you</b>',
      body: 'Name: <img src=x onerror=alert(1)> @@BUTTON_URL@@ https://x.test/"onmouseover="alert(1)',
    })
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('"onmouseover=')
    expect(html).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('Hi &quot;there&quot; &amp; &lt;b&gt;you&lt;/b&gt;')
    expect(html).toContain('@@BUTTON_URL@@ ')
  })

  it('drops the parts a message does not have, and shows the logo when there is one', () => {
    const bare = composeEmail({ ...base, button: undefined, summary: [], unsubscribeUrl: undefined }).html
    expect(bare).not.toContain('class="rc-button"')
    expect(bare).not.toContain('Update card')
    expect(bare).not.toContain('Amount due')
    expect(bare).not.toContain('Unsubscribe')
    expect(bare).not.toContain('<img')
    const logo = composeEmail({ ...base, business: { ...base.business, logo_url: 'https://cdn.acme.test/logo.png?a=1&b=2' } }).html
    expect(logo).toContain('src="https://cdn.acme.test/logo.png?a=1&amp;b=2"')
    expect(logo).toContain('alt="Acme Cloud"')
  })

  it('keeps the button readable on any brand colour: dark text on light colours', () => {
    expect(composeEmail({ ...base, business: { ...base.business, color: '#ffd400' } }).html).toMatch(/background:#ffd400;color:#111111/)
    expect(composeEmail({ ...base, business: { ...base.business, color: '#1d4ed8' } }).html).toMatch(/background:#1d4ed8;color:#ffffff/)
  })

  it('speaks the message language in its own words', () => {
    const { html, text } = composeEmail({ ...base, lang: 'de', copy: EMAIL_COPY.de, button: { url: base.button!.url, label: EMAIL_COPY.de.updateCard } })
    expect(html).toContain('<html lang="de"')
    expect(html).toContain('Karte aktualisieren')
    expect(text).toContain('Von diesen E-Mails abmelden: ')
  })
})

describe('email body', () => {
  it('reads paragraphs and line breaks, and links web addresses without the sentence punctuation', () => {
    expect(paragraphs('a\nb\n\n\n  \nc\r\n')).toEqual([['a', 'b'], ['c']])
    expect(bodyHtml('See https://a.test/x?y=1&z=2. Thanks', { linkColor: '#000' })).toBe(
      '<p style="margin:0 0 16px">See <a href="https://a.test/x?y=1&amp;z=2" style="color:#000;text-decoration:underline;word-break:break-all">https://a.test/x?y=1&amp;z=2</a>. Thanks</p>',
    )
    expect(previewLine('Hi Ada,\n\nplease https://a.test pay')).toBe('Hi Ada, please pay')
  })
})
