// What an operation's status is called, wherever it is shown (activity, send, recovery).
import type { OpStatus } from '../bindings';
import { m } from '../paraglide/messages';

const LABELS: Record<OpStatus, () => string> = {
  created: m.op_status_created,
  signed: m.op_status_signed,
  executed: m.op_status_executed,
  confirmed: m.op_status_confirmed,
  failed: m.op_status_failed,
  pending: m.op_status_pending,
};

export const opStatusLabel = (status: OpStatus): string => LABELS[status]();
