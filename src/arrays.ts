/**
 * Appends every item of `items` to `target`. `target.push(...items)` passes each item as an argument
 * and overflows the stack past ~100,000 items: a file with 130,000 duplicate keys, or a
 * CloudFormation `!Split` of 200,000 commas, did that in a loader.
 */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const x of items) target.push(x);
}

/** The spans strictly inside [start, end), from a list sorted by start (binary search, not a scan per lookup). */
export function spansWithin<T extends { start: number; end: number }>(sorted: readonly T[], start: number, end: number): T[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].start > start) hi = mid;
    else lo = mid + 1;
  }
  const out: T[] = [];
  for (let i = lo; i < sorted.length && sorted[i].end < end; i++) out.push(sorted[i]);
  return out;
}
