import { z } from 'zod'

// Customers' languages. A customer's `locale` is a BCP 47 tag (`de`, `de-AT`, `es-MX`); messages
// pick the step's translation for it, money and dates are formatted in it, and portal pages and
// the email layout speak it when Recoup has their words in that language.

/** Languages Recoup's own words (email layout, portal pages, starter workflows) are written in. */
export const UI_LANGUAGES = ['en', 'de', 'es'] as const
export type UiLanguage = (typeof UI_LANGUAGES)[number]

/** The canonical form of a BCP 47 tag (`DE-at` → `de-AT`), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  if (tag.length === 0 || tag.length > 35) return undefined
  try {
    return Intl.getCanonicalLocales(tag)[0]
  } catch {
    return undefined
  }
}

/** A locale as the API, events and step translations accept it; stored in canonical form. */
export const localeSchema = z
  .string()
  .max(35)
  .transform((tag, ctx) => {
    const canonical = canonicalLocale(tag)
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en, de or es-MX' })
      return z.NEVER
    }
    return canonical
  })

/** The language of a tag: `de-AT` → `de`. */
export function languageOf(locale: string): string {
  return locale.split('-')[0]!.toLowerCase()
}

/** Which of Recoup's own languages to use for a customer (English when theirs is not one). */
export function uiLanguage(locale: string | null | undefined): UiLanguage {
  const lang = locale ? languageOf(locale) : 'en'
  return (UI_LANGUAGES as readonly string[]).includes(lang) ? (lang as UiLanguage) : 'en'
}

/**
 * The translation for a customer's locale: the exact tag (`de-AT`), else its language (`de`),
 * else none (the step's own text is the default). Keys are compared case-insensitively.
 */
export function pickTranslation<T>(translations: Readonly<Record<string, T>> | undefined, locale: string | null | undefined): T | undefined {
  if (!translations || !locale) return undefined
  const byKey = new Map(Object.entries(translations).map(([k, v]) => [k.toLowerCase(), v]))
  return byKey.get(locale.toLowerCase()) ?? byKey.get(languageOf(locale))
}

/** The first of a customer's preferred languages that is a valid tag (Stripe's `preferred_locales`). */
export function firstLocale(tags: readonly string[] | null | undefined): string | undefined {
  for (const tag of tags ?? []) {
    const canonical = canonicalLocale(tag)
    if (canonical) return canonical
  }
  return undefined
}
