// The seam between actions and the outside world. An action renders a message; a channel delivers it.
// Channels throw PermanentError (do not retry) or RetryLaterError / any other Error (retry with backoff).

import type { ChannelKind } from '../domain/channels.js'

export type { ChannelKind }

/** A message ready to deliver: every template already rendered. */
export interface OutboundMessage {
  readonly kind: ChannelKind
  /** Email address, E.164 phone number, or URL (slack / webhook). */
  readonly to: string
  readonly subject?: string
  /** Plain text body (email text part, SMS text, Slack fallback text, or JSON text for webhooks). */
  readonly body: string
  /** Optional HTML part for email. */
  readonly html?: string
  /** Stable across retries of the same step: `run_id:step_id`. Providers that accept one get it. */
  readonly idempotencyKey: string
  /** Extra, channel-specific data (e.g. Slack blocks, webhook secret, List-Unsubscribe URL). */
  readonly meta?: Readonly<Record<string, unknown>>
}

/** What a delivery achieved: `sent` by a provider, or kept in the `outbox` because none is configured. */
export interface DeliveryResult {
  readonly status: 'sent' | 'outbox'
  readonly providerId?: string
}

/** One delivery mechanism. */
export interface Channel {
  readonly kind: ChannelKind
  send(message: OutboundMessage): Promise<DeliveryResult>
  close?(): Promise<void>
}

/** The channels an app was built with; a missing one means "outbox only". */
export type Channels = { readonly [K in ChannelKind]?: Channel }

/** Keeps the message in the outbox: the no-configuration default for every kind. */
export function outboxChannel(kind: ChannelKind): Channel {
  return {
    kind,
    async send() {
      return { status: 'outbox' }
    },
  }
}
