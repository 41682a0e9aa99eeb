import { z } from 'zod'
import { defineAction } from './action.js'
import { deliver, skipDelivery } from './deliver.js'

/** Texts the customer (or `to`); skipped, with the reason recorded, when they opted out. */
export const sendSms = defineAction({
  type: 'send_sms',
  params: z.strictObject({
    to: z.string().min(1).optional(),
    body: z.string().min(1, 'an SMS needs a body').max(1600),
  }),
  templates: ['to', 'body'],
  preview({ params, render }) {
    return { to: render(params.to ?? '{{ customer.phone }}'), body: render(params.body) }
  },
  async run(input) {
    const { params, render } = input
    const to = render(params.to ?? '{{ customer.phone }}').trim()
    const body = render(params.body)
    const customer = input.data.customer as { sms_opt_out?: boolean } | undefined
    if (customer?.sms_opt_out) return skipDelivery(input, { filedAs: 'sms', to, body }, 'the customer opted out of SMS')
    if (!to) return skipDelivery(input, { filedAs: 'sms', to, body }, 'the customer has no phone number')
    if (!/^\+[1-9]\d{6,14}$/.test(to)) {
      return skipDelivery(input, { filedAs: 'sms', to, body }, `"${to}" is not an E.164 phone number`)
    }
    return deliver(input, { kind: 'sms', filedAs: 'sms', to, body })
  },
})
