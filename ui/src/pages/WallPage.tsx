import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api/endpoints.js';
import type { AlertMessage, AlertStateName, CameraDisplayState, UserView } from '../api/types.js';
import { useAsync } from '../api/useAsync.js';
import { AlertCard, alertText } from '../components/AlertCard.js';
import { CameraTile, type TileCamera } from '../components/CameraTile.js';
import { ReportWallPanel } from '../components/ReportWallPanel.js';
import { CameraView } from '../components/CameraView.js';
import { gridOf, LayoutPicker, useWallLayout } from '../components/WallLayout.js';
import { ErrorText, areaName, areaSubtree } from '../components/common.js';
import { WallFilters, type AlertFilter } from '../components/WallFilters.js';
import { formatTime } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { groupBursts, type AlertBurst } from '../realtime/alert.bursts.js';
import { useWall } from '../realtime/useWall.js';
import { Link, navigate, setQuery, useLocation } from '../router.js';
import { useSession } from '../session.js';

/** The clock, re-read every `ms` (relative times on the wall). */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const OPEN_STATES: readonly AlertStateName[] = ['new', 'acknowledged', 'assigned'];
const CAMERA_REFRESH_MS = 60_000;

/** Full-screen for the station's wall: the kiosk layout (no navigation) works even where the Fullscreen API is refused. */
function useKiosk() {
  const [kiosk, setKiosk] = useState(false);
  useEffect(() => {
    const onFs = () => setKiosk(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', onFs);
    return () => document.removeEventListener('fullscreenchange', onFs);
  }, []);
  useEffect(() => {
    document.body.classList.toggle('kiosk', kiosk);
    return () => document.body.classList.remove('kiosk');
  }, [kiosk]);
  const toggleFullscreen = useCallback(() => {
    if (kiosk) {
      if (document.fullscreenElement) void document.exitFullscreen().catch((err: unknown) => console.warn('exit full screen failed', err));
      setKiosk(false);
      return;
    }
    setKiosk(true);
    void document.documentElement.requestFullscreen?.().catch((err: unknown) => console.warn('full screen refused', err));
  }, [kiosk]);
  return { kiosk, toggleFullscreen };
}

const burstKey = (b: AlertBurst): number => b.head.id;

/** The police wall: every camera live with its state, and the alert feed beside it. */
export function WallPage() {
  const i18n = useI18n();
  const { t, name } = i18n;
  const session = useSession();
  const wall = useWall(() => void session.refresh());
  const areas = useAsync(() => api.areas(), []);
  const cameras = useAsync(() => api.cameras(), []);
  const officers = useAsync<UserView[]>(
    () => (session.can('user.list') ? api.users().then((us) => us.filter((u) => !u.disabled && u.roles.includes('police'))) : Promise.resolve([])),
    [],
  );
  const [areaId, setAreaId] = useState<number | null>(null);
  const [camState, setCamState] = useState<CameraDisplayState | ''>('');
  const [alertFilter, setAlertFilter] = useState<AlertFilter>('open');
  const [openAlert, setOpenAlert] = useState<number | null>(null);
  const { kiosk, toggleFullscreen } = useKiosk();
  const { layout, setLayout, page, setPage } = useWallLayout(session.user?.id);
  const selectedId = Number(useLocation().query.get('camera')) || null;

  useEffect(() => {
    const timer = setInterval(cameras.reload, CAMERA_REFRESH_MS);
    return () => clearInterval(timer);
  }, [cameras.reload]);
  const inArea = useMemo(() => (areaId === null || !areas.data ? null : areaSubtree(areas.data, areaId)), [areaId, areas.data]);
  const tiles: TileCamera[] = useMemo(
    () =>
      (cameras.data ?? [])
        .map((c) => ({
          id: c.id,
          name: c.name,
          areaId: c.areaId,
          areaName: areaName(areas.data, c.areaId),
          display: wall.cameraStates.get(c.id)?.display ?? c.display,
          demo: c.demo,
        }))
        .filter((c) => (!inArea || (c.areaId !== null && inArea.has(c.areaId))) && (!camState || c.display === camState)),
    [cameras.data, areas.data, wall.cameraStates, inArea, camState],
  );
  const shown = useMemo(
    () =>
      wall.alerts.filter(
        (a) =>
          // A system alert (the recordings disk) concerns every area.
          (!inArea || a.cameraId === null || (a.areaId !== null && inArea.has(a.areaId))) &&
          (alertFilter === 'all' || (alertFilter === 'open' ? OPEN_STATES.includes(a.state) : a.state === alertFilter)),
      ),
    [wall.alerts, inArea, alertFilter],
  );
  const bursts = useMemo(() => groupBursts(shown), [shown]);
  // Keyed by a burst's first alert (its head): it stays the same while newer alerts join.
  const [unfolded, setUnfolded] = useState<ReadonlySet<number>>(new Set());
  const toggleBurst = useCallback(
    (b: AlertBurst) =>
      setUnfolded((cur) => {
        const next = new Set(cur);
        const key = burstKey(b);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );
  const counts = useMemo(() => {
    const c = { online: 0, interrupted: 0, offline: 0 };
    for (const tile of tiles) c[tile.display] += 1;
    return c;
  }, [tiles]);

  const onChanged = useCallback(
    (a: AlertMessage) => {
      wall.applyLocal(a);
      setOpenAlert(null);
    },
    [wall],
  );
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow(30_000);
  // The card shows the new state at once; a refused or failed request puts the old one back.
  const optimistic = useCallback(
    (next: AlertMessage, request: Promise<AlertMessage>) => {
      const before = wall.alerts.find((a) => a.id === next.id);
      onChanged(next);
      setActionError(null);
      request.then(
        (saved) => wall.applyLocal(saved),
        () => {
          if (before) wall.applyLocal(before);
          setActionError(t('alert.actionFailed', { what: alertText(i18n, next).what }));
        },
      );
    },
    [wall, onChanged, t, i18n],
  );

  const grid = gridOf(layout, tiles.length);
  const pages = Math.max(1, Math.ceil(tiles.length / grid.perPage));
  const pageTiles = tiles.slice(Math.min(page, pages - 1) * grid.perPage, (Math.min(page, pages - 1) + 1) * grid.perPage);
  const selected = selectedId === null ? undefined : tiles.find((c) => c.id === selectedId);
  const latest = wall.latest ? alertText(i18n, wall.latest) : null;
  return (
    <section
      className={`wall${kiosk ? ' wall-kiosk' : ''}`}
      aria-labelledby="wall-title"
      onPointerDown={wall.unlockAudio}
      onKeyDown={wall.unlockAudio}
      data-beeps={wall.beeps}
    >
      <div className="sr-only" aria-live="assertive">
        {latest && t('wall.announce', { what: latest.what, camera: latest.where })}
      </div>
      <div className="connection-banner" role="status" aria-live="assertive" data-connection={wall.connection} hidden={wall.since === null}>
        {wall.since !== null && t('wall.disconnected', { time: formatTime(wall.since) })}
      </div>
      <div className="wall-bar">
        <h1 id="wall-title">{t('wall.title')}</h1>
        <span className="wall-counts" aria-label={t('wall.cameraCounts')}>
          <span className="badge online">
            {counts.online} {name('display', 'online')}
          </span>
          <span className="badge interrupted">
            {counts.interrupted} {name('display', 'interrupted')}
          </span>
          <span className="badge offline">
            {counts.offline} {name('display', 'offline')}
          </span>
        </span>
        <WallFilters
          areas={areas.data ?? []}
          areaId={areaId}
          onArea={setAreaId}
          camState={camState}
          onCamState={setCamState}
          alertFilter={alertFilter}
          onAlertFilter={setAlertFilter}
        />
        <LayoutPicker layout={layout} onLayout={setLayout} page={page} pages={pages} onPage={setPage} />
        <div className="wall-tools">
          {!wall.muted && !wall.audioReady && (
            <button type="button" className="warn-button" onClick={wall.unlockAudio} data-testid="enable-sound">
              {t('wall.enableSound')}
            </button>
          )}
          <button
            type="button"
            aria-pressed={wall.muted}
            onClick={() => {
              wall.unlockAudio();
              wall.setMuted(!wall.muted);
            }}
            data-testid="mute"
          >
            {wall.muted ? t('wall.unmute') : t('wall.mute')}
          </button>
          {session.can('camera.live') && pageTiles.length > 0 && (
            <Link
              to={`/recordings?cameras=${pageTiles
                .slice(0, 4)
                .map((c) => c.id)
                .join(',')}`}
              className="button"
              data-testid="wall-timeline"
            >
              {t('rec3.wallLink')}
            </Link>
          )}
          <button type="button" aria-pressed={kiosk} onClick={toggleFullscreen} data-testid="fullscreen">
            {kiosk ? t('wall.exitFullscreen') : t('wall.fullscreen')}
          </button>
        </div>
      </div>
      <ErrorText error={cameras.error ?? areas.error} />
      <div className="wall-body">
        {selected ? (
          <CameraView camera={selected} alerts={wall.alerts} onBack={() => setQuery({})} />
        ) : (
          <div
            className="camera-grid"
            data-layout={layout}
            style={{ ['--cols' as string]: grid.cols, ['--rows' as string]: grid.rows }}
            aria-label={t('wall.cameras')}
          >
            {cameras.data && tiles.length === 0 && <p className="muted">{t('wall.noCameras')}</p>}
            {pageTiles.map((c) => (
              <CameraTile
                key={c.id}
                camera={c}
                flashAlertId={wall.flashing.get(c.id)}
                onSelect={session.can('camera.update') ? () => navigate(`/cameras/${c.id}`) : undefined}
                onOpen={() => setQuery({ camera: c.id })}
              />
            ))}
          </div>
        )}
        <aside className="alert-feed" aria-labelledby="feed-title">
          <ReportWallPanel reports={wall.reports} fresh={wall.freshReports} />
          <h2 id="feed-title">
            {t('wall.feed')} <span className="muted">({shown.length})</span>
          </h2>
          {actionError && (
            <p className="error" role="alert">
              {actionError}
            </p>
          )}
          {shown.length === 0 && <p className="muted">{t('wall.noAlerts')}</p>}
          <ol className="alert-list" aria-live="polite" aria-relevant="additions">
            {bursts.flatMap((b) => {
              const expanded = unfolded.has(burstKey(b));
              return [b.head, ...b.rest].map((a, i) => (
                <AlertCard
                  key={a.id}
                  alert={a}
                  areaName={areaName(areas.data, a.areaId)}
                  fresh={wall.fresh.has(a.id)}
                  open={openAlert === a.id}
                  canAct={session.can('alert.update')}
                  officers={officers.data ?? []}
                  onToggle={() => setOpenAlert(openAlert === a.id ? null : a.id)}
                  onChanged={onChanged}
                  optimistic={optimistic}
                  now={now}
                  burst={i === 0 && b.rest.length ? { count: b.rest.length + 1, spanMs: b.spanMs, expanded, onToggle: () => toggleBurst(b) } : undefined}
                  member={i > 0 ? { hidden: !expanded } : undefined}
                />
              ));
            })}
          </ol>
        </aside>
      </div>
    </section>
  );
}
