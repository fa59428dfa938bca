// The answer of one core command a card waits for (its wallets, a planned payment): the value,
// whether it is on its way, and the failure as a sentence. A new run replaces the last answer.
import { describeError } from '../backend';

export class Answer<T> {
  value = $state<T | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  async run(command: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    this.value = null;
    try {
      this.value = await command();
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.busy = false;
    }
    return this.value;
  }
}
