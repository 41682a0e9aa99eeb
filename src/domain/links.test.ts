import { describe, expect, it } from 'vitest'
import { LinkSigner } from './links.js'

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
})
