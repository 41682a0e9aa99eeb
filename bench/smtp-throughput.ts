// Emails per second that one process hands to a local SMTP peer through the pooled email channel.
// Run: npx tsx bench/smtp-throughput.ts [--count 5000] [--connections 5] [--max-messages 1000]
//        [--concurrency 0] [--peer child|in-process]
// The peer runs in its own process by default, as a real SMTP server would; in-process it competes with the
// sender for one event loop. Besides wall-clock rate it prints CPU time per email, which says what a core
// could do when the machine is shared (wall figures swing with other load). Prints figures; asserts nothing.
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { SMTPServer } from 'smtp-server'
import type { OutboundMessage } from '../src/channels/channel.js'
import { createSmtpChannel } from '../src/channels/smtp-email.js'
import { startSmtpPeer as startPeerProcess, type SmtpPeerStats as PeerStats } from './lib.js'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '5' },
    'max-messages': { type: 'string', default: '1000' },
    // 0 = queue every message at once and let the pool pace them (what a burst of due steps does).
    concurrency: { type: 'string', default: '0' },
    peer: { type: 'string', default: 'child' },
    'serve-peer': { type: 'boolean', default: false },
  },
})

interface Peer {
  readonly port: number
  reset(): Promise<void>
  stats(): Promise<PeerStats>
  close(): Promise<void>
}

/** An SMTP server that accepts everything and counts it. */
async function startSmtpPeer() {
  const state = { received: 0, cpu: process.cpuUsage() }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.resume()
      stream.on('end', () => {
        state.received++
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.server.address() as AddressInfo).port,
    reset() {
      state.received = 0
      state.cpu = process.cpuUsage()
    },
    stats(): PeerStats {
      const cpu = process.cpuUsage(state.cpu)
      return { received: state.received, cpuMicros: cpu.user + cpu.system }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function inProcessPeer(): Promise<Peer> {
  const peer = await startSmtpPeer()
  return { port: peer.port, reset: async () => peer.reset(), stats: async () => peer.stats(), close: peer.close }
}

async function servePeer(): Promise<void> {
  const peer = await startSmtpPeer()
  process.on('message', (command) => {
    if (command === 'reset') {
      peer.reset()
      process.send?.({ reset: true })
    } else if (command === 'stats') {
      process.send?.({ stats: peer.stats() })
    } else if (command === 'close') {
      void peer.close().then(() => process.exit(0))
    }
  })
  process.send?.({ port: peer.port })
}

function message(i: number): OutboundMessage {
  return {
    kind: 'email',
    to: `customer-${i}@example.com`,
    subject: 'Your Pro payment did not go through',
    body: `Hi customer ${i}, we could not charge $49.00 for Pro. Update your card: https://pay.acme.test/u/${i}`,
    html: `<p>Hi customer ${i}, we could not charge <b>$49.00</b> for Pro. <a href="https://pay.acme.test/u/${i}">Update your card</a>.</p>`,
    idempotencyKey: `run_${i}:tell-customer`,
    meta: { listUnsubscribe: `https://acme.test/unsubscribe/${i}` },
  }
}

async function runBench(): Promise<void> {
  const count = Number(values.count)
  const connections = Number(values.connections)
  const maxMessages = Number(values['max-messages'])
  const concurrency = Math.min(Number(values.concurrency) || count, count)
  const peer = values.peer === 'in-process' ? await inProcessPeer() : await startPeerProcess()
  const channel = createSmtpChannel({
    url: `smtp://127.0.0.1:${peer.port}`,
    from: 'Acme Billing <billing@acme.test>',
    maxConnections: connections,
    maxMessages,
  })

  // Warm the pool so connection set-up is not counted as throughput.
  await Promise.all(Array.from({ length: connections }, (_, i) => channel.send(message(-1 - i))))
  await peer.reset()

  let failed = 0
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      await channel.send(message(i)).catch(() => failed++)
    }
  }
  const cpuBefore = process.cpuUsage()
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const cpu = process.cpuUsage(cpuBefore)
  const peerStats = await peer.stats()
  await channel.close?.()
  await peer.close()

  const senderMicros = (cpu.user + cpu.system) / count
  const senderLabel = values.peer === 'in-process' ? 'sender+peer' : 'sender'
  console.log(
    [
      `smtp-throughput: ${count} emails (text + html), ${connections} pooled connections, ` +
        `maxMessages ${maxMessages}, concurrency ${concurrency}, peer ${values.peer}`,
      `  total        ${seconds.toFixed(2)} s`,
      `  rate         ${Math.round(count / seconds)} emails/s`,
      `  cpu/email    ${senderMicros.toFixed(0)} µs ${senderLabel}` +
        (values.peer === 'in-process' ? '' : `, ${(peerStats.cpuMicros / count).toFixed(0)} µs peer`),
      `  one core     ~${Math.round(1e6 / senderMicros)} emails/s (${senderLabel} CPU bound)`,
      `  received     ${peerStats.received} by the peer, ${failed} failed`,
    ].join('\n'),
  )
}

if (values['serve-peer']) await servePeer()
else await runBench()
