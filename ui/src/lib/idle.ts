// Calls `onIdle` once after `ms` without user input on `target`; returns a function that stops
// watching. Any input restarts the wait.
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

export function watchIdle(target: EventTarget, ms: number, onIdle: () => void): () => void {
  let timer = setTimeout(onIdle, ms);
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, ms);
  };
  for (const e of INPUT_EVENTS) target.addEventListener(e, reset, { passive: true });
  return () => {
    clearTimeout(timer);
    for (const e of INPUT_EVENTS) target.removeEventListener(e, reset);
  };
}
