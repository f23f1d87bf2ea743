import { useEffect, useRef, useState } from 'react';
import { formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

export type LiveStatus = 'waiting' | 'live' | 'error';

/** A frame older than this is marked with its time: the camera stopped sending (a cut cable can be a break-in). */
const STALE_MS = 5_000;

/**
 * The camera's low-rate live JPEG, polled one request at a time (never piling up on a slow
 * link), paused while the tile is off screen or the tab hidden. Each frame is a blob URL,
 * revoked when the next one replaces it, so hours of polling hold one frame per tile.
 * The box has a fixed aspect ratio: frames arriving never move the layout.
 */
export function LiveImage({ cameraId, alt, intervalMs = 1_000 }: { cameraId: number; alt: string; intervalMs?: number }) {
  const { t } = useI18n();
  const [src, setSrc] = useState<string | null>(null);
  const [status, setStatus] = useState<LiveStatus>('waiting');
  const [frameAt, setFrameAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const box = useRef<HTMLDivElement>(null);
  const onScreen = useRef(true);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    const obs = new IntersectionObserver((entries) => {
      onScreen.current = entries.some((e) => e.isIntersecting);
    });
    obs.observe(el);
    return () => obs.disconnect();
  }, []);

  useEffect(() => {
    let stopped = false;
    let current: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();
    const next = () => {
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    const tick = async () => {
      if (document.hidden || !onScreen.current) return next();
      try {
        const res = await fetch(`/api/cameras/${cameraId}/live.jpg`, { credentials: 'same-origin', cache: 'no-store', signal: ctl.signal });
        if (res.status === 401) return; // the shell notices the ended session on its next call
        if (!res.ok) {
          setStatus(res.status === 404 ? 'waiting' : 'error');
          return next();
        }
        const url = URL.createObjectURL(await res.blob());
        if (stopped) return URL.revokeObjectURL(url);
        if (current) URL.revokeObjectURL(current);
        current = url;
        setSrc(url);
        setStatus('live');
        const at = Date.parse(res.headers.get('x-frame-time') ?? '');
        setFrameAt(Number.isFinite(at) ? at : null);
        setNow(Date.now());
      } catch (err) {
        if (stopped) return;
        console.warn('live frame failed', cameraId, err);
        setStatus('error');
      }
      next();
    };
    void tick();
    return () => {
      stopped = true;
      ctl.abort();
      clearTimeout(timer);
      if (current) URL.revokeObjectURL(current);
    };
  }, [cameraId, intervalMs]);

  // Compared with the browser clock at arrival: a few seconds of clock skew do not matter here.
  const stale = status === 'live' && frameAt !== null && now - frameAt > STALE_MS;
  return (
    <div className="live" ref={box} data-live={status} data-stale={stale || undefined}>
      {src && <img src={src} alt={alt} width={640} height={360} decoding="async" />}
      {stale && <span className="live-stale">{t('live.stale', { time: formatTime(frameAt!) })}</span>}
      {status !== 'live' && <span className="live-overlay">{status === 'waiting' ? t('live.waiting') : t('live.error')}</span>}
    </div>
  );
}
