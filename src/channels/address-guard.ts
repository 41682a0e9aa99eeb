// SSRF guard for user-supplied URLs (webhook steps, Slack URLs, webhook endpoints): a workflow author must not
// be able to make Recoup call its own host, the cloud metadata service or the private network it runs in.
import { lookup } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { PermanentError, RetryLaterError } from '../domain/errors.js'

const ALLOW_HINT = 'set RECOUP_WEBHOOK_ALLOW_PRIVATE=true to allow private addresses'

/**
 * What to do with an address in a block: `refuse` it, `allow` it (a globally reachable block inside a
 * refused one), or judge the IPv4 address it carries in bytes `at`…`at + 3` (and, when that one is
 * public, `then` allow or refuse the IPv6 address itself).
 */
type Verdict = 'refuse' | 'allow' | { readonly embedsIPv4At: number; readonly then: 'allow' | 'refuse' }

interface Block {
  readonly cidr: string
  /** The block's name in its IANA registry. */
  readonly name: string
  readonly verdict: Verdict
}

/**
 * The IANA IPv4 Special-Purpose Address Registry: every block whose "Globally Reachable" is False, plus
 * multicast (224.0.0.0/4, from the IPv4 Multicast Address Space registry). The registry marks the PCP and
 * TURN anycast addresses in 192.0.0.0/24 globally reachable, but an anycast address is answered by the
 * nearest instance, typically the local gateway, so they stay refused with the rest of the /24.
 */
const IPV4_BLOCKS: readonly Block[] = [
  { cidr: '0.0.0.0/8', name: 'This network', verdict: 'refuse' },
  { cidr: '0.0.0.0/32', name: 'This host on this network', verdict: 'refuse' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', verdict: 'refuse' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space', verdict: 'refuse' },
  { cidr: '127.0.0.0/8', name: 'Loopback', verdict: 'refuse' },
  { cidr: '169.254.0.0/16', name: 'Link Local', verdict: 'refuse' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', verdict: 'refuse' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', verdict: 'refuse' },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', verdict: 'refuse' },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', verdict: 'refuse' },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', verdict: 'refuse' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', verdict: 'refuse' },
  { cidr: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', verdict: 'refuse' },
  { cidr: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', verdict: 'refuse' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', verdict: 'refuse' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', verdict: 'refuse' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', verdict: 'refuse' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', verdict: 'refuse' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', verdict: 'refuse' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', verdict: 'refuse' },
  { cidr: '224.0.0.0/4', name: 'Multicast', verdict: 'refuse' },
  { cidr: '240.0.0.0/4', name: 'Reserved', verdict: 'refuse' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', verdict: 'refuse' },
]

/**
 * The IANA IPv6 Special-Purpose Address Registry, plus multicast (ff00::/8) and everything outside
 * 2000::/3, which the IPv6 Address Space registry does not allocate for global unicast. Blocks that carry
 * an IPv4 address are judged by that address. Inside 2001::/23 the registry marks some blocks globally
 * reachable: AMT and AS112-v6 are allowed; the anycast addresses stay refused (see IPV4_BLOCKS), and so do
 * ORCHIDv2 and DETs, which are identifiers that are not routable as IP addresses (RFC 7343, RFC 9374).
 * TEREDO (reachability "N/A") is refused: it tunnels to an IPv4 server that could be private.
 */
const IPV6_BLOCKS: readonly Block[] = [
  { cidr: '::/3', name: 'Not global unicast (outside 2000::/3)', verdict: 'refuse' },
  { cidr: '4000::/2', name: 'Not global unicast (outside 2000::/3)', verdict: 'refuse' },
  { cidr: '8000::/1', name: 'Not global unicast (outside 2000::/3)', verdict: 'refuse' },
  { cidr: '::/128', name: 'Unspecified Address', verdict: 'refuse' },
  { cidr: '::1/128', name: 'Loopback Address', verdict: 'refuse' },
  // Deprecated (RFC 4291): judged by the IPv4 address so the reason names it, and refused either way.
  { cidr: '::/96', name: 'IPv4-compatible Address (deprecated)', verdict: { embedsIPv4At: 12, then: 'refuse' } },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', verdict: { embedsIPv4At: 12, then: 'allow' } },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', verdict: { embedsIPv4At: 12, then: 'allow' } },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat. (local-use)', verdict: 'refuse' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', verdict: 'refuse' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', verdict: 'refuse' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', verdict: 'refuse' },
  { cidr: '2001::/32', name: 'TEREDO', verdict: 'refuse' },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', verdict: 'refuse' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', verdict: 'refuse' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', verdict: 'refuse' },
  { cidr: '2001:2::/48', name: 'Benchmarking', verdict: 'refuse' },
  { cidr: '2001:3::/32', name: 'AMT', verdict: 'allow' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', verdict: 'allow' },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', verdict: 'refuse' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', verdict: 'refuse' },
  { cidr: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', verdict: 'refuse' },
  { cidr: '2001:db8::/32', name: 'Documentation', verdict: 'refuse' },
  { cidr: '2002::/16', name: '6to4', verdict: { embedsIPv4At: 2, then: 'allow' } },
  { cidr: '3fff::/20', name: 'Documentation', verdict: 'refuse' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', verdict: 'refuse' },
  { cidr: 'fc00::/7', name: 'Unique-Local', verdict: 'refuse' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', verdict: 'refuse' },
  { cidr: 'ff00::/8', name: 'Multicast', verdict: 'refuse' },
]

interface Network extends Block {
  readonly bytes: Uint8Array
  readonly prefix: number
}

function networks(blocks: readonly Block[]): readonly Network[] {
  return blocks.map((b) => {
    const [address, prefix] = b.cidr.split('/') as [string, string]
    return { ...b, bytes: addressBytes(address)!, prefix: Number(prefix) }
  })
}

const IPV4 = networks(IPV4_BLOCKS)
const IPV6 = networks(IPV6_BLOCKS)

/** An IP address as 4 or 16 bytes, or undefined when `text` is not one (a zone index is ignored). */
function addressBytes(text: string): Uint8Array | undefined {
  const bare = text.replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) return Uint8Array.from(bare.split('.').map(Number))
  if (family !== 6) return undefined
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups.
  const hex = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  )
  const [head, tail] = hex.split('::') as [string, string | undefined]
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : [])
  const left = groups(head)
  const right = groups(tail)
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  const bytes = new Uint8Array(16)
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8
    bytes[2 * i + 1] = g & 0xff
  })
  return bytes
}

function contains(net: Network, bytes: Uint8Array): boolean {
  for (let bit = 0; bit < net.prefix; bit += 8) {
    const mask = (0xff << (8 - Math.min(8, net.prefix - bit))) & 0xff
    if ((bytes[bit / 8]! & mask) !== (net.bytes[bit / 8]! & mask)) return false
  }
  return true
}

/** The most specific block holding `bytes`, if any. */
function blockOf(bytes: Uint8Array): Network | undefined {
  let best: Network | undefined
  for (const net of bytes.length === 4 ? IPV4 : IPV6) {
    if (contains(net, bytes) && (best === undefined || net.prefix > best.prefix)) best = net
  }
  return best
}

const label = (net: Network) => `${net.name} ${net.cidr}`

/**
 * Why an IP address must not be called, named after its IANA special-purpose block (`Loopback 127.0.0.0/8`),
 * or undefined when it is globally reachable. An IPv4 address carried in an IPv6 one (IPv4-mapped, NAT64,
 * 6to4) is judged too.
 */
export function refusedReason(address: string): string | undefined {
  const bytes = addressBytes(address.replace(/^\[|\]$/g, ''))
  if (bytes === undefined) return undefined
  const net = blockOf(bytes)
  if (net === undefined || net.verdict === 'allow') return undefined
  if (net.verdict === 'refuse') return label(net)
  const at = net.verdict.embedsIPv4At
  const ipv4 = bytes.subarray(at, at + 4).join('.')
  const inner = refusedReason(ipv4)
  if (inner !== undefined) return `${inner}, as ${ipv4} inside ${label(net)}`
  return net.verdict.then === 'refuse' ? label(net) : undefined
}

// Names that only ever mean this machine or a private network (RFC 6761 localhost, RFC 6762 .local mDNS,
// and .internal, which ICANN reserved for private use; cloud metadata lives there).
const LOCAL_NAME = /(^|\.)(localhost|local|internal)$/

/**
 * Why a URL saved for later calls points at a host that is never public, judging only what the URL says:
 * a literal IP address in a refused block, or a local name (localhost, *.local, *.internal). No DNS is
 * asked; a name that resolves to a private address is refused when the call is made (publicOnlyLookup).
 * Undefined for URLs that do not parse (the schema reports those) and for templated hosts.
 */
export function savedUrlProblem(url: string): string | undefined {
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase()
  } catch {
    return undefined
  }
  if (isIP(host) !== 0) {
    const reason = refusedReason(host)
    return reason && `${host} is not a public address (${reason}); ${ALLOW_HINT}`
  }
  if (LOCAL_NAME.test(host)) return `${host} is a local name, not a public host; ${ALLOW_HINT}`
  return undefined
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
  return new RefusedAddressError(`Refusing to call ${where}: it is not a public address (${reason}); ${ALLOW_HINT}`)
}
