// The time left before a pending recovery can be executed, on the server's clock.

/** Milliseconds from `now` (local) to `deadline` (RFC 3339), given `offset` = server − local time; never negative. */
export function remainingMs(deadline: string, now: number, offset: number): number {
  return Math.max(0, Date.parse(deadline) - (now + offset));
}

export interface CountdownPart {
  value: number;
  unit: 'days' | 'hours' | 'minutes' | 'seconds';
}

/** `ms` as days, hours, minutes and whole seconds. */
export function countdownParts(ms: number): CountdownPart[] {
  const s = Math.floor(ms / 1000);
  return [
    { value: Math.floor(s / 86400), unit: 'days' },
    { value: Math.floor((s % 86400) / 3600), unit: 'hours' },
    { value: Math.floor((s % 3600) / 60), unit: 'minutes' },
    { value: s % 60, unit: 'seconds' },
  ];
}
