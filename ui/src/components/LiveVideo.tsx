import { useEffect, useRef, useState } from 'react';
import type { LiveStartReply } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { acquireLiveSocket, mimeOfInit, releaseLiveSocket } from '../realtime/live.socket.js';
import { call } from '../realtime/socket.js';
import { LiveImage } from './LiveImage.js';

/** Behind the newest frame by more than this, playback jumps to the live edge. */
const MAX_DELAY_S = 1.0;
const EDGE_S = 0.15;
/** Media kept behind the playhead (seconds): the wall runs all day. */
const KEEP_S = 20;

type Mode = { kind: 'connecting' } | { kind: 'video'; sub: boolean } | { kind: 'jpeg'; reason: 'h265' | 'masked' | 'not_recording' | 'unsupported' };

/**
 * A camera's live video: fragmented MP4 over the app's socket into Media Source Extensions,
 * kept at the live edge. Where video cannot be shown (H.265, privacy masks for this viewer, no
 * recording, no MSE) the live JPEG stands in, with a note saying why.
 */
export function LiveVideo({ cameraId, name }: { cameraId: number; name: string }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [mode, setMode] = useState<Mode>(() => (typeof MediaSource === 'undefined' ? { kind: 'jpeg', reason: 'unsupported' } : { kind: 'connecting' }));

  useEffect(() => {
    if (typeof MediaSource === 'undefined' || !video.current) return;
    const el = video.current;
    const socket = acquireLiveSocket();
    const player = new MsePlayer(el);
    let closed = false;
    const start = () => {
      call(socket, 'live:start', { cameraId })
        .then((r: LiveStartReply) => {
          if (closed) return;
          if (r.mode === 'jpeg') player.close(); // no more video until asked again
          setMode(r.mode === 'fmp4' ? { kind: 'video', sub: r.source === 'sub' } : { kind: 'jpeg', reason: r.reason });
        })
        .catch((err: unknown) => console.warn('live video refused', cameraId, err));
    };
    const onInit = (m: { cameraId: number; data: ArrayBuffer | Uint8Array }) => m.cameraId === cameraId && player.init(new Uint8Array(m.data));
    const onMedia = (m: { cameraId: number; data: ArrayBuffer | Uint8Array }) => m.cameraId === cameraId && player.append(new Uint8Array(m.data));
    // The answer no longer holds (e.g. asked before the camera's codec was known): ask again.
    const onChanged = (m: { cameraId: number }) => m.cameraId === cameraId && start();
    socket.on('live:init', onInit);
    socket.on('live:media', onMedia);
    socket.on('live:changed', onChanged);
    socket.on('connect', start);
    if (socket.connected) start();
    return () => {
      closed = true;
      socket.off('live:init', onInit);
      socket.off('live:media', onMedia);
      socket.off('live:changed', onChanged);
      socket.off('connect', start);
      if (socket.connected) socket.emit('live:stop', { cameraId }, () => undefined);
      player.close();
      releaseLiveSocket();
    };
  }, [cameraId]);

  // The <video> stays mounted under the JPEG: the player holds it, and video may come later.
  const jpeg = mode.kind === 'jpeg' ? mode : null;
  const note =
    jpeg?.reason === 'h265'
      ? t('live.jpegNote')
      : jpeg?.reason === 'masked'
        ? t('live.maskedNote')
        : jpeg?.reason === 'unsupported'
          ? t('live.unsupported')
          : null;
  return (
    <>
      {jpeg && (
        <div className="live-fallback" data-live-mode="jpeg" data-reason={jpeg.reason}>
          <LiveImage cameraId={cameraId} alt={name} />
          {note && <p className="live-note">{note}</p>}
        </div>
      )}
      <div className="live live-video" data-live-mode={mode.kind} style={jpeg ? { display: 'none' } : undefined}>
        <video ref={video} data-testid="live-video" data-camera-id={cameraId} muted autoPlay playsInline aria-label={t('live.label', { name })} />
        {mode.kind === 'connecting' && <span className="live-overlay">{t('live.connecting')}</span>}
        {mode.kind === 'video' && mode.sub && (
          <span className="live-overlay live-sub" data-testid="live-sub-note">
            {t('rec3.subStream')}
          </span>
        )}
      </div>
    </>
  );
}

/** MediaSource plumbing: one SourceBuffer, appends queued while it is busy, playback held at the live edge. */
class MsePlayer {
  private ms: MediaSource | null = null;
  private sb: SourceBuffer | null = null;
  private queue: Uint8Array[] = [];
  private url: string | null = null;

  constructor(private readonly el: HTMLVideoElement) {}

  /** A (new) init segment: a fresh MediaSource, since the picture size or codec may have changed. */
  init(data: Uint8Array): void {
    this.close();
    const ms = new MediaSource();
    this.ms = ms;
    this.url = URL.createObjectURL(ms);
    this.el.src = this.url;
    ms.addEventListener(
      'sourceopen',
      () => {
        if (this.ms !== ms) return;
        const sb = ms.addSourceBuffer(mimeOfInit(data));
        sb.mode = 'segments';
        this.sb = sb;
        sb.addEventListener('updateend', () => this.pump());
        this.queue.unshift(data);
        this.pump();
      },
      { once: true },
    );
  }

  append(data: Uint8Array): void {
    if (!this.ms) return; // before the init segment: nothing can be decoded
    this.queue.push(data);
    this.pump();
  }

  close(): void {
    this.queue = [];
    this.sb = null;
    this.ms = null;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }

  private pump(): void {
    const sb = this.sb;
    if (!sb || sb.updating) return;
    if (this.chaseEdge(sb)) return; // trimming: updateend pumps again
    const next = this.queue.shift();
    if (!next) return;
    try {
      sb.appendBuffer(next as Uint8Array<ArrayBuffer>);
    } catch (err) {
      console.warn('live video append failed', err);
      this.queue = [];
    }
  }

  /** Jumps to the live edge when behind; trims old media (true: a removal is running). */
  private chaseEdge(sb: SourceBuffer): boolean {
    const b = sb.buffered;
    if (!b.length) return false;
    const end = b.end(b.length - 1);
    if (end - this.el.currentTime > MAX_DELAY_S || this.el.currentTime < b.start(b.length - 1))
      this.el.currentTime = Math.max(b.start(b.length - 1), end - EDGE_S);
    if (this.el.paused) void this.el.play().catch(() => undefined);
    if (this.el.currentTime - b.start(0) <= KEEP_S * 2) return false;
    sb.remove(0, this.el.currentTime - KEEP_S);
    return true;
  }
}
