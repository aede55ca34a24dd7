/** The progress line (src/progress.ts) with a clock the test moves: when it is drawn, how often, and that it is erased. */
import { describe, expect, it } from 'vitest';
import { createProgress, progressText, PROGRESS_AFTER_MS, PROGRESS_INTERVAL_MS } from '../src/progress.js';

const ERASE = '\r\u001b[2K';

function harness(tty = true) {
  let t = 0;
  let asked = 0;
  const written: string[] = [];
  const p = createProgress({ write: (s) => written.push(s), isTTY: () => (asked++, tty), now: () => t });
  return { p, written, at: (ms: number) => (t = ms), asked: () => asked };
}

describe('progress line', () => {
  it('says the phase and the files read of the total', () => {
    expect(progressText('loading', 1200, 20000)).toBe('oidc-lint: loading… 1200/20000 files read');
    expect(progressText('discovering')).toBe('oidc-lint: discovering…');
    expect(progressText('analysing', 300)).toBe('oidc-lint: analysing… 300 files');
  });

  it('draws nothing (and does not ask whether stderr is a terminal) before the run has taken two seconds', () => {
    const h = harness();
    h.p.update('discovering');
    h.at(PROGRESS_AFTER_MS - 1);
    h.p.update('loading', 10, 100);
    h.p.clear();
    expect(h.written).toEqual([]);
    expect(h.asked()).toBe(0);
  });

  it('after two seconds redraws in place at most once per interval, a new phase at once, and erases the line', () => {
    const h = harness();
    h.at(PROGRESS_AFTER_MS);
    h.p.update('loading', 1, 100);
    h.at(PROGRESS_AFTER_MS + PROGRESS_INTERVAL_MS - 1);
    h.p.update('loading', 2, 100);
    h.at(PROGRESS_AFTER_MS + PROGRESS_INTERVAL_MS);
    h.p.update('loading', 3, 100);
    h.p.update('analysing', 100);
    h.p.clear();
    h.p.clear();
    expect(h.written).toEqual([`${ERASE}oidc-lint: loading… 1/100 files read`, `${ERASE}oidc-lint: loading… 3/100 files read`, `${ERASE}oidc-lint: analysing… 100 files`, ERASE]);
    expect(h.asked()).toBe(1);
  });

  it('draws nothing when stderr is not a terminal, and asks only once', () => {
    const h = harness(false);
    for (let i = 0; i < 5; i++) {
      h.at(PROGRESS_AFTER_MS + i * 1000);
      h.p.update('loading', i, 5);
    }
    h.p.clear();
    expect(h.written).toEqual([]);
    expect(h.asked()).toBe(1);
  });
});
