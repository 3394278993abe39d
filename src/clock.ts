// Milliseconds on the monotonic clock, for durations and deadlines: a wall-clock step (NTP)
// must not stretch a wait. Not performance.now(): its first use loads perf_hooks (about 1 ms).

/** Milliseconds since an arbitrary start, never going back. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
