// Reading a raw RFC 5322 message as an SMTP peer received it (no parser dependency): headers,
// multipart, quoted-printable and base64.

/** One leaf part of a message: its headers (lower-case names) and decoded body. */
export interface MimePart {
  readonly headers: Map<string, string>
  readonly body: string
}

/** Headers (unfolded, lower-case names) and body of a message or part. */
export function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const cut = raw.indexOf('\r\n\r\n')
  const head = cut < 0 ? raw : raw.slice(0, cut)
  const body = cut < 0 ? '' : raw.slice(cut + 4)
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { headers, body }
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    case 'quoted-printable': {
      const soft = body.replace(/=\r?\n/g, '')
      const bytes: number[] = []
      for (let i = 0; i < soft.length; i++) {
        if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
          bytes.push(parseInt(soft.slice(i + 1, i + 3), 16))
          i += 2
        } else bytes.push(...Buffer.from(soft[i]!, 'utf8'))
      }
      return Buffer.from(bytes).toString('utf8')
    }
    default:
      return body
  }
}

/** The leaf parts of a message (text/plain, text/html, …), decoded. */
export function leafParts(raw: string): MimePart[] {
  const { headers, body } = splitHead(raw)
  const type = headers.get('content-type') ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  if (!/^multipart\//i.test(type) || !boundary) return [{ headers, body: decodeBody(body, headers.get('content-transfer-encoding')) }]
  const sections = body.split(`--${boundary}`).slice(1)
  return sections.filter((s) => !s.startsWith('--')).flatMap((s) => leafParts(s.replace(/^\r\n/, '').replace(/\r\n$/, '')))
}

/** The decoded body of the first part of type `mime`. */
export function part(raw: string, mime: string): string | undefined {
  return leafParts(raw).find((p) => (p.headers.get('content-type') ?? '').toLowerCase().startsWith(mime))?.body
}

/** A header value with its RFC 2047 encoded words (`=?UTF-8?Q?f=C3=BCr?=`, `?B?`) decoded. */
export function decodeHeader(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
}
