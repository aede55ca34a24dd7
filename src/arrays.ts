/**
 * Appends every item of `items` to `target`. `target.push(...items)` passes each item as an argument
 * and overflows the stack past ~100,000 items: a file with 130,000 duplicate keys, or a
 * CloudFormation `!Split` of 200,000 commas, did that in a loader.
 */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const x of items) target.push(x);
}
