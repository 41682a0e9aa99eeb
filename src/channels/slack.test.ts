import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import type { Channel, OutboundMessage } from './channel.js'
import { startLocalHttpReceiver, type LocalHttpReceiver } from './local-http-receiver.js'
import { createSlackChannel, slackPayload } from './slack.js'

function alert(receiver: LocalHttpReceiver, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    kind: 'slack',
    to: `${receiver.url}/services/T000/B000/XXXXSECRETPATH`,
    body: 'ada@example.com failed a *Pro* payment of $49.00',
    idempotencyKey: 'run_1:alert-finance',
    ...overrides,
  }
}

describe('slack channel', () => {
  let slack: LocalHttpReceiver
  let channel: Channel

  beforeAll(async () => {
    slack = await startLocalHttpReceiver({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' })
    channel = createSlackChannel({ allowPrivate: true })
  })
  afterAll(() => slack.close())
  beforeEach(() => {
    slack.requests.length = 0
  })

  it('POSTs fallback text and a Block Kit message with a button to the run', async () => {
    const result = await channel.send(
      alert(slack, { subject: 'Payment failed', meta: { runUrl: 'http://127.0.0.1:8080/runs/run_1' } }),
    )
    expect(result.status).toBe('sent')

    const [request] = slack.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/services/T000/B000/XXXXSECRETPATH')
    expect(request?.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(request!.body)).toEqual({
      text: 'Payment failed: ada@example.com failed a *Pro* payment of $49.00',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Payment failed' } },
        { type: 'section', text: { type: 'mrkdwn', text: 'ada@example.com failed a *Pro* payment of $49.00' } },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'View run' },
              url: 'http://127.0.0.1:8080/runs/run_1',
              action_id: 'recoup_view_run',
            },
          ],
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'Recoup · <http://127.0.0.1:8080/runs/run_1|open the run in the dashboard>' }],
        },
      ],
    })
  })

  it('sends just the section when there is no subject or run link', async () => {
    await channel.send(alert(slack))
    const payload = JSON.parse(slack.requests[0]!.body) as { blocks: { type: string }[] }
    expect(payload.blocks.map((b) => b.type)).toEqual(['section'])
  })

  it('fails permanently on 404 no_service, without showing the secret webhook URL', async () => {
    slack.answerNext({ status: 404, body: 'no_service' })
    const error = await channel.send(alert(slack)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain('no_service')
    expect((error as Error).message).not.toContain('XXXXSECRETPATH')
  })

  it('retries later on 429 with Retry-After and on 500', async () => {
    slack.answerNext({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, { status: 500, body: 'rollup_error' })
    const limited = await channel.send(alert(slack)).catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RetryLaterError)
    expect((limited as RetryLaterError).afterMs).toBe(2_000)
    await expect(channel.send(alert(slack))).rejects.toBeInstanceOf(RetryLaterError)
  })

  it('refuses a private webhook URL unless allowed', async () => {
    await expect(createSlackChannel().send(alert(slack))).rejects.toBeInstanceOf(PermanentError)
    expect(slack.requests).toHaveLength(0)
  })
})

describe('slackPayload', () => {
  const base: OutboundMessage = { kind: 'slack', to: 'https://hooks.slack.test/x', body: '', idempotencyKey: 'k' }

  it('escapes customer text so it cannot mention @channel or forge links', () => {
    const payload = slackPayload({ ...base, body: 'Customer <!channel> & <http://evil.test|bank>' })
    expect(payload.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Customer &lt;!channel&gt; &amp; &lt;http://evil.test|bank&gt;' },
    })
  })

  it('keeps a long message within Slack section limits', () => {
    const payload = slackPayload({ ...base, body: 'x'.repeat(5000) })
    const section = payload.blocks[0] as { text: { text: string } }
    expect(section.text.text.length).toBeLessThanOrEqual(3000)
  })

  it('ignores a run link that is not http(s)', () => {
    const payload = slackPayload({ ...base, body: 'hi', meta: { runUrl: 'javascript:alert(1)' } })
    expect(payload.blocks.map((b) => b.type)).toEqual(['section'])
  })
})
