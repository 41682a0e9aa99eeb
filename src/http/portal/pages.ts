import type { UiLanguage } from '../../domain/locale.js'
import { escapeHtml } from '../../templates/render.js'
import { PAGE_COPY } from './page-copy.js'

// Server-rendered portal pages. No client script: every page works with a plain form post, in
// any mail app's in-app browser, and under a CSP that allows inline styles only.

/** Markup that is already safe; anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Tagged template that HTML-escapes every interpolated value except SafeHtml (and arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]
  values.forEach((value, i) => {
    out += piece(value) + strings[i + 1]
  })
  return new SafeHtml(out)
}

/**
 * Text for an element's content: `&` and `<` escaped (and `>`), quotes kept as they are, so copy
 * such as "You're all set" reads the same in the page source. Never for attribute values.
 */
export function text(value: string): SafeHtml {
  return new SafeHtml(value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')))
}

function piece(value: unknown): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(piece).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(String(value))
}

// Colours meet WCAG AA (body text ≥ 7:1, button text ≥ 4.5:1); tap targets are ≥ 48px tall.
const STYLE = `
:root{--ink:#1b1f24;--muted:#4a5260;--accent:#1d4ed8;--accent-dark:#1e3a8a;--bg:#f4f5f7;--card:#fff;--line:#d5d9e0}
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header,main,footer{width:100%;max-width:34rem;margin:0 auto;padding:1rem}
header{font-weight:700;font-size:1.125rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.25rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.125rem;margin:1.25rem 0 .25rem}
p{margin:.5rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:1rem 0;padding:1rem;background:var(--bg);border-radius:8px}
dt{color:var(--muted)}
dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.amount{font-size:1.5rem}
form{margin:1.25rem 0 .5rem}
button{display:block;width:100%;min-height:48px;padding:.75rem 1rem;font:inherit;font-weight:700;color:#fff;background:var(--accent);border:0;border-radius:8px;cursor:pointer}
button:hover{background:var(--accent-dark)}
button.secondary{color:var(--accent-dark);background:#fff;border:2px solid var(--accent-dark)}
button.secondary:hover{background:var(--bg)}
button:focus-visible,a:focus-visible{outline:3px solid #b45309;outline-offset:2px}
a{color:var(--accent-dark)}
.note{color:var(--muted);font-size:.9375rem}
footer{color:var(--muted);font-size:.875rem}
`

/** Brand, page title and language shared by every portal page. */
export interface PageFrame {
  readonly business: string
  readonly title: string
  /** The page's language (the customer's); English when absent. */
  readonly lang?: UiLanguage
}

/** The HTML document around a page's content. */
export function layout(frame: PageFrame, content: SafeHtml): string {
  const lang = frame.lang ?? 'en'
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${frame.title} · ${frame.business}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header>${frame.business}</header>
<main id="main"><div class="card">${content}</div></main>
<footer><p>${PAGE_COPY[lang].privateLink}</p></footer>
</body>
</html>
`.value
}

/** What the update-payment page knows about the money owed. */
export interface DueSummary {
  readonly business: string
  readonly productName: string
  /** Formatted, e.g. "$49.00"; absent when the event carried no amount. */
  readonly amountDue?: string
  /** Why the money is owed, in the customer's words where we have them. */
  readonly whatHappened: string
  readonly kind: 'payment' | 'plan'
  /** The customer's language; English when absent. */
  readonly lang?: UiLanguage
}

function summary(s: DueSummary): SafeHtml {
  const t = PAGE_COPY[s.lang ?? 'en']
  return html`<dl>
<dt>${text(t.product)}</dt><dd>${s.productName}</dd>
${s.amountDue ? html`<dt>${text(t.amountDue)}</dt><dd class="amount">${s.amountDue}</dd>` : ''}
</dl>`
}

/**
 * The update-payment page: what is due, why, a primary "Update card" button when the processor
 * hosts a card update (`updateCardAction`), and one to ask for a retry.
 */
export function updatePaymentPage(s: DueSummary & { retryAction: string; updateCardAction?: string }): string {
  const t = PAGE_COPY[s.lang ?? 'en']
  const title = s.kind === 'plan' ? t.planTitle(s.productName) : t.paymentTitle(s.productName)
  return layout(
    { business: s.business, title, lang: s.lang },
    html`<h1>${title}</h1>
${summary(s)}
<h2>${text(t.whatHappened)}</h2>
<p>${s.whatHappened}</p>
<h2>${text(t.whatToDo)}</h2>
${s.updateCardAction ? html`<p>${text(t.updateCardIntro)}</p>
<form method="post" action="${s.updateCardAction}">
<input type="hidden" name="action" value="update_card">
<button type="submit">${text(t.updateCard)}</button>
</form>` : ''}
<p>${text(t.retryIntro)}</p>
<form method="post" action="${s.retryAction}">
<input type="hidden" name="action" value="retry">
<button type="submit"${s.updateCardAction ? new SafeHtml(' class="secondary"') : ''}>${text(t.retryNow)}</button>
</form>
${s.updateCardAction ? '' : html`<p class="note">${text(t.replyForCard)}</p>`}`,
  )
}

/** Shown after the customer asked for a retry (also when they asked already today). */
export function retryRequestedPage(s: DueSummary & { already: boolean }): string {
  const t = PAGE_COPY[s.lang ?? 'en']
  const title = s.already ? t.retryAlreadyTitle : t.retryThanksTitle
  return layout(
    { business: s.business, title, lang: s.lang },
    html`<h1>${title}</h1>
${summary(s)}
<p>${s.already ? t.retryAlready : t.retryThanks}</p>
<p class="note">${text(t.retryNote)}</p>`,
  )
}

/** Shown when the payment behind a link has since gone through. */
export function settledPage(s: { business: string; productName: string; lang?: UiLanguage }): string {
  const t = PAGE_COPY[s.lang ?? 'en']
  return layout({ business: s.business, title: t.settledTitle, lang: s.lang }, html`<h1>${text(t.settledHeading)}</h1><p>${text(t.settled(s.productName))}</p>`)
}

/** Asks the customer to confirm they want no more email. */
export function unsubscribePage(s: { business: string; email?: string; action: string; already: boolean; lang?: UiLanguage }): string {
  if (s.already) return unsubscribedPage(s)
  const t = PAGE_COPY[s.lang ?? 'en']
  return layout(
    { business: s.business, title: t.unsubscribeTitle, lang: s.lang },
    html`<h1>${text(t.unsubscribeHeading(s.business))}</h1>
${s.email ? html`<p>${text(t.unsubscribeWillStop[0])}<strong>${s.email}</strong>${text(t.unsubscribeWillStop[1])}</p>` : ''}
<form method="post" action="${s.action}">
<input type="hidden" name="action" value="unsubscribe">
<button type="submit">${text(t.unsubscribeButton)}</button>
</form>
<p class="note">${text(t.unsubscribeNote)}</p>`,
  )
}

/** Confirms the customer will get no more email. */
export function unsubscribedPage(s: { business: string; email?: string; lang?: UiLanguage }): string {
  const t = PAGE_COPY[s.lang ?? 'en']
  return layout(
    { business: s.business, title: t.unsubscribedTitle, lang: s.lang },
    html`<h1>${text(t.unsubscribedHeading)}</h1>
<p>${s.email ? html`${text(t.unsubscribedEmail[0])}<strong>${s.email}</strong>${text(t.unsubscribedEmail[1])}` : t.unsubscribedYou}</p>
<p class="note">${text(t.unsubscribedNote)}</p>`,
  )
}

/** Shown when the run behind an offer link has made no offer (yet); offer pages are in offer-pages.ts. */
export function renderOfferPage(s: { business: string; productName: string; lang?: UiLanguage }): string {
  const t = PAGE_COPY[s.lang ?? 'en']
  return layout({ business: s.business, title: t.noOfferTitle, lang: s.lang }, html`<h1>${text(t.noOfferHeading)}</h1>
<p>${text(t.noOffer(s.productName))}</p>`)
}

/** A page that only explains something: a bad or expired link, a missing record, an error. */
export function messagePage(s: { business: string; title: string; message: string; lang?: UiLanguage }): string {
  return layout({ business: s.business, title: s.title, lang: s.lang }, html`<h1>${s.title}</h1><p>${s.message}</p>`)
}
