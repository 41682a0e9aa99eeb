import { describe, expect, it } from 'vitest'
import { canonicalLocale, firstLocale, localeSchema, pickTranslation, uiLanguage } from './locale.js'

describe('locale', () => {
  it('canonicalizes BCP 47 tags and refuses what is not one', () => {
    expect(canonicalLocale('DE-at')).toBe('de-AT')
    expect(canonicalLocale('es-419')).toBe('es-419')
    expect(canonicalLocale('de_DE')).toBeUndefined()
    expect(canonicalLocale('')).toBeUndefined()
    expect(localeSchema.safeParse('x-').success).toBe(false)
    expect(localeSchema.parse('EN-gb')).toBe('en-GB')
  })
  it('picks the exact translation, then the language, then none', () => {
    const t = { de: 'Hallo', 'de-AT': 'Servus', ES: 'Hola' }
    expect(pickTranslation(t, 'de-AT')).toBe('Servus')
    expect(pickTranslation(t, 'de-CH')).toBe('Hallo')
    expect(pickTranslation(t, 'es-MX')).toBe('Hola')
    expect(pickTranslation(t, 'fr')).toBeUndefined()
    expect(pickTranslation(t, null)).toBeUndefined()
    expect(pickTranslation(undefined, 'de')).toBeUndefined()
  })
  it("chooses Recoup's own language for a customer, English when it has none of theirs", () => {
    expect(uiLanguage('de-AT')).toBe('de')
    expect(uiLanguage('es')).toBe('es')
    expect(uiLanguage('fr-FR')).toBe('en')
    expect(uiLanguage(null)).toBe('en')
    expect(firstLocale(['nope_x', 'pt-BR', 'de'])).toBe('pt-BR')
    expect(firstLocale([])).toBeUndefined()
  })
})
