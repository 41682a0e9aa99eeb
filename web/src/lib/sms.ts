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
