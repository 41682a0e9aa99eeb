import { describe, expect, it } from 'vitest'
import { parseMailbox } from './address.js'

describe('parseMailbox', () => {
  it('reads bare addresses and display names, quoted or not', () => {
    expect(parseMailbox('billing@acme.com')).toEqual({ address: 'billing@acme.com' })
    expect(parseMailbox('Acme Billing <billing@acme.com>')).toEqual({ name: 'Acme Billing', address: 'billing@acme.com' })
    expect(parseMailbox('"Acme, Inc. \\"Billing\\"" <billing@acme.com>')).toEqual({ name: 'Acme, Inc. "Billing"', address: 'billing@acme.com' })
    expect(parseMailbox('<billing@acme.com>')).toEqual({ address: 'billing@acme.com' })
  })
  it('refuses what is not one mailbox', () => {
    for (const bad of ['', 'acme', 'Acme <billing>', 'a@b.com, c@d.com', 'Acme <a@b.com> x', 'Acme\r\nBcc: x@y.com <a@b.com>', '"Acme <a@b.com>']) {
      expect(parseMailbox(bad), bad).toBeUndefined()
    }
  })
})
