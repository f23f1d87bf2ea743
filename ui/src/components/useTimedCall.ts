import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../api/http.js';

export interface TimedCall<T> {
  busy: boolean;
  startedAt: number | null;
  error: unknown;
  result: T | null;
  run(fn: (signal: AbortSignal) => Promise<T>): Promise<T | null>;
  cancel(): void;
  clear(): void;
}

/**
 * A slow call (probe, discovery, test frame) with a visible limit: the spinner shows the
 * seconds against `limitMs`, and the call is aborted there with a `timeout` error. A newer
 * run cancels the older one.
 */
export function useTimedCall<T>(limitMs: number): TimedCall<T> {
  const [busy, setBusy] = useState(false);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<T | null>(null);
  const ctl = useRef<AbortController | null>(null);

  const run = useCallback(
    async (fn: (signal: AbortSignal) => Promise<T>) => {
      ctl.current?.abort();
      const mine = new AbortController();
      ctl.current = mine;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        mine.abort();
      }, limitMs);
      setBusy(true);
      setStartedAt(Date.now());
      setError(null);
      setResult(null);
      try {
        const r = await fn(mine.signal);
        if (ctl.current === mine) setResult(r);
        return r;
      } catch (err) {
        if (ctl.current !== mine) return null;
        setError(
          timedOut ? new ApiError('timeout', 0, { seconds: Math.round(limitMs / 1000) }) : err instanceof ApiError && err.code === 'aborted' ? null : err,
        );
        return null;
      } finally {
        clearTimeout(timer);
        if (ctl.current === mine) {
          setBusy(false);
          setStartedAt(null);
        }
      }
    },
    [limitMs],
  );
  const cancel = useCallback(() => ctl.current?.abort(), []);
  const clear = useCallback(() => {
    setResult(null);
    setError(null);
  }, []);
  return { busy, startedAt, error, result, run, cancel, clear };
}
