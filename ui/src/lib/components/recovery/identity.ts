// The identity recovery registers: its fields as the form asks for them and the review shows them.
import type { PersonalField } from '../../bindings';
import { m } from '../../paraglide/messages';

export interface IdentityField {
  id: PersonalField;
  /** Functions: said in the language in force when shown. */
  label: () => string;
  hint?: () => string;
  autocomplete: HTMLInputElement['autocomplete'];
}

export const IDENTITY_FIELDS: readonly IdentityField[] = [
  {
    id: 'firstName',
    label: m.id_first_names,
    hint: m.id_first_names_hint,
    autocomplete: 'given-name',
  },
  { id: 'lastName', label: m.id_last_name, autocomplete: 'family-name' },
  { id: 'birthDate', label: m.id_birth_date, hint: m.id_birth_date_hint, autocomplete: 'off' },
  { id: 'birthCity', label: m.id_birth_city, autocomplete: 'off' },
  { id: 'birthCountry', label: m.id_birth_country, autocomplete: 'off' },
];
