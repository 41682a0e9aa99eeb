// The reference for HTTP figures: a bare fastify server that parses the same JSON body as
// POST /v1/events and answers 202 with it, nothing else (no auth, no database). Started by
// bench/run.ts through runChild: announces its port as a progress line on stderr, serves until
// SIGTERM (or 15 minutes, so it always stops by itself), then prints `{}` as its result.
import Fastify from 'fastify'

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 })
app.post('/v1/events', async (req, reply) => reply.code(202).send(req.body))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.stderr.write(`${JSON.stringify({ progress: { port } })}\n`)

const stop = async () => {
  await app.close()
  process.stdout.write('{}\n')
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
setTimeout(() => void stop(), 15 * 60_000).unref()
// Keeps the process alive while listening (the timer above is unref'd).
setInterval(() => {}, 60_000)
