// The words of the starter workflows, in English, German and Spanish, written by hand. Each
// message reads on its own; the email layout adds the button, the summary box and the footer.
// German addresses the customer as "Sie", Spanish as "tú", as businesses usually do in each.
// The SMS texts stay inside GSM-7 (no á, í, ó, ú in Spanish) so one with a short link fits one segment.

const HI = {
  en: 'Hi{% if customer.name %} {{ customer.name }}{% endif %},',
  de: 'Hallo{% if customer.name %} {{ customer.name }}{% endif %},',
  es: 'Hola{% if customer.name %} {{ customer.name }}{% endif %}:',
}
const BYE = {
  en: 'Thank you,\n{{ business.name }}',
  de: 'Vielen Dank\n{{ business.name }}',
  es: 'Gracias,\n{{ business.name }}',
}
const AMOUNT = '{{ payment.amount | money }}'
const PRODUCT = '{{ product.name }}'
const LINK = '{{ links.update_payment }}'
const NEXT_TRY = {
  en: '{% if payment.next_attempt_at %}on {{ payment.next_attempt_at | date: "long" }}{% else %}in a few days{% endif %}',
  de: '{% if payment.next_attempt_at %}am {{ payment.next_attempt_at | date: "long" }}{% else %}in einigen Tagen{% endif %}',
  es: '{% if payment.next_attempt_at %}el {{ payment.next_attempt_at | date: "long" }}{% else %}dentro de unos días{% endif %}',
}

/** A message in the default language (English) and its translations. */
export interface Localized<T> {
  readonly en: T
  readonly de: T
  readonly es: T
}

export interface EmailText {
  readonly subject: string
  readonly body: string
  readonly button_label?: string
}

/** The bank declined for lack of funds: we retry on our own, nothing to do unless they want another card. */
export const INSUFFICIENT_FUNDS: Localized<EmailText> = {
  en: {
    subject: `Your ${PRODUCT} payment didn't go through`,
    body: `${HI.en}\n\nYour bank declined the ${AMOUNT} payment for ${PRODUCT} because the account didn't have enough funds at the time.\n\nNo action is needed: we will try again ${NEXT_TRY.en}. If you would rather pay with a different card, you can change it here:\n\n${LINK}\n\n${BYE.en}`,
    button_label: 'Use a different card',
  },
  de: {
    subject: `Ihre Zahlung für ${PRODUCT} ist nicht durchgegangen`,
    body: `${HI.de}\n\nIhre Bank hat die Zahlung von ${AMOUNT} für ${PRODUCT} abgelehnt, weil das Konto zu dem Zeitpunkt nicht ausreichend gedeckt war.\n\nSie müssen nichts tun: Wir versuchen es ${NEXT_TRY.de} erneut. Wenn Sie lieber mit einer anderen Karte zahlen möchten, können Sie sie hier ändern:\n\n${LINK}\n\n${BYE.de}`,
    button_label: 'Andere Karte verwenden',
  },
  es: {
    subject: `No se pudo procesar tu pago de ${PRODUCT}`,
    body: `${HI.es}\n\nTu banco rechazó el pago de ${AMOUNT} de ${PRODUCT} porque la cuenta no tenía fondos suficientes en ese momento.\n\nNo tienes que hacer nada: lo volveremos a intentar ${NEXT_TRY.es}. Si prefieres pagar con otra tarjeta, puedes cambiarla aquí:\n\n${LINK}\n\n${BYE.es}`,
    button_label: 'Usar otra tarjeta',
  },
}

/** The card expired or was replaced: retrying cannot work, so ask for the current card. */
export const CARD_REPLACED: Localized<EmailText> = {
  en: {
    subject: `Please update your card for ${PRODUCT}`,
    body: `${HI.en}\n\nWe couldn't charge ${AMOUNT} for ${PRODUCT} because the card we have on file has expired or been replaced. Trying again won't help, so please add your current card. It takes about a minute:\n\n${LINK}\n\n${BYE.en}`,
  },
  de: {
    subject: `Bitte aktualisieren Sie Ihre Karte für ${PRODUCT}`,
    body: `${HI.de}\n\nwir konnten ${AMOUNT} für ${PRODUCT} nicht abbuchen, weil die hinterlegte Karte abgelaufen ist oder ersetzt wurde. Ein erneuter Versuch hilft hier nicht, deshalb hinterlegen Sie bitte Ihre aktuelle Karte. Das dauert etwa eine Minute:\n\n${LINK}\n\n${BYE.de}`,
  },
  es: {
    subject: `Actualiza tu tarjeta para ${PRODUCT}`,
    body: `${HI.es}\n\nNo pudimos cobrar ${AMOUNT} de ${PRODUCT} porque la tarjeta que tenemos guardada ha caducado o ha sido sustituida. Volver a intentarlo no servirá, así que añade tu tarjeta actual. Solo lleva un minuto:\n\n${LINK}\n\n${BYE.es}`,
  },
}

/** The bank's own approval page when the processor gave one, else our update-payment page. */
export const APPROVAL_URL = '{% if payment.confirm_url %}{{ payment.confirm_url }}{% else %}{{ links.update_payment }}{% endif %}'

/** The bank wants the customer to approve the payment (authentication_required). */
export const NEEDS_APPROVAL: Localized<EmailText> = {
  en: {
    subject: `Please confirm your ${PRODUCT} payment`,
    body: `${HI.en}\n\nYour bank wants you to approve the ${AMOUNT} payment for ${PRODUCT} before it goes through. This is a routine security check and only takes a moment:\n\n${APPROVAL_URL}\n\n${BYE.en}`,
    button_label: 'Confirm payment',
  },
  de: {
    subject: `Bitte bestätigen Sie Ihre Zahlung für ${PRODUCT}`,
    body: `${HI.de}\n\nIhre Bank möchte, dass Sie die Zahlung von ${AMOUNT} für ${PRODUCT} freigeben, bevor sie ausgeführt wird. Das ist eine übliche Sicherheitsprüfung und dauert nur einen Moment:\n\n${APPROVAL_URL}\n\n${BYE.de}`,
    button_label: 'Zahlung bestätigen',
  },
  es: {
    subject: `Confirma tu pago de ${PRODUCT}`,
    body: `${HI.es}\n\nTu banco necesita que apruebes el pago de ${AMOUNT} de ${PRODUCT} antes de completarlo. Es una comprobación de seguridad habitual y solo lleva un momento:\n\n${APPROVAL_URL}\n\n${BYE.es}`,
    button_label: 'Confirmar pago',
  },
}

/** Any other decline: the bank may have blocked it, or another card may be easier. */
export const DECLINED: Localized<EmailText> = {
  en: {
    subject: `Your ${PRODUCT} payment didn't go through`,
    body: `${HI.en}\n\nWe couldn't charge ${AMOUNT} for ${PRODUCT}: your bank declined the payment.\n\nPlease check with your bank, or update your card if you would like to use another one. We will try the payment again over the next few days.\n\n${LINK}\n\n${BYE.en}`,
  },
  de: {
    subject: `Ihre Zahlung für ${PRODUCT} ist nicht durchgegangen`,
    body: `${HI.de}\n\nwir konnten ${AMOUNT} für ${PRODUCT} nicht abbuchen: Ihre Bank hat die Zahlung abgelehnt.\n\nBitte fragen Sie bei Ihrer Bank nach, oder hinterlegen Sie eine andere Karte, wenn Sie möchten. Wir versuchen die Zahlung in den nächsten Tagen erneut.\n\n${LINK}\n\n${BYE.de}`,
  },
  es: {
    subject: `No se pudo procesar tu pago de ${PRODUCT}`,
    body: `${HI.es}\n\nNo pudimos cobrar ${AMOUNT} de ${PRODUCT}: tu banco rechazó el pago.\n\nConsulta con tu banco o, si lo prefieres, actualiza tu tarjeta. Volveremos a intentar el pago en los próximos días.\n\n${LINK}\n\n${BYE.es}`,
  },
}

/** Still unpaid after the retries (or the wait): the last, plain ask. */
export const STILL_DUE: Localized<EmailText> = {
  en: {
    subject: `Action needed: your ${PRODUCT} payment is still due`,
    body: `${HI.en}\n\nWe still haven't been able to collect ${AMOUNT} for ${PRODUCT}. To keep your access, please update your card:\n\n${LINK}\n\nIf something is wrong, just reply to this email and we will help.\n\n${BYE.en}`,
  },
  de: {
    subject: `Handlungsbedarf: Ihre Zahlung für ${PRODUCT} ist noch offen`,
    body: `${HI.de}\n\nwir konnten ${AMOUNT} für ${PRODUCT} leider noch immer nicht abbuchen. Damit Ihr Zugang bestehen bleibt, aktualisieren Sie bitte Ihre Karte:\n\n${LINK}\n\nFalls etwas nicht stimmt, antworten Sie einfach auf diese E-Mail. Wir helfen gern.\n\n${BYE.de}`,
  },
  es: {
    subject: `Acción necesaria: tu pago de ${PRODUCT} sigue pendiente`,
    body: `${HI.es}\n\nTodavía no hemos podido cobrar ${AMOUNT} de ${PRODUCT}. Para mantener tu acceso, actualiza tu tarjeta:\n\n${LINK}\n\nSi algo no está bien, responde a este correo y te ayudaremos.\n\n${BYE.es}`,
  },
}

/** The SMS after the last email: one GSM-7 segment with a short link and realistic names. */
export const STILL_DUE_SMS: Localized<string> = {
  en: `{{ business.name }}: your ${PRODUCT} payment of ${AMOUNT} is still due. Update your card: ${LINK}`,
  de: `{{ business.name }}: Ihre Zahlung von ${AMOUNT} für ${PRODUCT} ist noch offen. Karte aktualisieren: ${LINK}`,
  es: `{{ business.name }}: tu pago de ${AMOUNT} de ${PRODUCT} sigue pendiente. Actualiza tu tarjeta: ${LINK}`,
}

const PLAN = {
  remaining: '{{ installment_plan.installments_remaining }}',
  total: '{{ installment_plan.installments_total }}',
  balance: '{{ installment_plan.balance_due | money }}',
}

/** An installment plan was canceled: the balance, and an offer to spread it differently. */
export const PLAN_CANCELED: Localized<EmailText> = {
  en: {
    subject: `Your ${PRODUCT} installment plan was canceled`,
    body: `${HI.en}\n\nYour plan for ${PRODUCT} was canceled with ${PLAN.remaining} of ${PLAN.total} installments left. Balance due: ${PLAN.balance}.\n\nIf the timing was the problem, we can spread it out differently:\n\n{{ links.offer }}\n\n${BYE.en}`,
  },
  de: {
    subject: `Ihr Ratenplan für ${PRODUCT} wurde gekündigt`,
    body: `${HI.de}\n\nIhr Ratenplan für ${PRODUCT} wurde gekündigt; ${PLAN.remaining} von ${PLAN.total} Raten sind noch offen. Offener Betrag: ${PLAN.balance}.\n\nWenn der Zeitpunkt das Problem war, können wir die Zahlungen anders verteilen:\n\n{{ links.offer }}\n\n${BYE.de}`,
  },
  es: {
    subject: `Se canceló tu plan de pagos de ${PRODUCT}`,
    body: `${HI.es}\n\nTu plan de pagos de ${PRODUCT} se canceló con ${PLAN.remaining} de ${PLAN.total} cuotas pendientes. Saldo pendiente: ${PLAN.balance}.\n\nSi el problema fue el momento, podemos repartir los pagos de otra manera:\n\n{{ links.offer }}\n\n${BYE.es}`,
  },
}

/** The last note after a declined or expired offer: the door stays open. */
export const PLAN_LAST_NOTE: Localized<EmailText> = {
  en: {
    subject: `We are here if you want to finish ${PRODUCT}`,
    body: `${HI.en}\n\nIf you would like to pick ${PRODUCT} up again later, just reply to this email.\n\n${BYE.en}`,
  },
  de: {
    subject: `Wir sind da, wenn Sie ${PRODUCT} abschließen möchten`,
    body: `${HI.de}\n\nwenn Sie ${PRODUCT} später wieder aufnehmen möchten, antworten Sie einfach auf diese E-Mail.\n\n${BYE.de}`,
  },
  es: {
    subject: `Aquí estamos si quieres terminar ${PRODUCT}`,
    body: `${HI.es}\n\nSi más adelante quieres retomar ${PRODUCT}, responde a este correo.\n\n${BYE.es}`,
  },
}

/** The fields of a send_email step for a localized text (English the default, German and Spanish translations). */
export function localizedEmail(t: Localized<EmailText>, buttonUrl?: string) {
  const label = t.en.button_label
  const button = buttonUrl || label ? { button: { ...(buttonUrl ? { url: buttonUrl } : {}), ...(label ? { label } : {}) } } : {}
  return { subject: t.en.subject, body: t.en.body, ...button, translations: { de: t.de, es: t.es } }
}
