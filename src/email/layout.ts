import { normalizeColor, textOn, type Business } from '../domain/business.js'
import { escapeHtml } from '../templates/render.js'
import { LAYOUT_HTML } from './layout.generated.js'

// Fills the compiled layout (layout.mjml → layout.generated.ts) for one message: plain string work,
// microseconds per email. Values are HTML-escaped here; one pass over the layout replaces every
// placeholder, so nothing a value contains (say "@@BODY@@") is ever read as a placeholder.

/** One row of the summary box. */
export interface SummaryRow {
  readonly label: string
  readonly value: string
}

/** What one email shows, all of it plain text except `bodyHtml`. */
export interface LayoutInput {
  /** `lang` of the document (a BCP 47 tag). */
  readonly lang: string
  readonly business: Business
  /** The subject: the document's title and the heading. */
  readonly heading: string
  /** The inbox preview line (hidden in the message). */
  readonly preview: string
  /** The body as HTML (paragraphs and links, from body.ts). */
  readonly bodyHtml: string
  /** The body after the button, as HTML (empty: the button ends the body). */
  readonly bodyAfterHtml?: string
  readonly summary?: readonly SummaryRow[]
  readonly button?: { readonly url: string; readonly label: string }
  readonly footerNote: string
  readonly unsubscribe?: { readonly url: string; readonly label: string }
}

const BRAND_SENTINEL = /#010203/g
const ON_BRAND_SENTINEL = /#040506/g
const PLACEHOLDER = /@@([A-Z_]+)@@/g

/** Keeps or drops the optional part `name` (between IF_name and END_name; ELSE_name splits it). */
function part(html: string, name: string, keep: boolean): string {
  const start = html.indexOf(`<!--@@IF_${name}@@-->`)
  const end = html.indexOf(`<!--@@END_${name}@@-->`)
  if (start < 0 || end < start) throw new Error(`email layout has no part ${name}`)
  const inner = html.slice(start + `<!--@@IF_${name}@@-->`.length, end)
  const elseAt = inner.indexOf(`<!--@@ELSE_${name}@@-->`)
  const [yes, no] = elseAt < 0 ? [inner, ''] : [inner.slice(0, elseAt), inner.slice(elseAt + `<!--@@ELSE_${name}@@-->`.length)]
  return html.slice(0, start) + (keep ? yes : no) + html.slice(end + `<!--@@END_${name}@@-->`.length)
}

/** The summary box's rows as table rows. */
function summaryRows(rows: readonly SummaryRow[]): string {
  return rows
    .map((r) => `<tr><td style="color:#4a5260;padding:4px 12px 4px 0;vertical-align:top">${escapeHtml(r.label)}</td><td style="font-weight:700;padding:4px 0;text-align:right;vertical-align:top">${escapeHtml(r.value)}</td></tr>`)
    .join('')
}

/** The whole HTML document of one email. */
export function renderLayout(input: LayoutInput): string {
  let html = LAYOUT_HTML
  html = part(html, 'LOGO', !!input.business.logo_url)
  html = part(html, 'SUMMARY', !!input.summary?.length)
  html = part(html, 'BUTTON', !!input.button)
  html = part(html, 'UNSUBSCRIBE', !!input.unsubscribe)
  html = part(html, 'AFTER', !!input.bodyAfterHtml)
  const brand = normalizeColor(input.business.color)
  html = html.replace(BRAND_SENTINEL, brand).replace(ON_BRAND_SENTINEL, textOn(brand))
  const values: Record<string, string> = {
    LANG: escapeHtml(input.lang),
    TITLE: escapeHtml(input.heading),
    HEADING: escapeHtml(input.heading),
    PREVIEW: escapeHtml(input.preview),
    BUSINESS: escapeHtml(input.business.name),
    LOGO_URL: escapeHtml(input.business.logo_url ?? ''),
    ADDRESS: input.business.address ? escapeHtml(input.business.address).replace(/\r?\n/g, '<br>') : '',
    SUMMARY_ROWS: summaryRows(input.summary ?? []),
    BODY: input.bodyHtml,
    BODY_AFTER: input.bodyAfterHtml ?? '',
    BUTTON_URL: escapeHtml(input.button?.url ?? ''),
    BUTTON_LABEL: escapeHtml(input.button?.label ?? ''),
    FOOTER_NOTE: escapeHtml(input.footerNote),
    UNSUBSCRIBE_URL: escapeHtml(input.unsubscribe?.url ?? ''),
    UNSUBSCRIBE_LABEL: escapeHtml(input.unsubscribe?.label ?? ''),
  }
  return html.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole)
}
