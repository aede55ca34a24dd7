/** The shape of bench/results.json (written by run.ts, read by render.ts). */

export interface Sample {
  wallMs: number;
  /** User + system CPU time of the whole process (all threads). */
  cpuMs: number;
  userMs: number;
  sysMs: number;
  /** Peak resident set size of the process. */
  maxRssMB: number;
  /** The process failed (exit code or signal, and the error): left out of the medians. */
  failed?: string;
}

/** Medians of the samples that completed. */
export interface Measured {
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  samples: Sample[];
  /** How many runs failed, and the first one's reason. */
  failures?: number;
  failure?: string;
}

export interface Ratio {
  /** Median of the per-round ratios to the floor. */
  wall: number;
  cpu: number;
}

export interface ScalePoint {
  files: number;
  /** Rounds at this size (fewer at the largest sizes). */
  runs?: number;
  workflows: number;
  policies: number;
  mib: number;
  lint: Measured;
  floor: Measured;
  ratio: Ratio;
  findings: number;
}

export interface Case {
  title: string;
  files: number;
  workflows: number;
  policies: number;
  mib: number;
  lint: Measured;
  lint1: Measured;
  floor: Measured;
  ratio: Ratio;
  ratio1: Ratio;
  /** What OIDC_LINT_DEBUG=pool said about the worker thread. */
  worker: string;
  findings: number;
}

export interface BenchResults {
  version: 1;
  /** YYYY-MM-DD */
  date: string;
  commit: string;
  machine: { cores: number; cpu: string; memGiB: number; node: string; os: string };
  runs: number;
  scale: ScalePoint[];
  cases?: { irrelevant?: Case; terraform?: Case };
  startup?: { nodeMs: number; lintMs: number; floorMs: number; imports: { name: string; ms: number }[] };
  actionlint?: { workflows: number; version: string; lintMs: number; actionlintMs: number; lintCpuMs?: number; actionlintCpuMs?: number };
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
