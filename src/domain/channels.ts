// The names of Recoup's delivery mechanisms and of what messages are filed under, declared once:
// the channel seam, the messages repository and the API's message filter derive from these lists.

/** Delivery mechanisms: one `Channel` each (a missing one keeps messages in the outbox). */
export const CHANNEL_KINDS = ['email', 'sms', 'slack', 'webhook'] as const
export type ChannelKind = (typeof CHANNEL_KINDS)[number]

/**
 * What a message is filed under: a customer channel by its kind, or `team` for an alert to the
 * team (by email, Slack or webhook), so the customer's history and the team's are told apart.
 */
export const MESSAGE_CHANNELS = ['email', 'sms', 'team', 'webhook'] as const
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number]
