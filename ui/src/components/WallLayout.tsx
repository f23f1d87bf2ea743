import { useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints.js';
import { WALL_LAYOUTS, type WallLayoutName } from '../../../server/domain/preferences.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** Cameras per screen: 1, 4, 9, 16, or 'fill' (every camera, in the smallest square grid that holds them). */
export type WallLayout = WallLayoutName;
export const LAYOUTS: readonly WallLayout[] = WALL_LAYOUTS;

const keyOf = (userId: number | undefined) => `binhyen.wall.layout.${userId ?? 'anon'}`;

function readLocal(userId: number | undefined): WallLayout {
  const saved = localStorage.getItem(keyOf(userId));
  const parsed = saved === 'fill' ? 'fill' : Number(saved);
  return LAYOUTS.includes(parsed as WallLayout) ? (parsed as WallLayout) : 'fill';
}

/**
 * The layout, remembered per user on the server (it follows the officer to another screen)
 * and in this browser (shown at once, before the server answers, and when it cannot).
 */
export function useWallLayout(userId: number | undefined) {
  const [layout, setLayoutState] = useState<WallLayout>(() => readLocal(userId));
  const [page, setPage] = useState(0);
  // A choice made before the server's answer arrives wins over that answer.
  const chosen = useRef(false);
  useEffect(() => {
    if (userId === undefined) return;
    let live = true;
    api
      .preferences()
      .then((p) => {
        if (!live || chosen.current || p.wallLayout === undefined) return;
        localStorage.setItem(keyOf(userId), String(p.wallLayout));
        setLayoutState(p.wallLayout);
      })
      .catch((err: unknown) => console.warn('wall layout: server preferences not read', err));
    return () => {
      live = false;
    };
  }, [userId]);
  const setLayout = (l: WallLayout) => {
    chosen.current = true;
    localStorage.setItem(keyOf(userId), String(l));
    setLayoutState(l);
    setPage(0);
    if (userId !== undefined) void api.savePreferences({ wallLayout: l }).catch((err: unknown) => console.warn('wall layout: not saved on the server', err));
  };
  return { layout, setLayout, page, setPage };
}

/** Grid columns × rows for a layout and a camera count. */
export function gridOf(layout: WallLayout, count: number): { cols: number; rows: number; perPage: number } {
  if (layout === 'fill') {
    const cols = Math.max(1, Math.ceil(Math.sqrt(count)));
    const rows = Math.max(1, Math.ceil(count / cols));
    return { cols, rows, perPage: Math.max(1, count) };
  }
  const side = Math.sqrt(layout);
  return { cols: side, rows: side, perPage: layout };
}

export function LayoutPicker({
  layout,
  onLayout,
  page,
  pages,
  onPage,
}: {
  layout: WallLayout;
  onLayout(l: WallLayout): void;
  page: number;
  pages: number;
  onPage(p: number): void;
}) {
  const { t } = useI18n();
  return (
    <div className="layout-picker" role="group" aria-label={t('wall.layout')}>
      {LAYOUTS.map((l) => (
        <button key={l} type="button" aria-pressed={layout === l} data-layout={l} onClick={() => onLayout(l)}>
          {l === 'fill' ? t('wall.fill') : t('wall.layoutN', { n: l })}
        </button>
      ))}
      {pages > 1 && (
        <span className="layout-pages">
          <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)} aria-label="‹">
            ‹
          </button>
          <span>
            {page + 1}/{pages}
          </span>
          <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)} aria-label="›">
            ›
          </button>
        </span>
      )}
    </div>
  );
}
