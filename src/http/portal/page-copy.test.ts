import { describe, expect, it } from 'vitest'
import { PAGE_COPY, pageLanguage } from './page-copy.js'

describe('portal page language', () => {
  it("is the customer's, else the browser's first one Recoup speaks, else English", () => {
    expect(pageLanguage('de-AT')).toBe('de')
    expect(pageLanguage('fr', 'de')).toBe('en')
    expect(pageLanguage(null, 'fr-CA, es-MX;q=0.8, de;q=0.9')).toBe('de')
    expect(pageLanguage(undefined, 'es;q=0, en;q=0.1')).toBe('en')
    expect(pageLanguage(undefined, ['pt-BR', 'es'])).toBe('es')
    expect(pageLanguage(undefined)).toBe('en')
  })
  it('has every phrase in every language', () => {
    const keys = Object.keys(PAGE_COPY.en).sort()
    for (const lang of ['de', 'es'] as const) expect(Object.keys(PAGE_COPY[lang]).sort()).toEqual(keys)
  })
})
