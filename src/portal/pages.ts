import { escapeHtml } from '../templates/render.js'

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
button:focus-visible,a:focus-visible{outline:3px solid #b45309;outline-offset:2px}
a{color:var(--accent-dark)}
.note{color:var(--muted);font-size:.9375rem}
footer{color:var(--muted);font-size:.875rem}
`

/** Brand and page title shared by every portal page. */
export interface PageFrame {
  readonly business: string
  readonly title: string
}

/** The HTML document around a page's content. */
export function layout(frame: PageFrame, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
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
<footer><p>This page was opened from a private link we sent you. Please do not share it.</p></footer>
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
}

function summary(s: DueSummary): SafeHtml {
  return html`<dl>
<dt>Product</dt><dd>${s.productName}</dd>
${s.amountDue ? html`<dt>Amount due</dt><dd class="amount">${s.amountDue}</dd>` : ''}
</dl>`
}

/** The update-payment page: what is due, why, a button to enter a new card (when the processor hosts one) and one to ask for a retry. */
export function updatePaymentPage(s: DueSummary & { retryAction: string; updateCardAction?: string }): string {
  const title = s.kind === 'plan' ? `Your ${s.productName} plan has a balance due` : `Your ${s.productName} payment didn't go through`
  return layout(
    { business: s.business, title },
    html`<h1>${title}</h1>
${summary(s)}
<h2>What happened</h2>
<p>${s.whatHappened}</p>
<h2>What to do</h2>
${s.updateCardAction ? html`<p>Use a different card, or update the one you have: you enter it on our payment provider's secure page, and we charge it straight away.</p>
<form method="post" action="${s.updateCardAction}">
<input type="hidden" name="action" value="update_card">
<button type="submit">Update card</button>
</form>` : ''}
<p>If the problem is sorted — for example your bank has approved the charge or the card has funds again — ask us to try the payment again now.</p>
<form method="post" action="${s.retryAction}">
<input type="hidden" name="action" value="retry">
<button type="submit">Retry my payment now</button>
</form>
${s.updateCardAction ? '' : html`<p class="note">Need to use a different card? Reply to our email and we will help you update it.</p>`}`,
  )
}

/** Shown after the customer asked for a retry (also when they asked already today). */
export function retryRequestedPage(s: DueSummary & { already: boolean }): string {
  const title = s.already ? 'We already have your request' : 'Thanks — we will retry your payment'
  return layout(
    { business: s.business, title },
    html`<h1>${title}</h1>
${summary(s)}
<p>${s.already ? 'You asked us to retry this payment earlier today, so there is nothing more to do.' : 'We have your request and will try the payment again shortly.'}</p>
<p class="note">You can close this page. If the payment still fails, we will let you know.</p>`,
  )
}

/** Shown when the payment behind a link has since gone through. */
export function settledPage(s: { business: string; productName: string }): string {
  return layout(
    { business: s.business, title: 'Nothing to pay' },
    html`<h1>You're all set</h1><p>Your ${s.productName} payment has gone through. There is nothing to do.</p>`,
  )
}

/** Asks the customer to confirm they want no more email. */
export function unsubscribePage(s: { business: string; email?: string; action: string; already: boolean }): string {
  if (s.already) return unsubscribedPage(s)
  return layout(
    { business: s.business, title: 'Unsubscribe' },
    html`<h1>Stop emails from ${s.business}?</h1>
${s.email ? html`<p>We will stop sending email to <strong>${s.email}</strong>.</p>` : ''}
<form method="post" action="${s.action}">
<input type="hidden" name="action" value="unsubscribe">
<button type="submit">Unsubscribe me</button>
</form>
<p class="note">Changed your mind? Just close this page.</p>`,
  )
}

/** Confirms the customer will get no more email. */
export function unsubscribedPage(s: { business: string; email?: string }): string {
  return layout(
    { business: s.business, title: 'Unsubscribed' },
    html`<h1>You're unsubscribed</h1>
<p>${s.email ? html`We will not email <strong>${s.email}</strong> any more.` : 'We will not email you any more.'}</p>
<p class="note">If this was a mistake, reply to any earlier email from us and we will turn it back on.</p>`,
  )
}

/** Shown when the run behind an offer link has made no offer (yet); offer pages are in offer-pages.ts. */
export function renderOfferPage(s: { business: string; productName: string }): string {
  return layout(
    { business: s.business, title: 'No open offer' },
    html`<h1>There is no open offer right now</h1>
<p>We don't have an offer for your ${s.productName} at the moment. If you expected one, reply to our email and we will help.</p>`,
  )
}

/** A page that only explains something: a bad or expired link, a missing record, an error. */
export function messagePage(s: { business: string; title: string; message: string }): string {
  return layout({ business: s.business, title: s.title }, html`<h1>${s.title}</h1><p>${s.message}</p>`)
}
