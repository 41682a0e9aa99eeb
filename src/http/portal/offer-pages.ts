import type { UiLanguage } from '../../domain/locale.js'
import { formatMoney } from '../../domain/money.js'
import type { OfferState } from '../../domain/offers.js'
import { OFFER_COPY } from './offer-copy.js'
import { html, layout, text, type SafeHtml } from './pages.js'

// Offer pages: the open offer with Accept / Decline forms, and what the customer sees after, in
// the customer's language.

const LOCALES: Readonly<Record<UiLanguage, string>> = { en: 'en-US', de: 'de-DE', es: 'es-ES' }
const DATES = new Map<string, Intl.DateTimeFormat>()

/** `2026-12-21T10:00:00Z` → `December 21, 2026` (or `21. Dezember 2026`; UTC: the date the records hold). */
export function formatDay(iso: string, lang: UiLanguage = 'en'): string {
  let f = DATES.get(lang)
  if (!f) DATES.set(lang, (f = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeZone: 'UTC' })))
  return f.format(new Date(iso))
}

interface OfferPageInput {
  readonly business: string
  readonly productName: string
  readonly state: OfferState
  /** The customer's language; English when absent. */
  readonly lang?: UiLanguage
}

/** The terms, as a definition list (extend) or a table of the new installments (restructure). */
function terms(s: OfferPageInput): SafeHtml {
  const lang = s.lang ?? 'en'
  const t = OFFER_COPY[lang]
  const o = s.state.offer
  const money = (amount: number) => formatMoney(amount, o.currency, LOCALES[lang])
  const day = (iso: string) => formatDay(iso, lang)
  if (o.kind === 'extend') {
    return html`<dl>
<dt>${text(t.product)}</dt><dd>${s.productName}</dd>
<dt>${text(t.amountDue)}</dt><dd class="amount">${money(o.amount)}</dd>
<dt>${text(t.newDueDate)}</dt><dd>${day(o.due_at)}</dd>
</dl>`
  }
  return html`<dl>
<dt>${text(t.product)}</dt><dd>${s.productName}</dd>
<dt>${text(t.balanceDue)}</dt><dd class="amount">${money(o.amount)}</dd>
<dt>${text(t.newPlan)}</dt><dd>${text(t.installments(o.schedule.length))}</dd>
</dl>
<table style="width:100%;border-collapse:collapse;margin:1rem 0">
<caption style="text-align:left;font-weight:700;margin-bottom:.25rem">${text(t.yourInstallments)}</caption>
<thead><tr><th scope="col" style="text-align:left">#</th><th scope="col" style="text-align:left">${text(t.due)}</th><th scope="col" style="text-align:right">${text(t.amount)}</th></tr></thead>
<tbody>
${o.schedule.map((i, n) => html`<tr style="border-top:1px solid var(--line)"><td>${n + 1}</td><td>${day(i.due_at)}</td><td style="text-align:right">${money(i.amount)}</td></tr>\n`)}
</tbody>
<tfoot><tr style="border-top:2px solid var(--line)"><th scope="row" colspan="2" style="text-align:left">${text(t.total)}</th><td style="text-align:right;font-weight:700">${money(o.amount)}</td></tr></tfoot>
</table>`
}

/** The open offer: its terms, its expiry, and Accept / Decline buttons (plain form posts). */
export function offerPage(s: OfferPageInput & { stepId: string; acceptAction: string; declineAction: string }): string {
  const lang = s.lang ?? 'en'
  const t = OFFER_COPY[lang]
  const o = s.state.offer
  const title = o.kind === 'extend' ? t.extendTitle(s.productName) : t.restructureTitle(s.productName)
  const pitch = o.kind === 'extend' ? t.extendPitch(o.days) : t.restructurePitch(o.schedule.length)
  return layout(
    { business: s.business, title, lang },
    html`<h1>${title}</h1>
<p>${pitch}</p>
${s.state.note ? html`<p>${s.state.note}</p>` : ''}
${terms(s)}
<p class="note">${text(t.openUntil(formatDay(s.state.expires_at, lang)))}</p>
<form method="post" action="${s.acceptAction}">
<input type="hidden" name="action" value="accept">
<input type="hidden" name="step" value="${s.stepId}">
<button type="submit">${text(t.accept)}</button>
</form>
<form method="post" action="${s.declineAction}">
<input type="hidden" name="action" value="decline">
<input type="hidden" name="step" value="${s.stepId}">
<button type="submit" style="background:#fff;color:var(--accent-dark);border:2px solid var(--accent-dark)">${text(t.decline)}</button>
</form>`,
  )
}

/** After the offer was decided or closed: accepted, declined, expired, or withdrawn. */
export function offerClosedPage(s: OfferPageInput & { status: 'accepted' | 'declined' | 'expired' | 'withdrawn' }): string {
  const lang = s.lang ?? 'en'
  const t = OFFER_COPY[lang]
  const o = s.state.offer
  switch (s.status) {
    case 'accepted': {
      const next = o.kind === 'extend' ? t.nextDueDate(formatDay(o.due_at, lang)) : t.firstInstallment(formatDay(o.schedule[0].due_at, lang))
      return layout(
        { business: s.business, title: t.acceptedTitle, lang },
        html`<h1>${text(t.acceptedHeading)}</h1><p>${text(t.accepted(next))}</p>${terms(s)}<p class="note">${text(t.closeNote)}</p>`,
      )
    }
    case 'declined':
      return layout({ business: s.business, title: t.declinedTitle, lang }, html`<h1>${text(t.declinedHeading)}</h1><p>${text(t.declined(s.productName))}</p>`)
    case 'expired':
      return layout(
        { business: s.business, title: t.expiredTitle, lang },
        html`<h1>${text(t.expiredTitle)}</h1><p>${text(t.expired(s.productName, formatDay(s.state.expires_at, lang)))}</p>`,
      )
    case 'withdrawn':
      return layout({ business: s.business, title: t.withdrawnTitle, lang }, html`<h1>${text(t.withdrawnHeading)}</h1><p>${text(t.withdrawn(s.productName))}</p>`)
  }
}
