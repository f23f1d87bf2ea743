import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints.js';
import type { AlertMessage, CameraStateMessage, ReportMessage } from '../api/types.js';
import { OPEN_REPORT_STATES, trackReports } from './report.wall.js';
import { AlertFeed } from './alert.feed.js';
import { Beeper } from './beeper.js';
import { call, connectSocket, SocketAckError, type AppSocket } from './socket.js';
import { useFlashes } from './useFlashes.js';
import { syncAlerts } from './wall.sync.js';

export type Connection = 'connecting' | 'connected' | 'disconnected';

export interface WallState {
  connection: Connection;
  /** Set once a disconnect has lasted a moment: the banner shows then (brief blips stay quiet). */
  since: number | null;
  alerts: AlertMessage[];
  cameraStates: ReadonlyMap<number, CameraStateMessage>;
  /** Camera id → id of the alert that made its tile flash. */
  flashing: ReadonlyMap<number, number>;
  /** Alerts that arrived while the wall was open (highlighted in the feed). */
  fresh: ReadonlySet<number>;
  muted: boolean;
  setMuted(m: boolean): void;
  /** False while the browser still blocks sound (no tap on the page yet). */
  audioReady: boolean;
  /** Sounds played so far; the newest alert that arrived (read out by screen readers). */
  beeps: number;
  latest: AlertMessage | null;
  /** Residents' reports still open (new, received, verifying), newest first; `freshReports` arrived while open. */
  reports: ReportMessage[];
  freshReports: ReadonlySet<number>;
  /** Apply a change made from this wall at once (the push follows). */
  applyLocal(a: AlertMessage): void;
  unlockAudio(): void;
}

export const FEED_CAP = 200;

/** Tells the shell when the session has ended; else reconnects after `delayMs`. */
async function checkSession(socket: AppSocket, onUnauthenticated: () => void, isDisposed: () => boolean): Promise<void> {
  let delayMs = 2_000;
  try {
    if (!(await api.session()).user) return onUnauthenticated();
  } catch {
    delayMs = 5_000; // server down: keep trying
  }
  setTimeout(() => {
    if (!isDisposed()) socket.connect();
  }, delayMs);
}

/**
 * The wall's live connection: camera states and the alert feed over socket.io, with
 * reconnection, catch-up from the cursor, flashes and the sound. Memory stays bounded: the
 * feed keeps FEED_CAP alerts, flashes one per camera, fresh ids at most FEED_CAP.
 */
export function useWall(onUnauthenticated: () => void): WallState {
  const feed = useRef(new AlertFeed(FEED_CAP)).current;
  const beeper = useRef<Beeper | null>(null);
  beeper.current ??= new Beeper();
  const [alerts, setAlerts] = useState<AlertMessage[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [since, setSince] = useState<number | null>(null);
  const [cameraStates, setCameraStates] = useState<Map<number, CameraStateMessage>>(new Map());
  const [muted, setMutedState] = useState(beeper.current.muted);
  const [audioReady, setAudioReady] = useState(false);
  const [beeps, setBeeps] = useState(0);
  const [latest, setLatest] = useState<AlertMessage | null>(null);
  const { flashing, fresh, flash } = useFlashes(FEED_CAP);
  const [reports, setReports] = useState<ReportMessage[]>([]);
  const [freshReports, setFreshReports] = useState<ReadonlySet<number>>(new Set());
  const loaded = useRef(false);
  const unauth = useRef(onUnauthenticated);
  unauth.current = onUnauthenticated;

  const publish = useCallback(() => setAlerts(feed.list()), [feed]);
  const announce = useCallback(
    (arrived: AlertMessage[]) => {
      if (!arrived.length) return;
      const b = beeper.current;
      if (b) {
        b.beep();
        setBeeps(b.played);
        setAudioReady(b.ready);
      }
      setLatest(arrived[arrived.length - 1]!);
      flash(arrived);
    },
    [flash],
  );

  useEffect(() => {
    beeper.current ??= new Beeper();
    const socket: AppSocket = connectSocket();
    let disposed = false;
    let bannerTimer: ReturnType<typeof setTimeout> | undefined;
    const isDisposed = () => disposed;

    const onConnect = async () => {
      clearTimeout(bannerTimer);
      try {
        const states = await call(socket, 'cameras:subscribe', {});
        if (!disposed) setCameraStates(new Map(states.map((s) => [s.cameraId, s])));
      } catch (err) {
        if (!(err instanceof SocketAckError && err.code === 'forbidden')) console.warn('camera states unavailable', err);
      }
      try {
        const arrived = await syncAlerts(socket, feed, loaded);
        if (disposed) return;
        publish();
        announce(arrived.filter((a) => a.state === 'new'));
        setConnection('connected');
        setSince(null);
      } catch (err) {
        console.warn('alert catch-up failed; reconnecting in 3 s', err);
        socket.disconnect();
        setTimeout(() => {
          if (!disposed) socket.connect();
        }, 3_000);
      }
    };
    const lost = () => {
      if (disposed) return;
      setConnection('disconnected');
      clearTimeout(bannerTimer);
      bannerTimer = setTimeout(() => setSince((s) => s ?? Date.now()), 1_000); // a blip needs no banner
    };

    socket.on('connect', () => void onConnect());
    socket.on('disconnect', (reason) => {
      lost();
      // The server cut us (logout, revoked session, restart): socket.io will not retry by itself.
      if (reason === 'io server disconnect') void checkSession(socket, () => unauth.current(), isDisposed);
    });
    socket.on('connect_error', () => {
      lost();
      if (!socket.active) void checkSession(socket, () => unauth.current(), isDisposed);
    });
    socket.on('alert:new', (a) => {
      if (feed.live(a) === 'added') announce([a]);
      publish();
    });
    socket.on('alert:updated', (a) => {
      feed.live(a);
      publish();
    });
    socket.on('alert:withdrawn', ({ id }) => {
      if (feed.withdraw(id)) publish();
    });
    socket.on('camera:state', (m) => setCameraStates((prev) => new Map(prev).set(m.cameraId, m)));
    // Residents' reports arrive like alerts: a sound, a badge, an entry in the feed.
    trackReports(socket, {
      set: (list) => !disposed && setReports(list.filter((r) => OPEN_REPORT_STATES.includes(r.state))),
      arrived: (r) => {
        const b = beeper.current;
        if (b) {
          b.beep();
          setBeeps(b.played);
          setAudioReady(b.ready);
        }
        setFreshReports((prev) => new Set(prev).add(r.id));
      },
    });

    return () => {
      disposed = true;
      clearTimeout(bannerTimer);
      socket.removeAllListeners();
      socket.disconnect();
      beeper.current?.close();
      beeper.current = null;
    };
  }, [feed, publish, announce]);

  const setMuted = useCallback((m: boolean) => {
    beeper.current?.setMuted(m);
    setMutedState(m);
  }, []);
  const applyLocal = useCallback(
    (a: AlertMessage) => {
      feed.upsert(a);
      publish();
    },
    [feed, publish],
  );
  const unlockAudio = useCallback(() => {
    beeper.current?.unlock();
    // resume() settles asynchronously: read the state once it had a moment.
    setTimeout(() => setAudioReady(beeper.current?.ready ?? false), 100);
  }, []);
  useEffect(() => {
    unlockAudio(); // works at once when the sign-in click already activated the page
  }, [unlockAudio]);

  return {
    connection,
    since,
    alerts,
    cameraStates,
    flashing,
    fresh,
    muted,
    setMuted,
    audioReady,
    beeps,
    latest,
    reports,
    freshReports,
    applyLocal,
    unlockAudio,
  };
}
