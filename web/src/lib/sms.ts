// GSM 03.38 basic character set and its extension table (extension chars cost two septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENDED = '^{}\\[~]|€\f'

const basic = new Set(GSM_BASIC)
const extended = new Set(GSM_EXTENDED)

export interface SmsCount {
  readonly encoding: 'GSM-7' | 'UCS-2'
  /** Characters as the network counts them (septets for GSM-7, UTF-16 units for UCS-2). */
  readonly units: number
  readonly segments: number
  /** Units a single segment holds at this length (160/153 or 70/67). */
  readonly perSegment: number
  /** Units left before the next segment starts. */
  readonly remaining: number
}

/** Counts SMS length and segments the way carriers bill them. */
export function countSms(text: string): SmsCount {
  let septets = 0
  let gsm = true
  for (const ch of text) {
    if (basic.has(ch)) septets += 1
    else if (extended.has(ch)) septets += 2
    else {
      gsm = false
      break
    }
  }
  const encoding = gsm ? 'GSM-7' : 'UCS-2'
  const units = gsm ? septets : text.length
  const single = gsm ? 160 : 70
  const multi = gsm ? 153 : 67
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi)
  const perSegment = segments > 1 ? multi : single
  const capacity = segments <= 1 ? single : segments * multi
  return { encoding, units, segments, perSegment, remaining: capacity - units }
}

/** What a short customer link looks like: `<public url>/l/` and 16 characters. */
export const SHORT_LINK_CODE_LENGTH = 16

/**
 * The SMS as the customer gets it, as far as the builder can tell before variables are filled in:
 * each `{{ links.* }}` becomes a short link as long as a real one (`<base>/l/<16 characters>`).
 */
export function withShortLinks(body: string, base: string): string {
  const link = `${base.replace(/\/+$/, '')}/l/${'x'.repeat(SHORT_LINK_CODE_LENGTH)}`
  return body.replace(/\{\{-?\s*links\.(?:update_payment|offer|unsubscribe)\s*-?\}\}/g, link)
}

/** Why a message costs more than one plain segment, in words; undefined when it fits one. */
export function smsWarning(c: SmsCount): string | undefined {
  if (c.encoding === 'UCS-2') {
    return `A character outside the GSM-7 alphabet makes this a UCS-2 message: ${c.perSegment} characters per segment instead of ${c.segments > 1 ? 153 : 160}.`
  }
  if (c.segments > 1) return `This message needs ${c.segments} segments: it costs ${c.segments} times as much and arrives split on many phones.`
  return undefined
}

/** The first characters that force UCS-2 (for the warning), at most `max`. */
export function nonGsmCharacters(text: string, max = 3): string[] {
  const found: string[] = []
  for (const ch of text) {
    if (!basic.has(ch) && !extended.has(ch) && !found.includes(ch)) found.push(ch)
    if (found.length >= max) break
  }
  return found
}

/**
 * The part of an SMS template the builder knows before a run fills it in: the text as written,
 * links as short links, other variables and tags left out. Its count is a lower bound.
 */
export function knownSmsText(body: string, base: string): string {
  return withShortLinks(body, base).replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, '')
}
