import type { DeclineKind } from '../../domain/decline-kind.js'
import type { UiLanguage } from '../../domain/locale.js'

// The portal pages' words in English, German and Spanish, written by hand. German addresses the
// customer as "Sie", Spanish as "tú", like the starter messages.

export interface PageCopy {
  readonly privateLink: string
  readonly product: string
  readonly amountDue: string
  readonly paymentTitle: (product: string) => string
  readonly planTitle: (product: string) => string
  readonly whatHappened: string
  readonly whatToDo: string
  readonly updateCardIntro: string
  readonly updateCard: string
  readonly retryIntro: string
  readonly retryNow: string
  readonly replyForCard: string
  readonly retryAlreadyTitle: string
  readonly retryThanksTitle: string
  readonly retryAlready: string
  readonly retryThanks: string
  readonly retryNote: string
  readonly settledTitle: string
  readonly settledHeading: string
  readonly settled: (product: string) => string
  readonly unsubscribeTitle: string
  readonly unsubscribeHeading: (business: string) => string
  /** Split around the (bold) email address. */
  readonly unsubscribeWillStop: readonly [string, string]
  readonly unsubscribeButton: string
  readonly unsubscribeNote: string
  readonly unsubscribedTitle: string
  readonly unsubscribedHeading: string
  readonly unsubscribedEmail: readonly [string, string]
  readonly unsubscribedYou: string
  readonly unsubscribedNote: string
  readonly noOfferTitle: string
  readonly noOfferHeading: string
  readonly noOffer: (product: string) => string
  readonly yourSubscription: string
  readonly linkInvalidTitle: string
  readonly linkInvalid: string
  readonly linkExpiredTitle: string
  readonly linkExpired: string
  readonly tooManyTitle: string
  readonly tooMany: string
  readonly openLinkTitle: string
  readonly openLink: string
  /** What happened, when the processor's own words are not in the customer's language. */
  readonly declined: Readonly<Record<DeclineKind, string>>
  readonly planCanceledWith: (amount: string) => string
  readonly planCanceled: string
}

export const PAGE_COPY: Readonly<Record<UiLanguage, PageCopy>> = {
  en: {
    privateLink: 'This page was opened from a private link we sent you. Please do not share it.',
    product: 'Product',
    amountDue: 'Amount due',
    paymentTitle: (p) => `Your ${p} payment didn't go through`,
    planTitle: (p) => `Your ${p} plan has a balance due`,
    whatHappened: 'What happened',
    whatToDo: 'What to do',
    updateCardIntro: "Use a different card, or update the one you have: you enter it on our payment provider's secure page, and we charge it straight away.",
    updateCard: 'Update card',
    retryIntro: 'If the problem is sorted — for example your bank has approved the charge or the card has funds again — ask us to try the payment again now.',
    retryNow: 'Retry my payment now',
    replyForCard: 'Need to use a different card? Reply to our email and we will help you update it.',
    retryAlreadyTitle: 'We already have your request',
    retryThanksTitle: 'Thanks — we will retry your payment',
    retryAlready: 'You asked us to retry this payment earlier today, so there is nothing more to do.',
    retryThanks: 'We have your request and will try the payment again shortly.',
    retryNote: 'You can close this page. If the payment still fails, we will let you know.',
    settledTitle: 'Nothing to pay',
    settledHeading: "You're all set",
    settled: (p) => `Your ${p} payment has gone through. There is nothing to do.`,
    unsubscribeTitle: 'Unsubscribe',
    unsubscribeHeading: (b) => `Stop emails from ${b}?`,
    unsubscribeWillStop: ['We will stop sending email to ', '.'],
    unsubscribeButton: 'Unsubscribe me',
    unsubscribeNote: 'Changed your mind? Just close this page.',
    unsubscribedTitle: 'Unsubscribed',
    unsubscribedHeading: "You're unsubscribed",
    unsubscribedEmail: ['We will not email ', ' any more.'],
    unsubscribedYou: 'We will not email you any more.',
    unsubscribedNote: 'If this was a mistake, reply to any earlier email from us and we will turn it back on.',
    noOfferTitle: 'No open offer',
    noOfferHeading: 'There is no open offer right now',
    noOffer: (p) => `We don't have an offer for your ${p} at the moment. If you expected one, reply to our email and we will help.`,
    yourSubscription: 'your subscription',
    linkInvalidTitle: 'This link is not valid',
    linkInvalid: 'Please open the newest email or message we sent you, or reply to it and we will help.',
    linkExpiredTitle: 'This link has expired',
    linkExpired: 'For your security our links stop working after a while. Contact us or use the link in our newest email.',
    tooManyTitle: 'Please wait a moment',
    tooMany: 'This address has opened too many links that do not exist. Please try again in a minute.',
    openLinkTitle: 'Please open the link',
    openLink: 'Open the link from our email or message in your browser.',
    declined: {
      insufficient_funds: "Your bank declined the payment because the account didn't have enough funds at the time.",
      card_replaced: 'The card we have on file has expired or been replaced.',
      needs_approval: 'Your bank wants you to approve the payment before it goes through.',
      other: 'We could not collect your latest payment.',
    },
    planCanceledWith: (a) => `Your installment plan was canceled with ${a} still to pay.`,
    planCanceled: 'Your installment plan was canceled before it was paid in full.',
  },
  de: {
    privateLink: 'Sie haben diese Seite über einen persönlichen Link von uns geöffnet. Bitte geben Sie ihn nicht weiter.',
    product: 'Produkt',
    amountDue: 'Offener Betrag',
    paymentTitle: (p) => `Ihre Zahlung für ${p} ist nicht durchgegangen`,
    planTitle: (p) => `Für Ihren Plan ${p} ist ein Betrag offen`,
    whatHappened: 'Was ist passiert?',
    whatToDo: 'Was können Sie tun?',
    updateCardIntro: 'Verwenden Sie eine andere Karte oder aktualisieren Sie Ihre bisherige: Sie geben sie auf der sicheren Seite unseres Zahlungsanbieters ein, und wir buchen sofort ab.',
    updateCard: 'Karte aktualisieren',
    retryIntro: 'Wenn das Problem gelöst ist – zum Beispiel hat Ihre Bank die Zahlung freigegeben oder das Konto ist wieder gedeckt –, können Sie uns bitten, die Zahlung jetzt erneut zu versuchen.',
    retryNow: 'Zahlung jetzt erneut versuchen',
    replyForCard: 'Sie möchten eine andere Karte verwenden? Antworten Sie auf unsere E-Mail, wir helfen Ihnen gern.',
    retryAlreadyTitle: 'Ihre Anfrage liegt uns schon vor',
    retryThanksTitle: 'Danke – wir versuchen die Zahlung erneut',
    retryAlready: 'Sie haben heute bereits um einen neuen Versuch gebeten. Sie müssen nichts weiter tun.',
    retryThanks: 'Ihre Anfrage ist angekommen. Wir versuchen die Zahlung in Kürze erneut.',
    retryNote: 'Sie können diese Seite schließen. Falls die Zahlung wieder fehlschlägt, melden wir uns.',
    settledTitle: 'Nichts zu zahlen',
    settledHeading: 'Alles erledigt',
    settled: (p) => `Ihre Zahlung für ${p} ist eingegangen. Sie müssen nichts mehr tun.`,
    unsubscribeTitle: 'Abmelden',
    unsubscribeHeading: (b) => `Keine E-Mails mehr von ${b}?`,
    unsubscribeWillStop: ['Wir senden dann keine E-Mails mehr an ', '.'],
    unsubscribeButton: 'Abmelden',
    unsubscribeNote: 'Doch nicht? Schließen Sie einfach diese Seite.',
    unsubscribedTitle: 'Abgemeldet',
    unsubscribedHeading: 'Sie sind abgemeldet',
    unsubscribedEmail: ['Wir senden keine E-Mails mehr an ', '.'],
    unsubscribedYou: 'Wir senden Ihnen keine E-Mails mehr.',
    unsubscribedNote: 'War das ein Versehen? Antworten Sie auf eine frühere E-Mail von uns, dann schalten wir sie wieder ein.',
    noOfferTitle: 'Kein offenes Angebot',
    noOfferHeading: 'Zurzeit gibt es kein offenes Angebot',
    noOffer: (p) => `Für ${p} haben wir im Moment kein Angebot. Falls Sie eines erwartet haben, antworten Sie auf unsere E-Mail – wir helfen gern.`,
    yourSubscription: 'Ihr Abonnement',
    linkInvalidTitle: 'Dieser Link ist ungültig',
    linkInvalid: 'Bitte öffnen Sie unsere neueste E-Mail oder Nachricht, oder antworten Sie darauf – wir helfen gern.',
    linkExpiredTitle: 'Dieser Link ist abgelaufen',
    linkExpired: 'Zu Ihrer Sicherheit funktionieren unsere Links nur eine Zeit lang. Schreiben Sie uns oder nutzen Sie den Link aus unserer neuesten E-Mail.',
    tooManyTitle: 'Bitte warten Sie einen Moment',
    tooMany: 'Von dieser Adresse wurden zu viele Links geöffnet, die es nicht gibt. Bitte versuchen Sie es in einer Minute erneut.',
    openLinkTitle: 'Bitte öffnen Sie den Link',
    openLink: 'Öffnen Sie den Link aus unserer E-Mail oder Nachricht in Ihrem Browser.',
    declined: {
      insufficient_funds: 'Ihre Bank hat die Zahlung abgelehnt, weil das Konto zu dem Zeitpunkt nicht ausreichend gedeckt war.',
      card_replaced: 'Die hinterlegte Karte ist abgelaufen oder wurde ersetzt.',
      needs_approval: 'Ihre Bank möchte, dass Sie die Zahlung freigeben, bevor sie ausgeführt wird.',
      other: 'Wir konnten Ihre letzte Zahlung nicht abbuchen.',
    },
    planCanceledWith: (a) => `Ihr Ratenplan wurde gekündigt; ${a} sind noch offen.`,
    planCanceled: 'Ihr Ratenplan wurde gekündigt, bevor er vollständig bezahlt war.',
  },
  es: {
    privateLink: 'Has abierto esta página desde un enlace privado que te enviamos. Por favor, no lo compartas.',
    product: 'Producto',
    amountDue: 'Importe pendiente',
    paymentTitle: (p) => `No se pudo procesar tu pago de ${p}`,
    planTitle: (p) => `Tu plan de ${p} tiene un saldo pendiente`,
    whatHappened: 'Qué ha pasado',
    whatToDo: 'Qué puedes hacer',
    updateCardIntro: 'Usa otra tarjeta o actualiza la que tienes: la introduces en la página segura de nuestro proveedor de pagos y la cobramos al momento.',
    updateCard: 'Actualizar tarjeta',
    retryIntro: 'Si ya está resuelto (por ejemplo, tu banco ha aprobado el cargo o la cuenta vuelve a tener fondos), pídenos que intentemos el pago de nuevo ahora.',
    retryNow: 'Reintentar el pago ahora',
    replyForCard: '¿Quieres usar otra tarjeta? Responde a nuestro correo y te ayudamos a cambiarla.',
    retryAlreadyTitle: 'Ya tenemos tu solicitud',
    retryThanksTitle: 'Gracias: volveremos a intentar el pago',
    retryAlready: 'Ya nos pediste hoy que reintentáramos este pago, así que no tienes que hacer nada más.',
    retryThanks: 'Hemos recibido tu solicitud y volveremos a intentar el pago en breve.',
    retryNote: 'Puedes cerrar esta página. Si el pago vuelve a fallar, te avisaremos.',
    settledTitle: 'Nada que pagar',
    settledHeading: 'Todo en orden',
    settled: (p) => `Tu pago de ${p} se ha completado. No tienes que hacer nada.`,
    unsubscribeTitle: 'Darse de baja',
    unsubscribeHeading: (b) => `¿Dejar de recibir correos de ${b}?`,
    unsubscribeWillStop: ['Dejaremos de enviar correos a ', '.'],
    unsubscribeButton: 'Darme de baja',
    unsubscribeNote: '¿Has cambiado de idea? Cierra esta página.',
    unsubscribedTitle: 'Baja confirmada',
    unsubscribedHeading: 'Te has dado de baja',
    unsubscribedEmail: ['No volveremos a enviar correos a ', '.'],
    unsubscribedYou: 'No volveremos a enviarte correos.',
    unsubscribedNote: 'Si ha sido un error, responde a cualquier correo anterior nuestro y lo volveremos a activar.',
    noOfferTitle: 'Sin ofertas abiertas',
    noOfferHeading: 'Ahora mismo no hay ninguna oferta abierta',
    noOffer: (p) => `Ahora mismo no tenemos ninguna oferta para ${p}. Si esperabas una, responde a nuestro correo y te ayudamos.`,
    yourSubscription: 'tu suscripción',
    linkInvalidTitle: 'Este enlace no es válido',
    linkInvalid: 'Abre el correo o mensaje más reciente que te enviamos, o respóndelo y te ayudaremos.',
    linkExpiredTitle: 'Este enlace ha caducado',
    linkExpired: 'Por tu seguridad, nuestros enlaces dejan de funcionar pasado un tiempo. Escríbenos o usa el enlace de nuestro correo más reciente.',
    tooManyTitle: 'Espera un momento',
    tooMany: 'Desde esta dirección se han abierto demasiados enlaces que no existen. Vuelve a intentarlo dentro de un minuto.',
    openLinkTitle: 'Abre el enlace',
    openLink: 'Abre el enlace de nuestro correo o mensaje en tu navegador.',
    declined: {
      insufficient_funds: 'Tu banco rechazó el pago porque la cuenta no tenía fondos suficientes en ese momento.',
      card_replaced: 'La tarjeta que tenemos guardada ha caducado o ha sido sustituida.',
      needs_approval: 'Tu banco necesita que apruebes el pago antes de completarlo.',
      other: 'No pudimos cobrar tu último pago.',
    },
    planCanceledWith: (a) => `Tu plan de pagos se canceló con ${a} pendientes de pago.`,
    planCanceled: 'Tu plan de pagos se canceló antes de pagarse por completo.',
  },
}

/**
 * The language of a page: the customer's when known, else the first of the browser's
 * (Accept-Language) that Recoup speaks, else English.
 */
export function pageLanguage(customerLocale: string | null | undefined, acceptLanguage?: string | string[]): UiLanguage {
  const known = (tag: string): UiLanguage | undefined => {
    const lang = tag.trim().split(/[-_;]/)[0]!.toLowerCase()
    return lang in PAGE_COPY ? (lang as UiLanguage) : undefined
  }
  if (customerLocale) return known(customerLocale) ?? 'en'
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '')
  const ranked = header
    .split(',')
    .map((part, i) => ({ tag: part.split(';')[0]!, q: Number(/;\s*q=([\d.]+)/.exec(part)?.[1] ?? 1), i }))
    .filter((x) => x.tag.trim() !== '' && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  for (const { tag } of ranked) {
    const lang = known(tag)
    if (lang) return lang
  }
  return 'en'
}
