import { describe, expect, it } from 'vitest'
import { countSms, knownSmsText, nonGsmCharacters, smsWarning, withShortLinks } from './sms'

describe('countSms', () => {
  it('counts an empty message as no segments', () => {
    expect(countSms('')).toMatchObject({ segments: 0, units: 0, remaining: 160 })
  })
  it('fits 160 GSM characters in one segment and splits at 153 after', () => {
    expect(countSms('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, remaining: 0 })
    expect(countSms('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 })
    expect(countSms('a'.repeat(306))).toMatchObject({ segments: 2, remaining: 0 })
    expect(countSms('a'.repeat(307))).toMatchObject({ segments: 3 })
  })
  it('counts extension characters as two', () => {
    expect(countSms('€{}')).toMatchObject({ encoding: 'GSM-7', units: 6 })
  })
  it('switches to UCS-2 for other characters', () => {
    expect(countSms('Olá 👋')).toMatchObject({ encoding: 'UCS-2', units: 6, segments: 1, remaining: 64 })
    expect(countSms('ж'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2, perSegment: 67 })
  })
})

describe('withShortLinks', () => {
  it('counts each link as a real short link: <base>/l/ and 16 characters', () => {
    const body = 'Acme: your payment is due. Update your card: {{ links.update_payment }}'
    const text = withShortLinks(body, 'https://billing.acme-cloud.com/')
    expect(text).toBe(`Acme: your payment is due. Update your card: https://billing.acme-cloud.com/l/${'x'.repeat(16)}`)
    expect(countSms(text).units).toBe(body.length - '{{ links.update_payment }}'.length + 49)
    expect(withShortLinks('{{links.offer}} and {{- links.unsubscribe -}}', 'http://a.b')).toBe(`http://a.b/l/${'x'.repeat(16)} and http://a.b/l/${'x'.repeat(16)}`)
  })
})

describe('smsWarning', () => {
  it('warns when a message needs two segments or UCS-2, and names the characters', () => {
    expect(smsWarning(countSms('a'.repeat(160)))).toBeUndefined()
    expect(smsWarning(countSms('a'.repeat(161)))).toMatch(/needs 2 segments/)
    expect(smsWarning(countSms('Tu pago está pendiente'))).toMatch(/UCS-2/)
    expect(nonGsmCharacters('Tu pago está pendiente, aquí')).toEqual(['á', 'í'])
  })
})


describe('knownSmsText', () => {
  it('keeps the written text and short links, and leaves other variables and tags out', () => {
    expect(knownSmsText('{{ business.name }}: {% if x %}due{% endif %} {{ links.offer }}', 'https://a.b')).toBe(`: due https://a.b/l/${'x'.repeat(16)}`)
  })
})
