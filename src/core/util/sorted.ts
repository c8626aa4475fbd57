// Binary searches over string arrays sorted in code-unit order (what Array.prototype.sort gives): the
// registry's sorted names, which the fleet search and the Devices tree both slice by prefix.

/** First index whose string is ≥ key. */
export function lowerBound(sorted: readonly string[], key: string, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index range [start, end) of the strings starting with `prefix`: they are contiguous in sorted order. */
export function prefixRange(sorted: readonly string[], prefix: string, from = 0): [number, number] {
  if (prefix === '') return [from, sorted.length];
  const start = lowerBound(sorted, prefix, from);
  // The smallest string greater than every string with the prefix: its last code unit plus one.
  const after = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return [start, lowerBound(sorted, after, start)];
}
