/** Schedules `callback` after `delayMs`; returns a function that cancels it. */
export type Schedule = (callback: () => void, delayMs: number) => () => void;

/** The real timer, `unref()`ed so a pending deadline never keeps the runner alive. */
export const realSchedule: Schedule = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface ArtilleryDeadlineOptions {
  /** How long Artillery may run past the planned end of the phase it last started (or past its start). */
  readonly marginMs: number;
  /** Called once when the deadline passes, with the reason the run is killed. */
  readonly onTimeout: (reason: string) => void;
  /** @default realSchedule */
  readonly schedule?: Schedule;
}

export interface ArtilleryDeadline {
  /** Moves the deadline to the phase's planned end plus the margin. */
  phaseStarted(phase: { readonly name: string; readonly durationSec: number }): void;
  /** Cancels the deadline (Artillery exited). */
  clear(): void;
}

/**
 * The kill timer of an Artillery run: armed for `marginMs` at start, moved at each phase start to the phase's
 * planned end plus `marginMs`. Time only enters through `schedule`, so the logic runs on a fake clock.
 */
export function createArtilleryDeadline(options: ArtilleryDeadlineOptions): ArtilleryDeadline {
  const { marginMs, onTimeout } = options;
  if (!Number.isFinite(marginMs) || marginMs <= 0) {
    throw new TypeError(`timeoutMarginMs must be a positive number of milliseconds, got ${marginMs}`);
  }
  const schedule = options.schedule ?? realSchedule;
  let waitingFor = 'the first phase to start';
  let cancel: (() => void) | undefined;
  let done = false;
  const arm = (delayMs: number) => {
    cancel?.();
    cancel = schedule(() => {
      cancel = undefined;
      if (done) return;
      done = true;
      onTimeout(`timed out: no exit ${marginMs / 1000} s after ${waitingFor}; killed`);
    }, delayMs);
  };
  arm(marginMs);
  return {
    phaseStarted(phase) {
      if (done) return;
      waitingFor = `phase ${phase.name} (${phase.durationSec} s) should have ended`;
      arm(phase.durationSec * 1000 + marginMs);
    },
    clear() {
      done = true;
      cancel?.();
      cancel = undefined;
    },
  };
}
