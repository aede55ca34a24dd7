/**
 * Offsets → 1-based positions for one file. Offsets and columns are UTF-16 code units (JavaScript
 * string indices), which is what SARIF and editors count; parsers that report other units convert
 * to offsets first.
 */
import type { Position, SourceLocation } from '../../model/location.js';

export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.lineStarts[lo] + 1 };
  }

  /** Offset of a 1-based position (inverse of `position`). */
  offset(line: number, column: number): number {
    const start = this.lineStarts[Math.max(0, Math.min(line - 1, this.lineStarts.length - 1))];
    return start + column - 1;
  }

  loc(start: number, end: number, path?: string): SourceLocation {
    const l: SourceLocation = { file: this.file, start: this.position(start), end: this.position(end) };
    if (path !== undefined) l.path = path;
    return l;
  }
}
