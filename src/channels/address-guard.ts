// SSRF guard for user-supplied URLs (webhook steps, Slack URLs): a workflow author must not be able to make
// Recoup call its own host, the cloud metadata service or the private network it runs in.
import { lookup } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { PermanentError, RetryLaterError } from '../domain/errors.js'

interface Range {
  readonly reason: string
  readonly list: BlockList
}

function range(reason: string, subnets: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): Range {
  const list = new BlockList()
  for (const [network, prefix, family] of subnets) list.addSubnet(network, prefix, family)
  return { reason, list }
}

// BlockList matches IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against the IPv4 rules too.
const REFUSED: readonly Range[] = [
  range('unspecified', [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']]),
  range('loopback', [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']]),
  range('private', [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4']]),
  range('carrier-grade NAT', [['100.64.0.0', 10, 'ipv4']]),
  range('link-local', [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']]),
  range('unique-local', [['fc00::', 7, 'ipv6']]),
  range('multicast', [['224.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']]),
  range('reserved', [['240.0.0.0', 4, 'ipv4']]),
  // Deprecated IPv4-compatible form (::a.b.c.d) would otherwise smuggle any IPv4 address past the rules.
  range('IPv4-compatible', [['::', 96, 'ipv6']]),
]

const ALLOW_HINT = 'set RECOUP_WEBHOOK_ALLOW_PRIVATE=true to allow private addresses'

/** Why an IP address must not be called (`loopback`, `private`, …), or undefined when it is public. */
export function refusedReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family === 0) return undefined
  const type = family === 4 ? 'ipv4' : 'ipv6'
  return REFUSED.find((r) => r.list.check(bare, type))?.reason
}

export interface AddressGuardOptions {
  readonly allowPrivate?: boolean
}

/** Throws PermanentError unless `url` is http(s) and every address its host resolves to is public. */
export async function assertPublicAddress(url: string, options: AddressGuardOptions = {}): Promise<URL> {
  const parsed = parseHttpUrl(url)
  if (options.allowPrivate === true) return parsed
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0) {
    refuseIfPrivate(host, host)
    return parsed
  }
  let addresses: { address: string }[]
  try {
    addresses = await new Promise((resolve, reject) =>
      lookup(host, { all: true, verbatim: true }, (error, found) => (error ? reject(error) : resolve(found))),
    )
  } catch (error) {
    throw new RetryLaterError(`Could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    })
  }
  for (const { address } of addresses) refuseIfPrivate(host, address)
  return parsed
}

/**
 * A `lookup` for node:http that refuses private answers at connect time, so a host that resolves to a
 * public address for the check and to 127.0.0.1 for the connection (DNS rebinding) still cannot get through.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, [])
    for (const { address } of addresses) {
      const reason = refusedReason(address)
      if (reason !== undefined) return callback(refusal(hostname, address, reason), [])
    }
    if (options.all === true) return callback(null, addresses)
    const first = addresses[0]
    if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), [])
    callback(null, first.address, first.family)
  })
}

/** Parses `url` and insists on http or https; anything else is a PermanentError. */
export function parseHttpUrl(url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PermanentError('The destination is not a valid URL')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PermanentError(`The destination must be an http or https URL, not ${parsed.protocol}`)
  }
  return parsed
}

/** Marks a refusal so the HTTP sender can tell it from a network failure. */
export class RefusedAddressError extends PermanentError {}

function refuseIfPrivate(host: string, address: string): void {
  const reason = refusedReason(address)
  if (reason !== undefined) throw refusal(host, address, reason)
}

function refusal(host: string, address: string, reason: string): RefusedAddressError {
  const where = host === address ? address : `${host} (${address})`
  return new RefusedAddressError(`Refusing to call ${where}: it is a ${reason} address; ${ALLOW_HINT}`)
}
