// How `run` and `sweep` take SIGINT and SIGTERM (README, "Signals"): the first asks the simulation
// to stop after the batch in flight, which then writes its checkpoint; the command says so and
// exits 130 (SIGINT) or 143 (SIGTERM). The handlers stay until the command has written its
// outputs (`on`, not `once`): Ctrl-C reaches both this process and a re-spawning parent, which
// forwards it, and a second signal must not kill the process while it writes.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

export class StopSignals {
  /** The signal that stopped the command, if one did. */
  signal?: StopSignal;
  private readonly onSignal = (s: StopSignal) => {
    this.signal = s;
    this.stop();
  };

  constructor(private readonly stop: () => void) {
    for (const s of Object.keys(SIGNAL_EXIT) as StopSignal[]) process.on(s, this.onSignal);
  }

  /** The exit code of a command stopped by a signal. */
  get exitCode(): number | undefined {
    return this.signal && SIGNAL_EXIT[this.signal];
  }

  /** Once the outputs are written: signals take their default action again. */
  release(): void {
    for (const s of Object.keys(SIGNAL_EXIT) as StopSignal[]) process.off(s, this.onSignal);
  }
}
