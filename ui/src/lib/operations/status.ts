// Where an operation is on its way CREATED → SIGNED → EXECUTED → CONFIRMED | FAILED, and how
// two reports of the same operation combine.
import type { OperationUpdate, OpStatus } from '../bindings';
import { m } from '../paraglide/messages';

/** The steps the timeline shows, in order. */
export const STEPS = ['created', 'signed', 'executed', 'confirmed'] as const satisfies readonly OpStatus[];

const LABELS: Record<OpStatus, () => string> = {
  created: m.op_status_created,
  signed: m.op_status_signed,
  executed: m.op_status_executed,
  confirmed: m.op_status_confirmed,
  failed: m.op_status_failed,
  pending: m.op_status_pending,
};

/** What a status is called, in the current language. */
export const statusLabel = (status: OpStatus): string => LABELS[status]();

/** The statuses after which nothing changes any more. */
export type FinalStatus = 'confirmed' | 'failed';

const NOW: Record<Exclude<OpStatus, FinalStatus>, () => string> = {
  created: m.op_now_created,
  signed: m.op_now_signed,
  executed: m.op_now_executed,
  pending: m.op_now_pending,
};

/** What is happening at a status that is not final, in the current language. */
export const statusNow = (status: Exclude<OpStatus, FinalStatus>): string => NOW[status]();

export function isFinal(status: OpStatus): status is FinalStatus {
  return status === 'confirmed' || status === 'failed';
}

/** How far along a status is; `pending` (a state this version does not know) is before every step. */
function rank(status: OpStatus): number {
  if (status === 'failed') return STEPS.length;
  return STEPS.indexOf(status as (typeof STEPS)[number]);
}

/** Whether the timeline's `step` is reached at `status` (none is, once it failed). */
export function reached(status: OpStatus, step: (typeof STEPS)[number]): boolean {
  return status !== 'failed' && rank(status) >= rank(step);
}

/**
 * The newer of two reports of one operation. The approve command's answer and the core's
 * events travel separately and may arrive in either order, so a report never moves the
 * operation backwards, and a final one is kept.
 */
export function latest(current: OperationUpdate | null, next: OperationUpdate): OperationUpdate {
  if (!current || current.userOpHash !== next.userOpHash) return next;
  if (isFinal(current.status)) return current;
  return rank(next.status) >= rank(current.status) ? next : current;
}
