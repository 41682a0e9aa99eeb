import { ConfigError } from '../domain/errors.js'
import type { Channel, Channels } from './channel.js'
import { createSlackChannel } from './slack.js'
import { createSmtpChannel } from './smtp-email.js'
import { createTwilioChannel } from './twilio-sms.js'
import { createWebhookChannel } from './webhook.js'

export interface ChannelsConfig {
  /** RECOUP_SMTP_URL; unset → email stays in the outbox. */
  readonly smtpUrl?: string
  /** RECOUP_EMAIL_FROM */
  readonly emailFrom?: string
  /** RECOUP_EMAIL_REPLY_TO */
  readonly emailReplyTo?: string
  /** RECOUP_TWILIO_*; unset → SMS stay in the outbox. */
  readonly twilio?: {
    readonly accountSid: string
    readonly authToken: string
    readonly from: string
    readonly apiBase?: string
  }
  /** RECOUP_WEBHOOK_SECRET (`whsec_…`). */
  readonly webhookSecret?: string
  /** RECOUP_WEBHOOK_ALLOW_PRIVATE; also lets Slack URLs reach private addresses. */
  readonly webhookAllowPrivate?: boolean
}

// Used only when RECOUP_EMAIL_FROM is unset, so a configured SMTP server still gets a valid sender.
const DEFAULT_FROM = 'Recoup <recoup@localhost>'

/** The delivery channels for a config: email and SMS only when configured, Slack and webhooks always. */
export function buildChannels(config: ChannelsConfig): Channels {
  const allowPrivate = config.webhookAllowPrivate ?? false
  return {
    ...(config.smtpUrl !== undefined && config.smtpUrl !== ''
      ? { email: createSmtpChannel({ url: config.smtpUrl, from: config.emailFrom ?? DEFAULT_FROM, ...(config.emailReplyTo ? { replyTo: config.emailReplyTo } : {}) }) }
      : {}),
    ...(config.twilio !== undefined ? { sms: createTwilioChannel(config.twilio) } : {}),
    slack: createSlackChannel({ allowPrivate }),
    webhook: webhookChannel(config.webhookSecret, allowPrivate),
  }
}

function webhookChannel(defaultSecret: string | undefined, allowPrivate: boolean): Channel {
  try {
    return createWebhookChannel({ defaultSecret, allowPrivate })
  } catch {
    // Caught at start-up rather than on the first delivery; the secret itself is never echoed.
    throw new ConfigError('RECOUP_WEBHOOK_SECRET must be "whsec_" followed by base64 (Standard Webhooks format)')
  }
}

/** Closes every channel that holds resources (the SMTP pool). */
export async function closeChannels(channels: Channels): Promise<void> {
  await Promise.all(Object.values(channels).map((channel) => channel?.close?.()))
}

export { assertPublicAddress } from './address-guard.js'
export { signWebhook } from './webhook.js'
export type { Channel, Channels, DeliveryResult, OutboundMessage } from './channel.js'
