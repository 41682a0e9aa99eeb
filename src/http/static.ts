import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, join, normalize } from 'node:path'
import type { FastifyReply } from 'fastify'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * Headers on every dashboard file: scripts and styles only from this origin (React's style
 * attributes need inline styles), no framing by other sites, no sniffing.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
}

/** Serves the built dashboard; unknown paths get index.html so client-side routes work. */
export function serveWeb(root: string, urlPath: string, reply: FastifyReply): FastifyReply | null {
  if (!existsSync(join(root, 'index.html'))) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!)
  } catch {
    return null // a bad percent-encoding names no file: the caller answers 404
  }
  const clean = normalize(decoded).replace(/^(\.\.[/\\])+/, '')
  let file = join(root, clean)
  // Only files a browser needs: never a source map, even one left from an older build.
  if (!file.startsWith(root) || !(extname(file) in TYPES) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  const type = TYPES[extname(file)] ?? 'application/octet-stream'
  const cache = file.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache'
  return reply.type(type).headers(DASHBOARD_HEADERS).header('cache-control', cache).send(readFileSync(file))
}
