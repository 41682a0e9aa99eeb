import { z } from 'zod'
import { defineAction } from './action.js'
import { deliver } from './deliver.js'

/** One mailbox, as people type it (the SMTP server has the last word). */
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/

const params = z
  .strictObject({
    channel: z.enum(['email', 'slack', 'webhook']),
    to: z.string().min(1).optional(),
    url: z.url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
    subject: z.string().min(1).max(998).optional(),
    message: z.string().min(1, 'a team alert needs a message').max(40_000),
  })
  .superRefine((p, ctx) => {
    if (p.channel === 'email' && !p.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'an email alert needs "to"' })
    // Typed addresses are checked when saved; a template ({{ … }}) is checked when it renders.
    const typed = p.channel === 'email' && p.to && !p.to.includes('{{') ? p.to.split(',').map((a) => a.trim()) : []
    const bad = typed.find((a) => !EMAIL.test(a))
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `"${bad}" is not an email address; write one such as finance@yourcompany.com (several: separate them with commas)` })
    }
    if (p.channel !== 'email' && !p.url) ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${p.channel} alert needs "url"` })
  })

/** Alerts an internal team by email, Slack incoming webhook, or a signed webhook. */
export const notifyTeam = defineAction({
  type: 'notify_team',
  title: 'Alert the team',
  traits: { outside: true, customerMessage: false, readsRecords: false, continuesOnError: true, callsUrl: {} },
  params,
  templates: ['to', 'subject', 'message'],
  preview({ params: p, render }) {
    return { channel: p.channel, to: p.channel === 'email' ? render(p.to ?? '') : p.url, message: render(p.message) }
  },
  async run(input) {
    const { params: p, render } = input
    const message = render(p.message)
    if (p.channel === 'email') {
      const title = render(p.subject ?? '[Recoup] {{ workflow.name }}')
      return deliver(input, { kind: 'email', filedAs: 'team', to: render(p.to!), subject: title, body: `${message}\n\nRun: ${input.runUrl}` })
    }
    const subject = p.subject ? render(p.subject) : undefined
    if (p.channel === 'slack') {
      return deliver(input, { kind: 'slack', filedAs: 'team', to: p.url!, subject, body: message, meta: { runUrl: input.runUrl } })
    }
    const body = JSON.stringify({ type: 'recoup.team_alert', ...(subject ? { subject } : {}), message, run_id: input.runId, run_url: input.runUrl, customer_id: input.customerId })
    return deliver(input, { kind: 'webhook', filedAs: 'team', to: p.url!, body })
  },
})
