// Test support: a real HTTP server on loopback standing in for Twilio, Slack or a webhook endpoint.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** Never answer (to exercise timeouts); the socket is destroyed when the receiver closes. */
  readonly hang?: boolean
}

export interface LocalHttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly requests: ReceivedRequest[]
  /** Queue answers for the next requests; once empty, every request gets `fallback`. */
  answerNext(...answers: Answer[]): void
  close(): Promise<void>
}

/** Starts a receiver on 127.0.0.1 and an ephemeral port. */
export async function startLocalHttpReceiver(fallback: Answer = { status: 200, body: 'ok' }): Promise<LocalHttpReceiver> {
  const requests: ReceivedRequest[] = []
  const queue: Answer[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const answer = queue.shift() ?? fallback
      if (answer.hang === true) return
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerNext: (...answers) => void queue.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
