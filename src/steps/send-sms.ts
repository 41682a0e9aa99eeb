import { z } from 'zod'
import { canonicalLocale, pickTranslation } from '../domain/locale.js'
import { isE164 } from '../domain/phone.js'
import { defineAction, type ActionInput } from './action.js'
import { deliver, skipDelivery } from './deliver.js'

const body = z.string().min(1, 'an SMS needs a body').max(1600)

const params = z.strictObject({
  to: z.string().min(1).optional(),
  body,
  /** The text in other languages, by tag (`de`, `es`); a customer whose locale has none gets `body`. */
  translations: z
    .record(
      z.string().refine((v) => canonicalLocale(v) !== undefined, 'each key must be a BCP 47 language tag such as de or es-MX'),
      z.strictObject({ body }),
    )
    .refine((t) => Object.keys(t).length <= 30, 'at most 30 translations')
    .optional(),
})

/** The recipient and text of the SMS, in the customer's language when the step has it. */
function compose({ params: p, data, render }: Pick<ActionInput<z.output<typeof params>>, 'params' | 'data' | 'render'>) {
  const locale = (data.customer as { locale?: string | null } | undefined)?.locale
  const t = pickTranslation(p.translations, locale)
  return { to: render(p.to ?? '{{ customer.phone }}').trim(), body: gsmSpaces(render(t?.body ?? p.body)) }
}

/**
 * Plain spaces for the no-break spaces locales put in money (`49,00 €`, `1 234,00 €`): they are
 * not in the GSM-7 alphabet, and one of them would make the whole SMS UCS-2, at 70 characters a segment.
 */
function gsmSpaces(text: string): string {
  return text.replace(/[\u00a0\u2007\u202f]/g, ' ')
}

/** Texts the customer (or `to`); skipped, with the reason recorded, when they opted out. */
export const sendSms = defineAction({
  type: 'send_sms',
  title: 'Send SMS',
  traits: { outside: true, customerMessage: true, address: 'phone', readsRecords: false, continuesOnError: false },
  params,
  templates: ['to', 'body', 'translations'],
  preview(input) {
    return compose(input)
  },
  async run(input) {
    const { to, body: text } = compose(input)
    const customer = input.data.customer as { sms_opt_out?: boolean } | undefined
    if (customer?.sms_opt_out) return skipDelivery(input, { filedAs: 'sms', to, body: text }, 'the customer opted out of SMS')
    if (!to) return skipDelivery(input, { filedAs: 'sms', to, body: text }, 'the customer has no phone number')
    if (!isE164(to)) {
      return skipDelivery(input, { filedAs: 'sms', to, body: text }, `"${to}" is not an E.164 phone number`)
    }
    return deliver(input, { kind: 'sms', filedAs: 'sms', to, body: text })
  },
})
