/**
 * Compact locations (model/location.ts SpanLocation) compare in tests as the plain
 * `{ file, start, end, path }` they stand for, so that `toEqual` sees their positions.
 */
import { expect } from 'vitest';
import { plainLocation, SpanLocation, type SourceLocation } from '../../src/model/location.js';

expect.addEqualityTesters([
  function spanLocations(this: { equals: (a: unknown, b: unknown, testers?: unknown[]) => boolean }, a: unknown, b: unknown, testers: unknown[]) {
    if (!(a instanceof SpanLocation) && !(b instanceof SpanLocation)) return undefined;
    const plain = (x: unknown) => (x instanceof SpanLocation ? plainLocation(x as SourceLocation) : x);
    return this.equals(plain(a), plain(b), testers);
  } as never,
]);
