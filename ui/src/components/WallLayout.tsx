import { useState } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';

/** Cameras per screen: 1, 4, 9, 16, or 'fill' (every camera, in the smallest square grid that holds them). */
export type WallLayout = 1 | 4 | 9 | 16 | 'fill';
export const LAYOUTS: readonly WallLayout[] = [1, 4, 9, 16, 'fill'];

const keyOf = (userId: number | undefined) => `binhyen.wall.layout.${userId ?? 'anon'}`;

/** The layout, remembered per user on this screen (a station PC is shared by the shift). */
export function useWallLayout(userId: number | undefined) {
  const [layout, setLayoutState] = useState<WallLayout>(() => {
    const saved = localStorage.getItem(keyOf(userId));
    const parsed = saved === 'fill' ? 'fill' : Number(saved);
    return LAYOUTS.includes(parsed as WallLayout) ? (parsed as WallLayout) : 'fill';
  });
  const [page, setPage] = useState(0);
  const setLayout = (l: WallLayout) => {
    localStorage.setItem(keyOf(userId), String(l));
    setLayoutState(l);
    setPage(0);
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
