import { z } from 'zod'
import { BRAND_COLOR, DEFAULT_BUSINESS, type Business } from '../domain/business.js'
import { canonicalLocale, pickTranslation, uiLanguage } from '../domain/locale.js'
import { parseMailbox } from '../email/address.js'
import { composeEmail } from '../email/compose.js'
import { EMAIL_COPY, type EmailCopy } from '../email/copy.js'
import type { SummaryRow } from '../email/layout.js'
import { defineAction, type ActionInput } from './action.js'
import { deliver, skipDelivery } from './deliver.js'

const subject = z.string().min(1, 'an email needs a subject').max(998)
const body = z.string().min(1, 'an email needs a body').max(100_000)
const buttonLabel = z.string().min(1).max(200)

const params = z.strictObject({
  to: z.string().min(1).optional(),
  subject,
  body,
  /** `html` (default): the branded layout with a text part; `text`: the body alone, as plain text. */
  format: z.enum(['html', 'text']).optional(),
  /**
   * The primary button. By default the body's main link (`links.update_payment`: "Update card",
   * else `links.offer`: "See your offer"); `url` and `label` (templates) change it; false: none.
   */
  button: z.union([z.literal(false), z.strictObject({ url: z.string().min(1).max(2000).optional(), label: buttonLabel.optional() })]).optional(),
  /** The summary box (product, amount, due date); default true. */
  summary: z.boolean().optional(),
  /** This workflow's own brand, over the configured one (RECOUP_BUSINESS_NAME, RECOUP_BRAND_*). */
  brand: z
    .strictObject({
      name: z.string().trim().min(1).max(100).optional(),
      logo_url: z.url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
      color: z.string().regex(BRAND_COLOR, 'must be a hex colour such as #1d4ed8').optional(),
      address: z.string().trim().min(1).max(500).optional(),
    })
    .optional(),
  reply_to: z.string().refine((v) => parseMailbox(v) !== undefined, 'must be an email address, optionally with a name: Acme Support <help@acme.com>').optional(),
  /** The language `subject` and `body` are written in (default en): the layout's words follow it. */
  language: z.string().refine((v) => canonicalLocale(v) !== undefined, 'must be a BCP 47 language tag such as en or de').optional(),
  /** The message in other languages, by tag (`de`, `es`, `pt-BR`); a customer whose locale has none gets the default. */
  translations: z
    .record(
      z.string().refine((v) => canonicalLocale(v) !== undefined, 'each key must be a BCP 47 language tag such as de or es-MX'),
      z.strictObject({ subject: subject.optional(), body: body.optional(), button_label: buttonLabel.optional() }),
    )
    .refine((t) => Object.keys(t).length <= 30, 'at most 30 translations')
    .optional(),
})
type Params = z.output<typeof params>

// The links a body may name that make its button, in order of preference.
const MAIN_LINKS = [
  ['update_payment', (c: EmailCopy) => c.updateCard],
  ['offer', (c: EmailCopy) => c.seeOffer],
] as const

/** The email a step sends, rendered for its customer (translation, layout and all). */
function compose(input: Pick<ActionInput<Params>, 'params' | 'data' | 'render'>) {
  const { params: p, data, render } = input
  const customer = data.customer as { email?: string; email_opt_out?: boolean; locale?: string | null } | undefined
  const locale = customer?.locale ?? undefined
  const t = pickTranslation(p.translations, locale)
  const lang = (t && locale) || p.language || 'en'
  const copy = EMAIL_COPY[uiLanguage(lang)]
  const to = render(p.to ?? '{{ customer.email }}').trim()
  const subjectText = render(t?.subject ?? p.subject).replace(/[\r\n]+/g, ' ').trim()
  const bodySource = t?.body ?? p.body
  const bodyText = render(bodySource)
  const links = data.links as Record<string, string> | undefined
  if (p.format === 'text') return { to, subject: subjectText, body: bodyText, text: bodyText, html: undefined, links }
  const button = buttonOf(input, bodySource, copy, t?.button_label)
  const business: Business = { ...DEFAULT_BUSINESS, ...(data.business as Business | undefined), ...p.brand }
  const { html, text } = composeEmail({
    business,
    copy,
    lang,
    subject: subjectText,
    body: bodyText,
    ...(button ? { button } : {}),
    ...(p.summary === false ? {} : { summary: summaryOf(input, copy) }),
    ...(links?.unsubscribe ? { unsubscribeUrl: links.unsubscribe } : {}),
  })
  return { to, subject: subjectText, body: bodyText, text, html, links }
}

/** The button: the step's own, or the body's main link with its usual label; none when there is neither. */
function buttonOf(input: Pick<ActionInput<Params>, 'params' | 'data' | 'render'>, bodySource: string, copy: EmailCopy, translatedLabel: string | undefined) {
  const { params: p, data, render } = input
  if (p.button === false) return undefined
  const label = translatedLabel ?? p.button?.label
  if (p.button?.url) {
    const url = render(p.button.url).trim()
    return url ? { url, label: label ? render(label) : copy.openLink } : undefined
  }
  const main = MAIN_LINKS.find(([name]) => new RegExp(`\\blinks\\.${name}\\b`).test(bodySource))
  if (!main) return undefined
  const url = (data.links as Record<string, string> | undefined)?.[main[0]]
  return url ? { url, label: label ? render(label) : main[1](copy) } : undefined
}

/** The summary box: the product, what is owed, and since when. */
function summaryOf(input: Pick<ActionInput<Params>, 'data' | 'render'>, copy: EmailCopy): SummaryRow[] {
  const d = input.data as { product?: { name?: unknown }; payment?: { amount?: unknown }; installment_plan?: { balance_due?: unknown }; event?: { occurred_at?: unknown } }
  const rows: SummaryRow[] = []
  if (typeof d.product?.name === 'string' && d.product.name) rows.push({ label: copy.product, value: d.product.name })
  if (typeof d.payment?.amount === 'number') {
    rows.push({ label: copy.amountDue, value: input.render('{{ payment.amount | money }}') })
    if (typeof d.event?.occurred_at === 'string') rows.push({ label: copy.dueDate, value: input.render('{{ event.occurred_at | date: "long" }}') })
  } else if (typeof d.installment_plan?.balance_due === 'number') {
    rows.push({ label: copy.balanceDue, value: input.render('{{ installment_plan.balance_due | money }}') })
  }
  return rows
}

/**
 * Emails the customer (or `to`): a subject and a body, both Liquid templates, in the customer's
 * language when the step has it, in the branded layout with one button (or as plain text).
 */
export const sendEmail = defineAction({
  type: 'send_email',
  title: 'Send email',
  traits: { outside: true, customerMessage: true, address: 'email', readsRecords: false, continuesOnError: false },
  params,
  templates: ['to', 'subject', 'body', 'button', 'translations'],
  preview(input) {
    const c = compose(input)
    return { to: c.to, subject: c.subject, body: c.body, ...(c.html ? { text: c.text, html: c.html } : {}) }
  },
  async run(input) {
    const c = compose(input)
    const filed = { filedAs: 'email' as const, to: c.to, subject: c.subject, body: c.body }
    if (!c.to) return skipDelivery(input, { ...filed, to: '' }, 'the customer has no email address')
    const customer = input.data.customer as { email_opt_out?: boolean } | undefined
    if (customer?.email_opt_out && !input.params.to) return skipDelivery(input, filed, 'the customer unsubscribed from these emails')
    const meta = {
      ...(c.links?.unsubscribe ? { listUnsubscribe: c.links.unsubscribe } : {}),
      ...(input.params.reply_to ? { replyTo: input.params.reply_to } : {}),
    }
    return deliver(input, { kind: 'email', ...filed, ...(c.html ? { text: c.text, html: c.html } : {}), ...(Object.keys(meta).length ? { meta } : {}) })
  },
})
