import { createServer, type AddressInfo, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import type { Channel, OutboundMessage } from './channel.js'
import { createSmtpChannel } from './smtp-email.js'

interface Received {
  readonly to: string[]
  readonly raw: string
}

/** A real SMTP peer on loopback; recipients named deferred@ / rejected@ get a 451 / 550. */
async function startPeer(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('deferred@')) {
        callback(Object.assign(new Error('Greylisted, try later'), { responseCode: 451 }))
      } else if (address.address.startsWith('rejected@')) {
        callback(Object.assign(new Error('Mailbox ada-unknown does not exist'), { responseCode: 550 }))
      } else {
        callback()
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Header value by name from a raw RFC 5322 message (unfolded). */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r\n\r\n/)[0] ?? ''
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ')
  const line = unfolded.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

function email(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    kind: 'email',
    to: 'ada@example.com',
    subject: 'Your Pro payment did not go through',
    body: 'Hi Ada, please update your card.',
    idempotencyKey: 'run_1:tell-customer',
    ...overrides,
  }
}

describe('smtp email channel', () => {
  let peer: Awaited<ReturnType<typeof startPeer>>
  let channel: Channel

  beforeAll(async () => {
    peer = await startPeer()
    channel = createSmtpChannel({ url: `smtp://127.0.0.1:${peer.port}`, from: 'Acme Billing <billing@acme.test>' })
  })

  afterAll(async () => {
    await channel.close?.()
    await peer.close()
  })

  it('delivers text and html parts with sender, recipient, subject and unsubscribe headers', async () => {
    const result = await channel.send(
      email({
        html: '<p>Hi Ada, please <a href="https://acme.test/pay">update your card</a>.</p>',
        meta: { listUnsubscribe: 'https://acme.test/unsubscribe?c=cus_1' },
      }),
    )
    const mail = peer.received.at(-1)
    expect(mail).toBeDefined()
    const raw = mail!.raw
    expect(result.status).toBe('sent')
    expect(result.providerId).toBe(header(raw, 'Message-ID'))
    expect(mail!.to).toEqual(['ada@example.com'])
    expect(header(raw, 'From')).toBe('Acme Billing <billing@acme.test>')
    expect(header(raw, 'To')).toBe('ada@example.com')
    expect(header(raw, 'Subject')).toBe('Your Pro payment did not go through')
    expect(header(raw, 'List-Unsubscribe')).toBe('<https://acme.test/unsubscribe?c=cus_1>')
    expect(header(raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click')
    expect(header(raw, 'Content-Type')).toMatch(/^multipart\/alternative/)
    expect(raw).toMatch(/Content-Type: text\/plain[^]*Hi Ada, please update your card\./)
    expect(raw).toMatch(/Content-Type: text\/html[^]*<a href="https:\/\/acme\.test\/pay">/)
  })

  it('sends text only, without unsubscribe headers, when no html or unsubscribe URL is given', async () => {
    await channel.send(email({ idempotencyKey: 'run_1:alert-finance', to: 'finance@example.com' }))
    const raw = peer.received.at(-1)!.raw
    expect(header(raw, 'Content-Type')).toMatch(/^text\/plain/)
    expect(header(raw, 'List-Unsubscribe')).toBeUndefined()
  })

  it('gives the same Message-ID to the same idempotency key and another to another key', async () => {
    const first = await channel.send(email({ idempotencyKey: 'run_7:nudge' }))
    const firstId = header(peer.received.at(-1)!.raw, 'Message-ID')
    const again = await channel.send(email({ idempotencyKey: 'run_7:nudge' }))
    const againId = header(peer.received.at(-1)!.raw, 'Message-ID')
    const other = await channel.send(email({ idempotencyKey: 'run_8:nudge' }))
    const otherId = header(peer.received.at(-1)!.raw, 'Message-ID')

    expect(firstId).toMatch(/^<[0-9a-f]{32}@acme\.test>$/)
    expect(againId).toBe(firstId)
    expect(again.providerId).toBe(first.providerId)
    expect(otherId).not.toBe(firstId)
    expect(other.providerId).toBe(otherId)
  })

  it('turns an SMTP 4xx into RetryLaterError', async () => {
    const error = await channel.send(email({ to: 'deferred@example.com' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryLaterError)
    expect((error as Error).message).toContain('451')
  })

  it('turns an SMTP 5xx into PermanentError carrying the server reply', async () => {
    const error = await channel.send(email({ to: 'rejected@example.com' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain('550')
    expect((error as Error).message).toContain('Mailbox ada-unknown does not exist')
  })

  it('keeps working on the pooled connection after a refusal', async () => {
    const result = await channel.send(email({ idempotencyKey: 'run_9:after-refusal' }))
    expect(result.status).toBe('sent')
  })

  it("sets Reply-To from the message's meta, else the channel's default, else not at all", async () => {
    await channel.send(email({ idempotencyKey: 'run_10:no-reply-to' }))
    expect(header(peer.received.at(-1)!.raw, 'Reply-To')).toBeUndefined()
    await channel.send(email({ idempotencyKey: 'run_10:reply-to', meta: { replyTo: 'Acme Support <help@acme.test>' } }))
    expect(header(peer.received.at(-1)!.raw, 'Reply-To')).toBe('Acme Support <help@acme.test>')
    const withDefault = createSmtpChannel({ url: `smtp://127.0.0.1:${peer.port}`, from: 'billing@acme.test', replyTo: 'help@acme.test', pool: false })
    try {
      await withDefault.send(email({ idempotencyKey: 'run_10:default-reply-to' }))
      expect(header(peer.received.at(-1)!.raw, 'Reply-To')).toBe('help@acme.test')
    } finally {
      await withDefault.close?.()
    }
  })

  it('refuses a meta.listUnsubscribe that is not a URL', async () => {
    await expect(channel.send(email({ meta: { listUnsubscribe: 'not a url' } }))).rejects.toBeInstanceOf(PermanentError)
  })
})

describe('smtp email channel without a peer', () => {
  it('turns a refused connection into RetryLaterError', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))

    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'billing@acme.test' })
    try {
      const error = await channel.send(email()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RetryLaterError)
      expect((error as Error).message).toContain('ECONNREFUSED')
    } finally {
      await channel.close?.()
    }
  })

  it('fails permanently on a refused login, without the password in the message', async () => {
    const server = new SMTPServer({
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
      },
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const port = (server.server.address() as AddressInfo).port
    const channel = createSmtpChannel({ url: `smtp://mailer:s3cret-pa55@127.0.0.1:${port}`, from: 'billing@acme.test' })
    try {
      const error = await channel.send(email()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(PermanentError)
      expect((error as Error).message).toContain('refused the login')
      expect((error as Error).message).toContain('535')
      expect((error as Error).message).not.toContain('s3cret-pa55')
    } finally {
      await channel.close?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('retries later when the server accepts the connection but never greets', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => void sockets.add(socket)) // holds sockets open and says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    const port = (silent.address() as AddressInfo).port
    const channel = createSmtpChannel({ url: `smtp://127.0.0.1:${port}`, from: 'billing@acme.test', timeoutMs: 200 })
    try {
      const error = await channel.send(email()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RetryLaterError)
      expect((error as Error).message).toContain('timed out')
    } finally {
      await channel.close?.()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})
