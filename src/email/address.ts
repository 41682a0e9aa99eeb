// RFC 5322 mailboxes as Recoup's settings take them: `billing@acme.com`, `Acme Billing <billing@acme.com>`
// or `"Acme, Inc." <billing@acme.com>`. Enough of the grammar for a sender, not a full parser.

export interface Mailbox {
  /** The display name, unquoted; absent for a bare address. */
  readonly name?: string
  readonly address: string
}

const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/
const NAMED = /^\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^"<>\r\n]*?))\s*<([^<>\s]+)>\s*$/

/** The mailbox `text` names, or undefined when it is not one. */
export function parseMailbox(text: string): Mailbox | undefined {
  const bare = text.trim()
  if (ADDRESS.test(bare)) return { address: bare }
  const m = NAMED.exec(text)
  if (!m || !ADDRESS.test(m[3]!)) return undefined
  const name = (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!).trim()
  return name ? { name, address: m[3]! } : { address: m[3]! }
}
