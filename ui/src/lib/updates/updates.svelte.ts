// The update state the core pushes (`updateChanged`), shared by the banner and the Settings
// card. The core decides everything (schedule, never downgrade, waiting for idle); this only
// mirrors its state and forwards the user's choices.
import { call, describeError, type Backend } from '../backend';
import type { UpdateStatus } from '../bindings';

export class Updates {
  status = $state<UpdateStatus | null>(null);
  /** A command that could not run at all (not an update outcome, which is in `status`). */
  error = $state<string | null>(null);
  /** The user asked to install in this run, so failures belong in the banner too. */
  attempted = $state(false);

  constructor(private readonly backend: Backend) {
    void call(backend.commands.updateStatus())
      .then((s) => (this.status ??= s))
      .catch((e: unknown) => (this.error = describeError(e)));
    backend.subscribe((event) => {
      if (event.kind === 'updateChanged') this.status = event.status;
    });
  }

  check = () => this.run(this.backend.commands.updateCheck());
  later = () => this.run(this.backend.commands.updateLater());
  install = () => {
    this.attempted = true;
    return this.run(this.backend.commands.updateInstall());
  };

  private async run(command: ReturnType<Backend['commands']['updateStatus']>) {
    this.error = null;
    try {
      this.status = await call(command);
    } catch (e) {
      this.error = describeError(e);
    }
  }
}

const shared = new WeakMap<Backend, Updates>();

/** The one update state per backend (the app has one). */
export function updatesFor(backend: Backend): Updates {
  let u = shared.get(backend);
  if (!u) {
    u = new Updates(backend);
    shared.set(backend, u);
  }
  return u;
}
