import type { UiLanguage } from '../domain/locale.js'

/** The layout's own words (labels, buttons, footer), written by hand for each language. */
export interface EmailCopy {
  readonly product: string
  readonly amountDue: string
  readonly balanceDue: string
  readonly dueDate: string
  readonly updateCard: string
  readonly seeOffer: string
  readonly openLink: string
  readonly unsubscribe: string
  footerNote(business: string): string
}

export const EMAIL_COPY: Readonly<Record<UiLanguage, EmailCopy>> = {
  en: {
    product: 'Product',
    amountDue: 'Amount due',
    balanceDue: 'Balance due',
    dueDate: 'Due date',
    updateCard: 'Update card',
    seeOffer: 'See your offer',
    openLink: 'Open',
    unsubscribe: 'Unsubscribe from these emails',
    footerNote: (b) => `You are receiving this email because you have an account with ${b}.`,
  },
  de: {
    product: 'Produkt',
    amountDue: 'Offener Betrag',
    balanceDue: 'Offener Restbetrag',
    dueDate: 'Fällig am',
    updateCard: 'Karte aktualisieren',
    seeOffer: 'Angebot ansehen',
    openLink: 'Öffnen',
    unsubscribe: 'Von diesen E-Mails abmelden',
    footerNote: (b) => `Sie erhalten diese E-Mail, weil Sie ein Kundenkonto bei ${b} haben.`,
  },
  es: {
    product: 'Producto',
    amountDue: 'Importe pendiente',
    balanceDue: 'Saldo pendiente',
    dueDate: 'Vencimiento',
    updateCard: 'Actualizar tarjeta',
    seeOffer: 'Ver tu oferta',
    openLink: 'Abrir',
    unsubscribe: 'Darte de baja de estos correos',
    footerNote: (b) => `Recibes este correo porque tienes una cuenta con ${b}.`,
  },
}
