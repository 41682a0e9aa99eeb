import { describe, expect, it } from 'vitest'
import { PermanentError } from '../domain/errors.js'
import { assertPublicAddress, refusedReason, savedUrlProblem } from './address-guard.js'

describe('refusedReason (IANA special-purpose registries)', () => {
  it.each([
    ['0.1.2.3', 'This network 0.0.0.0/8'],
    ['0.0.0.0', 'This host on this network 0.0.0.0/32'],
    ['10.1.2.3', 'Private-Use 10.0.0.0/8'],
    ['100.64.0.1', 'Shared Address Space 100.64.0.0/10'],
    ['127.0.0.53', 'Loopback 127.0.0.0/8'],
    ['169.254.169.254', 'Link Local 169.254.0.0/16'],
    ['172.31.255.255', 'Private-Use 172.16.0.0/12'],
    ['192.0.0.1', 'IPv4 Service Continuity Prefix 192.0.0.0/29'],
    ['192.0.0.9', 'Port Control Protocol Anycast 192.0.0.9/32'],
    ['192.0.0.200', 'IETF Protocol Assignments 192.0.0.0/24'],
    ['192.0.2.10', 'Documentation (TEST-NET-1) 192.0.2.0/24'],
    ['192.88.99.1', 'Deprecated (6to4 Relay Anycast) 192.88.99.0/24'],
    ['192.168.1.1', 'Private-Use 192.168.0.0/16'],
    ['198.18.0.1', 'Benchmarking 198.18.0.0/15'],
    ['198.19.255.254', 'Benchmarking 198.18.0.0/15'],
    ['198.51.100.7', 'Documentation (TEST-NET-2) 198.51.100.0/24'],
    ['203.0.113.9', 'Documentation (TEST-NET-3) 203.0.113.0/24'],
    ['224.0.0.251', 'Multicast 224.0.0.0/4'],
    ['240.0.0.1', 'Reserved 240.0.0.0/4'],
    ['255.255.255.255', 'Limited Broadcast 255.255.255.255/32'],
  ])('refuses IPv4 %s as %s', (address, reason) => {
    expect(refusedReason(address)).toBe(reason)
  })

  it.each([
    ['::1', 'Loopback Address ::1/128'],
    ['::', 'Unspecified Address ::/128'],
    ['64:ff9b:1::a', 'IPv4-IPv6 Translat. (local-use) 64:ff9b:1::/48'],
    ['100::1', 'Discard-Only Address Block 100::/64'],
    ['2001::1', 'TEREDO 2001::/32'],
    ['2001:2::1', 'Benchmarking 2001:2::/48'],
    ['2001:10::1', 'Deprecated (previously ORCHID) 2001:10::/28'],
    ['2001:20::1', 'ORCHIDv2 2001:20::/28'],
    ['2001:1ff::1', 'IETF Protocol Assignments 2001::/23'],
    ['2001:db8::1', 'Documentation 2001:db8::/32'],
    ['3fff::1', 'Documentation 3fff::/20'],
    ['5f00::1', 'Segment Routing (SRv6) SIDs 5f00::/16'],
    ['fd12:3456::1', 'Unique-Local fc00::/7'],
    ['fe80::1%eth0', 'Link-Local Unicast fe80::/10'],
    ['ff02::1', 'Multicast ff00::/8'],
    ['fec0::1', 'Not global unicast (outside 2000::/3) 8000::/1'],
  ])('refuses IPv6 %s as %s', (address, reason) => {
    expect(refusedReason(address)).toBe(reason)
  })

  it.each([
    ['::ffff:127.0.0.1', 'Loopback 127.0.0.0/8, as 127.0.0.1 inside IPv4-mapped Address ::ffff:0:0/96'],
    ['::ffff:a00:1', 'Private-Use 10.0.0.0/8, as 10.0.0.1 inside IPv4-mapped Address ::ffff:0:0/96'],
    ['::ffff:198.18.0.1', 'Benchmarking 198.18.0.0/15, as 198.18.0.1 inside IPv4-mapped Address ::ffff:0:0/96'],
    ['::10.0.0.1', 'Private-Use 10.0.0.0/8, as 10.0.0.1 inside IPv4-compatible Address (deprecated) ::/96'],
    ['64:ff9b::10.0.0.1', 'Private-Use 10.0.0.0/8, as 10.0.0.1 inside IPv4-IPv6 Translat. 64:ff9b::/96'],
    ['64:ff9b::a9fe:a9fe', 'Link Local 169.254.0.0/16, as 169.254.169.254 inside IPv4-IPv6 Translat. 64:ff9b::/96'],
    ['2002:7f00:1::', 'Loopback 127.0.0.0/8, as 127.0.0.1 inside 6to4 2002::/16'],
    ['2002:c0a8:101:1::5', 'Private-Use 192.168.0.0/16, as 192.168.1.1 inside 6to4 2002::/16'],
  ])('judges the IPv4 address inside %s', (address, reason) => {
    expect(refusedReason(address)).toBe(reason)
  })

  it('refuses an IPv4-compatible address even when the IPv4 address inside is public (deprecated form)', () => {
    expect(refusedReason('::8.8.8.8')).toBe('IPv4-compatible Address (deprecated) ::/96')
  })

  it.each([
    '8.8.8.8', '1.1.1.1', '172.32.0.1', '198.20.0.1', '192.0.3.1', '93.184.215.14',
    '2606:4700::1111', '2a00:1450:4007:80e::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:0808:0808::', '2001:3::1', '[2606:4700::1111]',
  ])('lets the public address %s through', (address) => {
    expect(refusedReason(address)).toBeUndefined()
  })

  it('is not fooled by something that is not an address', () => {
    expect(refusedReason('example.com')).toBeUndefined()
  })
})

describe('assertPublicAddress on literal addresses', () => {
  it.each(['http://198.18.0.1/hook', 'http://[64:ff9b::a00:1]/hook', 'http://[2002:a00:1::]/hook', 'http://[::ffff:c612:1]/hook'])(
    'refuses %s without asking DNS',
    async (url) => {
      const error = await assertPublicAddress(url).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(PermanentError)
      expect((error as Error).message).toMatch(/^Refusing to call .+: it is not a public address \(.+\); set RECOUP_WEBHOOK_ALLOW_PRIVATE=true/)
    },
  )

  it.each(['https://8.8.8.8/hook', 'http://[2606:4700::1111]/hook', 'http://[2002:808:808::]/hook', 'http://[64:ff9b::808:808]/hook'])(
    'lets %s through',
    async (url) => {
      await expect(assertPublicAddress(url)).resolves.toBeInstanceOf(URL)
    },
  )
})

describe('savedUrlProblem (save-time check, no DNS)', () => {
  it.each([
    ['http://127.0.0.1:9/hook', /127\.0\.0\.1 is not a public address \(Loopback 127\.0\.0\.0\/8\)/],
    ['http://2130706433/hook', /127\.0\.0\.1 is not a public address/],
    ['https://198.18.3.4/hook', /Benchmarking/],
    ['http://[64:ff9b::c0a8:1]/x', /Private-Use 192\.168\.0\.0\/16, as 192\.168\.0\.1 inside IPv4-IPv6 Translat\./],
    ['http://[2002:a9fe:a9fe::]/latest/meta-data', /Link Local/],
    ['http://localhost:8080/', /localhost is a local name/],
    ['http://LocalHost./', /localhost is a local name/],
    ['http://api.localhost/', /api\.localhost is a local name/],
    ['http://printer.local/', /printer\.local is a local name/],
    ['http://metadata.google.internal/computeMetadata/v1/', /metadata\.google\.internal is a local name/],
  ])('refuses %s', (url, message) => {
    const problem = savedUrlProblem(url)
    expect(problem).toMatch(message)
    expect(problem).toContain('RECOUP_WEBHOOK_ALLOW_PRIVATE=true')
  })

  it.each([
    'https://hooks.example.com/recoup',
    'https://8.8.8.8/',
    'http://[2606:4700::1111]/',
    'https://internal.example.com/hook',
    'https://hooks.slack.com/services/T0/B0/X',
    'not a url',
  ])('has nothing against %s', (url) => {
    expect(savedUrlProblem(url)).toBeUndefined()
  })
})
