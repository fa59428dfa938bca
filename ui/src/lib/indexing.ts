// IBEx answers 404 while it indexes a new address and says to retry in 5–10 s (account.md §4).
// The page retries on its own with a growing pause, up to a cap, then waits for the user.

/** Automatic retries before the page stops and offers "Check now" only. */
export const AUTO_RETRIES = 6;

/** Pause before automatic retry `attempt` (1-based): 5 s, 10 s, 20 s, then 30 s. */
export function indexingDelayMs(attempt: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempt - 1), 30000);
}
