import { useCallback, useEffect, useRef, useState } from 'react';
import type { AlertMessage } from '../api/types.js';

const FLASH_MS = 10_000;

/**
 * Which tiles flash (camera id → alert id, for FLASH_MS) and which feed entries are fresh
 * (arrived while the wall was open, at most `cap`). Timers are cleared on unmount.
 */
export function useFlashes(cap: number) {
  const [flashing, setFlashing] = useState<Map<number, number>>(new Map());
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const t of all) clearTimeout(t);
      all.clear();
    };
  }, []);

  const flash = useCallback(
    (arrived: readonly AlertMessage[]) => {
      setFresh((prev) => {
        const next = new Set(prev);
        for (const a of arrived) next.add(a.id);
        return next.size > cap ? new Set([...next].slice(-cap)) : next;
      });
      // A system alert (cameraId null) has no tile to flash; it is fresh in the feed all the same.
      const onTiles = arrived.flatMap((a) => (a.cameraId === null ? [] : [{ id: a.id, cameraId: a.cameraId }]));
      setFlashing((prev) => new Map([...prev, ...onTiles.map((a) => [a.cameraId, a.id] as const)]));
      for (const a of onTiles) {
        const timer = setTimeout(() => {
          timers.current.delete(timer);
          setFlashing((prev) => {
            if (prev.get(a.cameraId) !== a.id) return prev;
            const next = new Map(prev);
            next.delete(a.cameraId);
            return next;
          });
        }, FLASH_MS);
        timers.current.add(timer);
      }
    },
    [cap],
  );

  return { flashing, fresh, flash };
}
