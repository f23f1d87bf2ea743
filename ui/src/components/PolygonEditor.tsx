import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider.js';
import { clamp01, isValidPolygon, movePoint, zoneId, type Point, type PrivacyHide, type Shape, type ShapeKind } from './polygon.model.js';

const W = 1000;
const STEP = 0.01;
const BIG_STEP = 0.05;

/** The move an arrow key asks for (Shift: a bigger step), or undefined for other keys. */
function arrowDelta(e: { key: string; shiftKey: boolean }): [number, number] | undefined {
  const step = e.shiftKey ? BIG_STEP : STEP;
  return ({ ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] } as Record<string, [number, number]>)[e.key];
}

/** A shape being drawn, not yet part of the shapes. */
export interface Drawing {
  kind: ShapeKind;
  points: Point[];
}

type SetDrawing = (next: Drawing | null | ((d: Drawing | null) => Drawing | null)) => void;

/**
 * The shape being drawn: the caller's when it passes `drawing` (so a half-drawn shape
 * survives the editor being unmounted by a tab switch or a resize), else the editor's own.
 */
function useDrawing(drawing: Drawing | null | undefined, onDrawing: ((d: Drawing | null) => void) | undefined): [Drawing | null, SetDrawing] {
  const [own, setOwn] = useState<Drawing | null>(null);
  const current = drawing !== undefined ? drawing : own;
  const latest = useRef(current);
  latest.current = current;
  const set: SetDrawing = (next) => {
    const value = typeof next === 'function' ? next(latest.current) : next;
    latest.current = value;
    if (drawing !== undefined) onDrawing?.(value);
    else setOwn(value);
  };
  return [current, set];
}

/**
 * Draw zones and masks as polygons over the camera's picture. Mouse/touch: click to add
 * points, drag corners. Keyboard: arrows move the cross, Enter adds a point, F finishes,
 * Backspace undoes, Escape cancels; a focused corner moves with the arrows, Delete removes it.
 */
export function PolygonEditor({
  image,
  aspect,
  shapes,
  onChange,
  drawing: given,
  onDrawing,
}: {
  image: string | null;
  aspect: number;
  shapes: Shape[];
  onChange(s: Shape[]): void;
  drawing?: Drawing | null;
  onDrawing?(d: Drawing | null): void;
}) {
  const { t } = useI18n();
  const H = Math.round(W / aspect);
  const svg = useRef<SVGSVGElement>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [drawing, setDrawing] = useDrawing(given, onDrawing);
  const [cursor, setCursor] = useState<Point>([0.5, 0.5]);
  const drag = useRef<{ key: string; index: number } | null>(null);

  const rel = (e: { clientX: number; clientY: number }): Point => {
    const r = svg.current!.getBoundingClientRect();
    return [clamp01((e.clientX - r.left) / r.width), clamp01((e.clientY - r.top) / r.height)];
  };
  const update = (key: string, points: Point[]) => onChange(shapes.map((s) => (s.key === key ? { ...s, points } : s)));

  const start = (kind: ShapeKind) => {
    setDrawing({ kind, points: [] });
    setCursor([0.5, 0.5]); // keyboard drawing starts from the middle of the picture
    setSelected(null);
    svg.current?.focus();
  };
  const finish = () => {
    if (!drawing || !isValidPolygon(drawing.points)) return;
    const taken = new Set(shapes.map((s) => s.key));
    const n = shapes.filter((s) => s.kind === drawing.kind).length + 1;
    const name = drawing.kind === 'zone' ? t('zones.defaultName', { n }) : '';
    const key = drawing.kind === 'zone' ? zoneId(name, taken) : zoneId(`${drawing.kind}-${n}`, taken);
    const hide = drawing.kind === 'privacy' ? { hide: 'residents' as const } : {};
    onChange([...shapes, { key, kind: drawing.kind, name, points: drawing.points, ...hide }]);
    setSelected(key);
    setDrawing(null);
  };
  const addPoint = (p: Point) => setDrawing((d) => (d && d.points.length < 64 ? { ...d, points: [...d.points, p] } : d));

  const onSvgPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (!drawing) return;
    e.preventDefault();
    const p = rel(e);
    setCursor(p);
    addPoint(p);
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d) return;
    const shape = shapes.find((s) => s.key === d.key);
    if (shape)
      update(
        d.key,
        shape.points.map((p, i) => (i === d.index ? rel(e) : p)),
      );
  };
  const onSvgKey = (e: KeyboardEvent<SVGSVGElement>) => {
    if (!drawing || e.target !== svg.current) return;
    const mv = arrowDelta(e);
    if (mv) setCursor((c) => movePoint(c, mv[0], mv[1]));
    else if (e.key === 'Enter' || e.key === ' ') addPoint(cursor);
    else if (e.key === 'f' || e.key === 'F') finish();
    else if (e.key === 'Backspace') setDrawing((d) => (d ? { ...d, points: d.points.slice(0, -1) } : d));
    else if (e.key === 'Escape') setDrawing(null);
    else return;
    e.preventDefault();
  };
  const onVertexKey = (e: KeyboardEvent<SVGCircleElement>, shape: Shape, index: number) => {
    const mv = arrowDelta(e);
    if (mv)
      update(
        shape.key,
        shape.points.map((p, i) => (i === index ? movePoint(p, mv[0], mv[1]) : p)),
      );
    else if ((e.key === 'Delete' || e.key === 'Backspace') && shape.points.length > 3)
      update(
        shape.key,
        shape.points.filter((_, i) => i !== index),
      );
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const pts = (points: readonly Point[]) => points.map(([x, y]) => `${x * W},${y * H}`).join(' ');
  return (
    <div className="polygon-editor">
      <div className="editor-tools button-row">
        <button type="button" onClick={() => start('zone')} disabled={!!drawing} data-testid="add-zone">
          {t('zones.addZone')}
        </button>
        <button type="button" onClick={() => start('mask')} disabled={!!drawing} data-testid="add-mask">
          {t('zones.addMask')}
        </button>
        <button type="button" onClick={() => start('privacy')} disabled={!!drawing} data-testid="add-privacy">
          {t('masks.add')}
        </button>
        {drawing && (
          <button type="button" className="primary" onClick={finish} disabled={!isValidPolygon(drawing.points)} data-testid="finish-shape">
            {t('zones.finish', { n: drawing.points.length })}
          </button>
        )}
        {drawing && (
          <button type="button" onClick={() => setDrawing(null)}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      <p className="muted" id="editor-help">
        {drawing ? t('zones.helpDrawing') : `${t('zones.help')} ${t('masks.help')}`}
      </p>
      {/* --ar: the stage keeps the picture's shape and is never taller than the screen allows (Save stays in view). */}
      <div className="editor-stage" style={{ aspectRatio: `${W} / ${H}`, ['--ar' as string]: String(W / H) }}>
        {image ? <img src={image} alt="" draggable={false} /> : <span className="live-overlay">{t('live.waiting')}</span>}
        <svg
          ref={svg}
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          tabIndex={0}
          role="application"
          aria-describedby="editor-help"
          aria-label={t('zones.canvas')}
          className={drawing ? 'drawing' : ''}
          data-testid="polygon-canvas"
          onPointerDown={onSvgPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => (drag.current = null)}
          onKeyDown={onSvgKey}
        >
          {shapes.map((s) => (
            <g key={s.key} className={`shape ${s.kind}${selected === s.key ? ' selected' : ''}`}>
              <polygon points={pts(s.points)} vectorEffect="non-scaling-stroke" onPointerDown={() => !drawing && setSelected(s.key)} />
              {selected === s.key &&
                s.points.map(([x, y], i) => (
                  <circle
                    key={i}
                    cx={x * W}
                    cy={y * H}
                    r={14}
                    tabIndex={0}
                    role="button"
                    className="vertex"
                    aria-label={t('zones.corner', { n: i + 1, name: s.name || kindLabel(s.kind, t) })}
                    onPointerDown={(e) => {
                      e.stopPropagation();
                      (e.target as Element).setPointerCapture?.(e.pointerId);
                      drag.current = { key: s.key, index: i };
                    }}
                    onKeyDown={(e) => onVertexKey(e, s, i)}
                  />
                ))}
            </g>
          ))}
          {drawing && (
            <g className={`shape ${drawing.kind} drawing`}>
              <polyline points={pts(drawing.points)} vectorEffect="non-scaling-stroke" />
              {drawing.points.map(([x, y], i) => (
                <circle key={i} cx={x * W} cy={y * H} r={8} className="vertex" />
              ))}
              <g className="cross" transform={`translate(${cursor[0] * W} ${cursor[1] * H})`}>
                <line x1={-16} x2={16} />
                <line y1={-16} y2={16} />
              </g>
            </g>
          )}
        </svg>
      </div>
      <ShapeList shapes={shapes} selected={selected} onSelect={setSelected} onChange={onChange} />
    </div>
  );
}

const kindLabel = (kind: ShapeKind, t: ReturnType<typeof useI18n>['t']) => t(kind === 'zone' ? 'zones.zone' : kind === 'mask' ? 'zones.mask' : 'masks.privacy');

/** A privacy mask hides the picture from residents (police keep the original) or from everyone (burned into the recording). */
function PrivacyHideSelect({ shape, onChange }: { shape: Shape; onChange(h: PrivacyHide): void }) {
  const { t } = useI18n();
  return (
    <select aria-label={t('masks.hide')} value={shape.hide ?? 'residents'} onChange={(e) => onChange(e.target.value as PrivacyHide)}>
      <option value="residents">{t('masks.hideResidents')}</option>
      <option value="everyone">{t('masks.hideEveryone')}</option>
    </select>
  );
}

function ShapeList({
  shapes,
  selected,
  onSelect,
  onChange,
}: {
  shapes: Shape[];
  selected: string | null;
  onSelect(k: string | null): void;
  onChange(s: Shape[]): void;
}) {
  const { t } = useI18n();
  if (shapes.length === 0) return <p className="muted">{t('zones.none')}</p>;
  return (
    <ul className="shape-list">
      {shapes.map((s) => (
        <li key={s.key} className={selected === s.key ? 'selected' : ''} data-shape={s.kind}>
          <span className={`chip ${s.kind}`}>{kindLabel(s.kind, t)}</span>
          {s.kind === 'privacy' ? (
            <PrivacyHideSelect shape={s} onChange={(hide) => onChange(shapes.map((x) => (x.key === s.key ? { ...x, hide } : x)))} />
          ) : s.kind === 'zone' ? (
            <input
              aria-label={t('zones.name')}
              value={s.name}
              maxLength={100}
              onChange={(e) => onChange(shapes.map((x) => (x.key === s.key ? { ...x, name: e.target.value } : x)))}
            />
          ) : (
            <span>{t('zones.maskPoints', { n: s.points.length })}</span>
          )}
          <button type="button" aria-pressed={selected === s.key} onClick={() => onSelect(selected === s.key ? null : s.key)}>
            {t('zones.edit')}
          </button>
          <button
            type="button"
            onClick={() => {
              onChange(shapes.filter((x) => x.key !== s.key));
              onSelect(null);
            }}
          >
            {t('common.delete')}
          </button>
        </li>
      ))}
    </ul>
  );
}
