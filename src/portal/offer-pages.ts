import { formatMoney } from '../domain/money.js'
import type { OfferState } from '../domain/offers.js'
import { html, layout, type SafeHtml } from './pages.js'

// Offer pages: the open offer with Accept / Decline forms, and what the customer sees after.

const DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' })

/** `2026-12-21T10:00:00Z` → `December 21, 2026` (UTC: the date the records hold). */
export function formatDay(iso: string): string {
  return DATE.format(new Date(iso))
}

interface OfferPageInput {
  readonly business: string
  readonly productName: string
  readonly state: OfferState
}

/** The terms, as a definition list (extend) or a table of the new installments (restructure). */
function terms(s: OfferPageInput): SafeHtml {
  const o = s.state.offer
  const money = (amount: number) => formatMoney(amount, o.currency)
  if (o.kind === 'extend') {
    return html`<dl>
<dt>Product</dt><dd>${s.productName}</dd>
<dt>Amount due</dt><dd class="amount">${money(o.amount)}</dd>
<dt>New due date</dt><dd>${formatDay(o.due_at)}</dd>
</dl>`
  }
  return html`<dl>
<dt>Product</dt><dd>${s.productName}</dd>
<dt>Balance due</dt><dd class="amount">${money(o.amount)}</dd>
<dt>New plan</dt><dd>${o.schedule.length} installments</dd>
</dl>
<table style="width:100%;border-collapse:collapse;margin:1rem 0">
<caption style="text-align:left;font-weight:700;margin-bottom:.25rem">Your new installments</caption>
<thead><tr><th scope="col" style="text-align:left">#</th><th scope="col" style="text-align:left">Due</th><th scope="col" style="text-align:right">Amount</th></tr></thead>
<tbody>
${o.schedule.map((i, n) => html`<tr style="border-top:1px solid var(--line)"><td>${n + 1}</td><td>${formatDay(i.due_at)}</td><td style="text-align:right">${money(i.amount)}</td></tr>\n`)}
</tbody>
<tfoot><tr style="border-top:2px solid var(--line)"><th scope="row" colspan="2" style="text-align:left">Total</th><td style="text-align:right;font-weight:700">${money(o.amount)}</td></tr></tfoot>
</table>`
}

/** The open offer: its terms, its expiry, and Accept / Decline buttons (plain form posts). */
export function offerPage(s: OfferPageInput & { stepId: string; acceptAction: string; declineAction: string }): string {
  const o = s.state.offer
  const title = o.kind === 'extend' ? `More time to pay for ${s.productName}` : `A new payment plan for ${s.productName}`
  const pitch =
    o.kind === 'extend'
      ? `We can move your due date back by ${o.days} ${o.days === 1 ? 'day' : 'days'}. Nothing else changes.`
      : `We can spread what is left over ${o.schedule.length} smaller installments. Together they add up to exactly your balance — nothing extra.`
  return layout(
    { business: s.business, title },
    html`<h1>${title}</h1>
<p>${pitch}</p>
${s.state.note ? html`<p>${s.state.note}</p>` : ''}
${terms(s)}
<p class="note">This offer is open until ${formatDay(s.state.expires_at)}.</p>
<form method="post" action="${s.acceptAction}">
<input type="hidden" name="action" value="accept">
<input type="hidden" name="step" value="${s.stepId}">
<button type="submit">Accept this offer</button>
</form>
<form method="post" action="${s.declineAction}">
<input type="hidden" name="action" value="decline">
<input type="hidden" name="step" value="${s.stepId}">
<button type="submit" style="background:#fff;color:var(--accent-dark);border:2px solid var(--accent-dark)">No thanks</button>
</form>`,
  )
}

/** After the offer was decided or closed: accepted, declined, expired, or withdrawn. */
export function offerClosedPage(s: OfferPageInput & { status: 'accepted' | 'declined' | 'expired' | 'withdrawn' }): string {
  const o = s.state.offer
  switch (s.status) {
    case 'accepted': {
      const next = o.kind === 'extend' ? `Your new due date is ${formatDay(o.due_at)}.` : `Your first installment is due on ${formatDay(o.schedule[0].due_at)}.`
      return layout(
        { business: s.business, title: 'Offer accepted' },
        html`<h1>Thanks — you're all set</h1><p>You accepted our offer. ${next}</p>${terms(s)}<p class="note">You can close this page.</p>`,
      )
    }
    case 'declined':
      return layout(
        { business: s.business, title: 'Offer declined' },
        html`<h1>You declined this offer</h1><p>No problem. Your ${s.productName} balance stays as it was. If you change your mind, reply to our email and we will help.</p>`,
      )
    case 'expired':
      return layout(
        { business: s.business, title: 'This offer has expired' },
        html`<h1>This offer has expired</h1><p>The offer for your ${s.productName} was open until ${formatDay(s.state.expires_at)}. Reply to our email and we will see what we can do.</p>`,
      )
    case 'withdrawn':
      return layout(
        { business: s.business, title: 'No open offer' },
        html`<h1>There is no open offer right now</h1><p>Your ${s.productName} account has changed since we sent this offer, so it no longer applies. If you have questions, reply to our email.</p>`,
      )
  }
}
