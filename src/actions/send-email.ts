import { z } from 'zod'
import { defineAction } from './action.js'
import { deliver, skipDelivery } from './deliver.js'

/** Emails the customer (or `to`): a subject and a body, both Liquid templates. */
export const sendEmail = defineAction({
  type: 'send_email',
  params: z.strictObject({
    to: z.string().min(1).optional(),
    subject: z.string().min(1, 'an email needs a subject').max(998),
    body: z.string().min(1, 'an email needs a body').max(100_000),
  }),
  templates: ['to', 'subject', 'body'],
  preview({ params, render }) {
    return { to: render(params.to ?? '{{ customer.email }}'), subject: render(params.subject), body: render(params.body) }
  },
  async run(input) {
    const { params, render } = input
    const to = render(params.to ?? '{{ customer.email }}').trim()
    const subject = render(params.subject)
    const body = render(params.body)
    if (!to) return skipDelivery(input, { filedAs: 'email', to: '', subject, body }, 'the customer has no email address')
    const customer = input.data.customer as { email?: string; email_opt_out?: boolean } | undefined
    if (customer?.email_opt_out && !params.to) {
      return skipDelivery(input, { filedAs: 'email', to, subject, body }, 'the customer unsubscribed from these emails')
    }
    const html = `<!doctype html><html><body><div style="font-family:sans-serif;white-space:pre-wrap">${render(params.body, { escapeHtml: true })}</div></body></html>`
    const links = input.data.links as Record<string, string> | undefined
    return deliver(input, {
      kind: 'email',
      filedAs: 'email',
      to,
      subject,
      body,
      html,
      meta: links?.unsubscribe ? { listUnsubscribe: links.unsubscribe } : undefined,
    })
  },
})
