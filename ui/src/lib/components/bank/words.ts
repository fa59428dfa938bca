// Banking in words: a SEPA payment as the review states what the passkey approves
// ("Pay €120.00 to Jane Doe, FR76 …, reference INV-1"), and a payee check's outcome.
import type { KindPart } from '../../operations';
import { formatFiat } from '../../i18n/format';
import { m } from '../../paraglide/messages';
import type { VopResult } from '../../bindings';

export function paymentInWords(d: KindPart<'sepaPayment'>): string {
  return m.bank_pay_in_words({
    amount: formatFiat(d.amount, 'EUR'),
    name: d.creditorName,
    iban: d.creditorIban,
    reference: d.reference,
  });
}

export function vopText(result: VopResult, matchedName: string | null | undefined): string {
  if (result === 'match') return m.bank_vop_match();
  if (result === 'closeMatch') return m.bank_vop_close({ name: matchedName ?? '?' });
  return m.bank_vop_none();
}
