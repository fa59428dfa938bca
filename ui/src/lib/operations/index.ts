// The UI kit for operations (transfers, recovery changes, and every kind to come): the state of
// one operation, the amount it moves, its review and its progress. A page prepares with its own
// form (asking the amount through `AmountField`), then shows `OperationReview` and
// `OperationProgress` for the same `Operation`.
export { Operation, type Phase } from './operation.svelte';
export { feeText, type Kind, type KindPart, type Review, type Signing } from './review';
export { default as AmountField } from './AmountField.svelte';
export { default as HoldingSelect, holdingKey } from './HoldingSelect.svelte';
export { default as OperationProgress } from './OperationProgress.svelte';
export { default as OperationReview } from './OperationReview.svelte';
