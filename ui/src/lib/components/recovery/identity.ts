// The identity recovery registers: its fields as the form asks for them and the review shows them.
import type { PersonalField } from '../../bindings';

export interface IdentityField {
  id: PersonalField;
  label: string;
  hint?: string;
  autocomplete: HTMLInputElement['autocomplete'];
}

export const IDENTITY_FIELDS: readonly IdentityField[] = [
  {
    id: 'firstName',
    label: 'First names',
    hint: 'All of them, as on your identity document',
    autocomplete: 'given-name',
  },
  { id: 'lastName', label: 'Last name', autocomplete: 'family-name' },
  { id: 'birthDate', label: 'Birth date', hint: 'YYYY-MM-DD', autocomplete: 'off' },
  { id: 'birthCity', label: 'City of birth', autocomplete: 'off' },
  { id: 'birthCountry', label: 'Country of birth', autocomplete: 'off' },
];
