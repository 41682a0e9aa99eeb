import type { UiLanguage } from '../../domain/locale.js'

// The offer pages' words in English, German and Spanish, written by hand.

export interface OfferCopy {
  readonly extendTitle: (product: string) => string
  readonly restructureTitle: (product: string) => string
  readonly extendPitch: (days: number) => string
  readonly restructurePitch: (count: number) => string
  readonly product: string
  readonly amountDue: string
  readonly newDueDate: string
  readonly balanceDue: string
  readonly newPlan: string
  readonly installments: (count: number) => string
  readonly yourInstallments: string
  readonly due: string
  readonly amount: string
  readonly total: string
  readonly openUntil: (day: string) => string
  readonly accept: string
  readonly decline: string
  readonly acceptedTitle: string
  readonly acceptedHeading: string
  readonly accepted: (next: string) => string
  readonly nextDueDate: (day: string) => string
  readonly firstInstallment: (day: string) => string
  readonly closeNote: string
  readonly declinedTitle: string
  readonly declinedHeading: string
  readonly declined: (product: string) => string
  readonly expiredTitle: string
  readonly expired: (product: string, day: string) => string
  readonly withdrawnTitle: string
  readonly withdrawnHeading: string
  readonly withdrawn: (product: string) => string
}

export const OFFER_COPY: Readonly<Record<UiLanguage, OfferCopy>> = {
  en: {
    extendTitle: (p) => `More time to pay for ${p}`,
    restructureTitle: (p) => `A new payment plan for ${p}`,
    extendPitch: (d) => `We can move your due date back by ${d} ${d === 1 ? 'day' : 'days'}. Nothing else changes.`,
    restructurePitch: (n) => `We can spread what is left over ${n} smaller installments. Together they add up to exactly your balance — nothing extra.`,
    product: 'Product',
    amountDue: 'Amount due',
    newDueDate: 'New due date',
    balanceDue: 'Balance due',
    newPlan: 'New plan',
    installments: (n) => `${n} installments`,
    yourInstallments: 'Your new installments',
    due: 'Due',
    amount: 'Amount',
    total: 'Total',
    openUntil: (d) => `This offer is open until ${d}.`,
    accept: 'Accept this offer',
    decline: 'No thanks',
    acceptedTitle: 'Offer accepted',
    acceptedHeading: "Thanks — you're all set",
    accepted: (next) => `You accepted our offer. ${next}`,
    nextDueDate: (d) => `Your new due date is ${d}.`,
    firstInstallment: (d) => `Your first installment is due on ${d}.`,
    closeNote: 'You can close this page.',
    declinedTitle: 'Offer declined',
    declinedHeading: 'You declined this offer',
    declined: (p) => `No problem. Your ${p} balance stays as it was. If you change your mind, reply to our email and we will help.`,
    expiredTitle: 'This offer has expired',
    expired: (p, d) => `The offer for your ${p} was open until ${d}. Reply to our email and we will see what we can do.`,
    withdrawnTitle: 'No open offer',
    withdrawnHeading: 'There is no open offer right now',
    withdrawn: (p) => `Your ${p} account has changed since we sent this offer, so it no longer applies. If you have questions, reply to our email.`,
  },
  de: {
    extendTitle: (p) => `Mehr Zeit für Ihre Zahlung für ${p}`,
    restructureTitle: (p) => `Ein neuer Zahlungsplan für ${p}`,
    extendPitch: (d) => `Wir können Ihren Fälligkeitstermin um ${d} ${d === 1 ? 'Tag' : 'Tage'} verschieben. Sonst ändert sich nichts.`,
    restructurePitch: (n) => `Wir können den offenen Betrag auf ${n} kleinere Raten verteilen. Zusammen ergeben sie genau Ihren offenen Betrag – nichts extra.`,
    product: 'Produkt',
    amountDue: 'Offener Betrag',
    newDueDate: 'Neuer Fälligkeitstermin',
    balanceDue: 'Offener Betrag',
    newPlan: 'Neuer Plan',
    installments: (n) => `${n} Raten`,
    yourInstallments: 'Ihre neuen Raten',
    due: 'Fällig',
    amount: 'Betrag',
    total: 'Summe',
    openUntil: (d) => `Dieses Angebot gilt bis zum ${d}.`,
    accept: 'Angebot annehmen',
    decline: 'Nein, danke',
    acceptedTitle: 'Angebot angenommen',
    acceptedHeading: 'Danke – alles erledigt',
    accepted: (next) => `Sie haben unser Angebot angenommen. ${next}`,
    nextDueDate: (d) => `Ihr neuer Fälligkeitstermin ist der ${d}.`,
    firstInstallment: (d) => `Ihre erste Rate ist am ${d} fällig.`,
    closeNote: 'Sie können diese Seite schließen.',
    declinedTitle: 'Angebot abgelehnt',
    declinedHeading: 'Sie haben dieses Angebot abgelehnt',
    declined: (p) => `Kein Problem. Ihr offener Betrag für ${p} bleibt, wie er war. Wenn Sie es sich anders überlegen, antworten Sie auf unsere E-Mail – wir helfen gern.`,
    expiredTitle: 'Dieses Angebot ist abgelaufen',
    expired: (p, d) => `Das Angebot für ${p} galt bis zum ${d}. Antworten Sie auf unsere E-Mail, und wir sehen, was wir tun können.`,
    withdrawnTitle: 'Kein offenes Angebot',
    withdrawnHeading: 'Zurzeit gibt es kein offenes Angebot',
    withdrawn: (p) => `Ihr Konto für ${p} hat sich geändert, seit wir dieses Angebot geschickt haben, deshalb gilt es nicht mehr. Bei Fragen antworten Sie auf unsere E-Mail.`,
  },
  es: {
    extendTitle: (p) => `Más tiempo para pagar ${p}`,
    restructureTitle: (p) => `Un nuevo plan de pagos para ${p}`,
    extendPitch: (d) => `Podemos aplazar tu fecha de vencimiento ${d} ${d === 1 ? 'día' : 'días'}. Nada más cambia.`,
    restructurePitch: (n) => `Podemos repartir lo que queda en ${n} cuotas más pequeñas. Juntas suman exactamente tu saldo, sin nada extra.`,
    product: 'Producto',
    amountDue: 'Importe pendiente',
    newDueDate: 'Nueva fecha de vencimiento',
    balanceDue: 'Saldo pendiente',
    newPlan: 'Nuevo plan',
    installments: (n) => `${n} cuotas`,
    yourInstallments: 'Tus nuevas cuotas',
    due: 'Vence',
    amount: 'Importe',
    total: 'Total',
    openUntil: (d) => `Esta oferta está abierta hasta el ${d}.`,
    accept: 'Aceptar esta oferta',
    decline: 'No, gracias',
    acceptedTitle: 'Oferta aceptada',
    acceptedHeading: 'Gracias: todo listo',
    accepted: (next) => `Has aceptado nuestra oferta. ${next}`,
    nextDueDate: (d) => `Tu nueva fecha de vencimiento es el ${d}.`,
    firstInstallment: (d) => `Tu primera cuota vence el ${d}.`,
    closeNote: 'Puedes cerrar esta página.',
    declinedTitle: 'Oferta rechazada',
    declinedHeading: 'Has rechazado esta oferta',
    declined: (p) => `No pasa nada. Tu saldo de ${p} sigue como estaba. Si cambias de idea, responde a nuestro correo y te ayudamos.`,
    expiredTitle: 'Esta oferta ha caducado',
    expired: (p, d) => `La oferta para ${p} estaba abierta hasta el ${d}. Responde a nuestro correo y veremos qué podemos hacer.`,
    withdrawnTitle: 'Sin ofertas abiertas',
    withdrawnHeading: 'Ahora mismo no hay ninguna oferta abierta',
    withdrawn: (p) => `Tu cuenta de ${p} ha cambiado desde que te enviamos esta oferta, así que ya no es válida. Si tienes preguntas, responde a nuestro correo.`,
  },
}
