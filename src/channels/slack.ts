// Team alerts through a Slack incoming webhook (`message.to` is the webhook URL).
import type { Channel, DeliveryResult, OutboundMessage } from './channel.js'
import { guardedRequest, requireSuccess } from './guarded-request.js'

export interface SlackChannelOptions {
  /** Give up on one request after this long (default 10 s); the step then retries. */
  readonly timeoutMs?: number
  /** Let the webhook URL point at loopback or private networks (tests, self-hosted Mattermost). */
  readonly allowPrivate?: boolean
}

// Slack's documented limits: a section's text is cut at 3000 characters, a header's at 150.
const SECTION_MAX = 3000
const HEADER_MAX = 150

type TextObject = { readonly type: 'plain_text' | 'mrkdwn'; readonly text: string }
type Block =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text: TextObject }
  | { readonly type: 'context'; readonly elements: readonly TextObject[] }
  | {
      readonly type: 'actions'
      readonly elements: readonly { type: 'button'; text: TextObject; url: string; action_id: string }[]
    }

/** The incoming-webhook payload: fallback `text` plus a Block Kit message. */
export interface SlackPayload {
  readonly text: string
  readonly blocks: readonly Block[]
}

/** Builds the payload: optional header (subject), the message as mrkdwn, and a "View run" button when `meta.runUrl` is given. */
export function slackPayload(message: OutboundMessage): SlackPayload {
  const body = escapeMrkdwn(message.body.trim() === '' ? '(empty message)' : message.body)
  const subject = message.subject?.trim()
  const runUrl = typeof message.meta?.runUrl === 'string' ? safeUrl(message.meta.runUrl) : undefined
  const blocks: Block[] = []
  if (subject !== undefined && subject !== '') {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(subject, HEADER_MAX) } })
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(body, SECTION_MAX) } })
  if (runUrl !== undefined) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'View run' }, url: runUrl, action_id: 'recoup_view_run' }],
    })
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Recoup · <${runUrl}|open the run in the dashboard>` }] })
  }
  const text = subject !== undefined && subject !== '' ? `${escapeMrkdwn(subject)}: ${body}` : body
  return { text, blocks }
}

/** Posts team alerts to Slack incoming webhooks. */
export function createSlackChannel(options: SlackChannelOptions = {}): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000
  const allowPrivate = options.allowPrivate ?? false
  return {
    kind: 'slack',
    async send(message: OutboundMessage): Promise<DeliveryResult> {
      const response = await guardedRequest({
        url: message.to,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(slackPayload(message)),
        timeoutMs,
        allowPrivate,
        service: 'Slack',
      })
      requireSuccess(response, 'Slack', 200)
      // Incoming webhooks give no message id; the idempotency key is what ties the alert to its step.
      return { status: 'sent', providerId: message.idempotencyKey }
    },
  }
}

// Rendered text carries customer data: unescaped, a name like "<!channel>" would page the whole channel.
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function safeUrl(value: string): string | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href.replace(/[<>|]/g, encodeURIComponent) : undefined
  } catch {
    return undefined
  }
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  // Do not leave half an escape (`&am`) at the cut.
  return `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`
}

