import { describe, expect, it } from 'vitest'
import { LinkSigner, SHORT_CODE } from './links.js'

describe('LinkSigner', () => {
  const signer = new LinkSigner({ secret: 's'.repeat(32), publicUrl: 'https://pay.example.com/' })
  const claims = { p: 'update_payment' as const, run: 'run_1', cus: 'cus_1', exp: 2_000 }
  it('verifies its own tokens and builds portal URLs', () => {
    expect(signer.verify(signer.token(claims), 'update_payment', 1_000)).toEqual({ ok: true, claims })
    expect(signer.url(claims)).toMatch(/^https:\/\/pay\.example\.com\/portal\/update-payment\/[\w-]+\.[\w-]+$/)
  })
  it('refuses tampered, expired, foreign and wrong-purpose tokens', () => {
    const token = signer.token(claims)
    const forged = Buffer.from(JSON.stringify({ ...claims, cus: 'cus_2' })).toString('base64url') + '.' + token.split('.')[1]
    expect(signer.verify(forged, 'update_payment', 1_000)).toEqual({ ok: false, reason: 'invalid' })
    expect(signer.verify(token, 'update_payment', 3_000)).toEqual({ ok: false, reason: 'expired' })
    expect(signer.verify(token, 'offer', 1_000)).toEqual({ ok: false, reason: 'invalid' })
    expect(new LinkSigner({ secret: 'x'.repeat(32), publicUrl: 'http://a' }).verify(token, 'update_payment', 1_000).ok).toBe(false)
    expect(signer.verify('garbage', 'update_payment', 1_000).ok).toBe(false)
  })
  it('parses a token exactly: extra segments, padding or stray characters make it invalid', () => {
    const token = signer.token(claims)
    for (const bad of [`${token}.anything`, `${token}.`, `x.${token}`, `${token}=`, ` ${token}`, `${token}\n`, token.replace('.', '..')]) {
      expect(signer.verify(bad, 'update_payment', 1_000), bad).toEqual({ ok: false, reason: 'invalid' })
    }
  })
  it('short codes: 16 base62 characters, the same for the same run and purpose, different otherwise', () => {
    const code = signer.shortCode('update_payment', 'run_1')
    expect(code).toMatch(SHORT_CODE)
    expect(signer.shortCode('update_payment', 'run_1')).toBe(code)
    const others = [signer.shortCode('offer', 'run_1'), signer.shortCode('update_payment', 'run_2'), new LinkSigner({ secret: 'x'.repeat(32), publicUrl: 'http://a' }).shortCode('update_payment', 'run_1')]
    for (const other of others) expect(other).not.toBe(code)
    expect(signer.shortUrl(code)).toBe(`https://pay.example.com/l/${code}`)
  })
  it('short codes use the whole alphabet evenly enough (no fixed or constant positions)', () => {
    const seen = Array.from({ length: 16 }, () => new Set<string>())
    for (let i = 0; i < 400; i++) [...signer.shortCode('offer', `run_${i}`)].forEach((c, at) => seen[at]!.add(c))
    for (const chars of seen) expect(chars.size).toBeGreaterThan(40)
  })
})
