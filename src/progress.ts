/**
 * The progress line of a long run: `oidc-lint: loading… 1200/20000 files read` on stderr, redrawn in
 * place, erased before anything else is written. Drawn only on a terminal and only once the run has
 * taken PROGRESS_AFTER_MS (a pre-commit run never shows one), at most once per PROGRESS_INTERVAL_MS.
 *
 * Whether stderr is a terminal is asked only when the line would first be drawn: asking creates
 * Node's stderr stream (and loads its stream modules), which a short run never pays for.
 */

export type ProgressPhase = 'discovering' | 'loading' | 'analysing' | 'reporting';

/** A run shorter than this shows nothing. */
export const PROGRESS_AFTER_MS = 2000;
/** At most ten redraws a second. */
export const PROGRESS_INTERVAL_MS = 100;

const ERASE = '\r\u001b[2K';

export interface ProgressOptions {
  /** Where the line goes (stderr as is: the line carries terminal controls). */
  write: (s: string) => void;
  /** Whether stderr is a terminal; asked once, when the line would first be drawn. */
  isTTY: () => boolean;
  /** Milliseconds since the process started (performance.now). */
  now?: () => number;
  /** Draw from the start rather than after PROGRESS_AFTER_MS (OIDC_LINT_DEBUG=progress). */
  afterMs?: number;
}

export interface Progress {
  /** The phase the run is in, with the files read so far and how many there are (or how many files it works on). */
  update(phase: ProgressPhase, done?: number, total?: number): void;
  /** Erases the line if it is drawn (before any other output, and at the end). */
  clear(): void;
}

export function progressText(phase: ProgressPhase, done?: number, total?: number): string {
  const counts = total !== undefined ? ` ${done ?? 0}/${total} files read` : done !== undefined ? ` ${done} files` : '';
  return `oidc-lint: ${phase}…${counts}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now());
  const after = options.afterMs ?? PROGRESS_AFTER_MS;
  let tty: boolean | undefined;
  let shown = '';
  let lastDraw = -Infinity;
  let lastPhase: ProgressPhase | undefined;
  return {
    update(phase, done, total) {
      if (tty === false) return;
      const t = now();
      // A new phase is drawn at once (the next may be long and synchronous); counts at most every interval.
      if (t < after || (phase === lastPhase && t - lastDraw < PROGRESS_INTERVAL_MS)) return;
      if (tty === undefined) tty = options.isTTY();
      if (!tty) return;
      const text = progressText(phase, done, total);
      lastPhase = phase;
      lastDraw = t;
      if (text === shown) return;
      options.write(`${ERASE}${text}`);
      shown = text;
    },
    clear() {
      if (!shown) return;
      options.write(ERASE);
      shown = '';
      // Whatever is drawn next waits for the interval again only within a phase.
      lastPhase = undefined;
    },
  };
}
