// What the lab's card networks and issuers know about decline codes (sources in lab/SOURCES.md).
// This is the world's own table, kept apart from Recoup's decline policy on purpose: the lab judges
// Recoup's rules, so it must not borrow them.

export type Brand = 'visa' | 'mastercard' | 'amex' | 'discover'

/**
 * How an issuer treats a card after this decline:
 * - `funds`: no money now; it may arrive with the customer's pay;
 * - `soft`: a hold or a generic refusal that may clear up after some days;
 * - `transient`: the issuer or network was briefly unavailable;
 * - `hard`: the card is blocked for good (lost, stolen, not allowed);
 * - `data`: the card data is wrong or old (expired, wrong number); only a new card helps.
 */
export type IssuerKind = 'funds' | 'soft' | 'transient' | 'hard' | 'data'

interface CodeFacts {
  readonly kind: IssuerKind
  /** The network's response code for Visa and for Mastercard cards. */
  readonly visa: string
  readonly mastercard: string
  /** Stripe's `failure_code` (`card_declined` unless the processor names another). */
  readonly failure?: string
}

/** Stripe decline codes the lab's issuers return, with the network codes behind them. */
export const DECLINE_CODES = {
  insufficient_funds: { kind: 'funds', visa: '51', mastercard: '51' },
  generic_decline: { kind: 'soft', visa: '05', mastercard: '05' },
  do_not_honor: { kind: 'soft', visa: '05', mastercard: '05' },
  card_velocity_exceeded: { kind: 'soft', visa: '61', mastercard: '61' },
  processing_error: { kind: 'transient', visa: '96', mastercard: '96', failure: 'processing_error' },
  issuer_not_available: { kind: 'transient', visa: '91', mastercard: '91' },
  stolen_card: { kind: 'hard', visa: '43', mastercard: '83' },
  lost_card: { kind: 'hard', visa: '41', mastercard: '83' },
  transaction_not_allowed: { kind: 'hard', visa: '57', mastercard: '82' },
  incorrect_number: { kind: 'data', visa: '14', mastercard: '79', failure: 'incorrect_number' },
  expired_card: { kind: 'data', visa: '54', mastercard: '79', failure: 'expired_card' },
} as const satisfies Record<string, CodeFacts>
export type DeclineCode = keyof typeof DECLINE_CODES

/** The network response code for a decline on a card of `brand` (none for Amex and Discover here). */
export function networkCodeOf(code: DeclineCode, brand: Brand): string | undefined {
  if (brand === 'visa') return DECLINE_CODES[code].visa
  if (brand === 'mastercard') return DECLINE_CODES[code].mastercard
  return undefined
}

/** Visa's decline categories by response code: 1 never approve, 2 not now, 3 data quality, 4 the rest. */
const VISA_CATEGORY_1 = new Set(['04', '07', '12', '14', '15', '41', '43', '46', '57', 'R0', 'R1', 'R3'])
const VISA_CATEGORY_2 = new Set(['19', '51', '59', '61', '65', '75', '86', '91', '96', 'N3', 'N4'])
const VISA_CATEGORY_3 = new Set(['54', '55', '82', 'N7', '1A'])

/** Visa's category of a response code. */
export function visaCategory(networkCode: string | undefined): 1 | 2 | 3 | 4 {
  if (!networkCode) return 4
  if (VISA_CATEGORY_1.has(networkCode)) return 1
  if (VISA_CATEGORY_2.has(networkCode)) return 2
  if (VISA_CATEGORY_3.has(networkCode)) return 3
  return 4
}

/** Mastercard Merchant Advice Codes the lab's issuers send. */
export const MAC_CODES = ['01', '02', '03', '21', '24', '25', '26', '27', '28', '29', '30'] as const

/** MAC 24–30: how long to wait before the next attempt (ms). */
export const MAC_WAIT_MS: Readonly<Record<string, number>> = {
  '24': 3_600_000,
  '25': 86_400_000,
  '26': 2 * 86_400_000,
  '27': 4 * 86_400_000,
  '28': 6 * 86_400_000,
  '29': 8 * 86_400_000,
  '30': 10 * 86_400_000,
}
