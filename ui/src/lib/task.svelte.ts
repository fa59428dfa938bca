import { describeError } from './backend';

/**
 * One async action of a form at a time: what runs (a progress label, or `true`), and the last
 * failure in words. `run` clears the error, marks the task busy, and always ends it.
 */
export class Task {
  running = $state<string | true | null>(null);
  error = $state<string | null>(null);

  get busy(): boolean {
    return this.running !== null;
  }

  async run(action: () => Promise<void>, label: string | true = true): Promise<void> {
    this.running = label;
    this.error = null;
    try {
      await action();
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.running = null;
    }
  }
}
