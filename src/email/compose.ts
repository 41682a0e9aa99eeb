import type { Business } from '../domain/business.js'
import { bodyHtml, previewLine, splitAtLink } from './body.js'
import type { EmailCopy } from './copy.js'
import { renderLayout, type SummaryRow } from './layout.js'

/** Everything a customer email says, rendered (templates already filled in). */
export interface EmailContent {
  readonly business: Business
  /** The words of the layout, in the message's language. */
  readonly copy: EmailCopy
  /** The message's language (`lang` of the HTML). */
  readonly lang: string
  readonly subject: string
  /** The body as its author wrote it: paragraphs, line breaks, bare web addresses. */
  readonly body: string
  readonly button?: { readonly url: string; readonly label: string }
  readonly summary?: readonly SummaryRow[]
  readonly unsubscribeUrl?: string
}

/**
 * The HTML part (the branded layout with one button) and the text part of an email, from one
 * source. The text part writes each link out once: the button's after the body unless the body
 * already has it, the unsubscribe link in the footer unless the body already has it.
 */
export function composeEmail(c: EmailContent): { html: string; text: string } {
  const body = c.body.replace(/\r\n?/g, '\n').trim()
  const { before, after } = c.button ? splitAtLink(body, c.button.url) : { before: body, after: '' }
  const html = renderLayout({
    lang: c.lang,
    business: c.business,
    heading: c.subject,
    preview: previewLine(body),
    bodyHtml: bodyHtml(before, { linkColor: c.business.color }),
    ...(after.trim() ? { bodyAfterHtml: bodyHtml(after, { linkColor: c.business.color }) } : {}),
    ...(c.summary?.length ? { summary: c.summary } : {}),
    ...(c.button ? { button: c.button } : {}),
    footerNote: c.copy.footerNote(c.business.name),
    ...(c.unsubscribeUrl ? { unsubscribe: { url: c.unsubscribeUrl, label: c.copy.unsubscribe } } : {}),
  })
  const lines = [body]
  if (c.button && !body.includes(c.button.url)) lines.push('', `${c.button.label}: ${c.button.url}`)
  lines.push('', '-- ', c.business.name)
  if (c.business.address) lines.push(c.business.address)
  lines.push(c.copy.footerNote(c.business.name))
  if (c.unsubscribeUrl && !body.includes(c.unsubscribeUrl)) lines.push(`${c.copy.unsubscribe}: ${c.unsubscribeUrl}`)
  return { html, text: `${lines.join('\n')}\n` }
}
