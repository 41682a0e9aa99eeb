import { escapeHtml } from '../templates/render.js'

// A message body as its author writes it: plain text where a blank line starts a new paragraph and
// a line break is kept, and web addresses become links. The HTML part and the text part come from
// this same text.

// An http(s) address up to whitespace or markup; punctuation that ends a sentence is not part of it.
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g
const TRAILING = /[.,;:!?)\]'’]+$/

/** The text's paragraphs, each a list of lines (CRLF or LF; trailing spaces dropped). */
export function paragraphs(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.split('\n').map((l) => l.trimEnd()))
    .map((lines) => lines.filter((l, i) => l !== '' || (i > 0 && i < lines.length - 1)))
    .filter((lines) => lines.some((l) => l.trim() !== ''))
}

/** One line as HTML: escaped, its web addresses as links. */
function lineHtml(line: string, linkColor: string): string {
  let out = ''
  let at = 0
  for (const m of line.matchAll(URL_IN_TEXT)) {
    const url = m[0].replace(TRAILING, '')
    out += escapeHtml(line.slice(at, m.index)) + `<a href="${escapeHtml(url)}" style="color:${linkColor};text-decoration:underline;word-break:break-all">${escapeHtml(url)}</a>`
    at = m.index + url.length
  }
  return out + escapeHtml(line.slice(at))
}

/** The body as HTML paragraphs. */
export function bodyHtml(text: string, options: { linkColor: string }): string {
  return paragraphs(text)
    .map((lines) => `<p style="margin:0 0 16px">${lines.map((l) => lineHtml(l, options.linkColor)).join('<br>\n')}</p>`)
    .join('\n')
}

/**
 * The text before and after the first line that is nothing but `url`: the button stands there, so
 * the link appears once. No such line: all of it is before (the button follows the body).
 */
export function splitAtLink(text: string, url: string): { before: string; after: string } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const at = lines.findIndex((l) => l.trim() === url)
  if (at < 0) return { before: text, after: '' }
  return { before: lines.slice(0, at).join('\n'), after: lines.slice(at + 1).join('\n') }
}

/** The first sentence-ish of the body, for the inbox preview line. */
export function previewLine(text: string, max = 140): string {
  const flat = text.replace(URL_IN_TEXT, '').replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`
}
