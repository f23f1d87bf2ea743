import { useEffect, useState, type ReactNode } from 'react';
import type { Area, CameraDisplayState } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';

/** A failed action, translated from its error code. Announced to screen readers. */
export function ErrorText({ error }: { error: unknown }) {
  const { te } = useI18n();
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {te(error)}
    </p>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** The seconds since `from`, ticking: probing shows how long it has waited against its limit. */
export function useElapsed(from: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (from === null) return undefined;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [from]);
  return from === null ? 0 : Math.max(0, Math.floor((now - from) / 1000));
}

export function StateBadge({ state }: { state: CameraDisplayState }) {
  const { name } = useI18n();
  return (
    <span className={`badge ${state}`} data-state={state}>
      {name('display', state)}
    </span>
  );
}

/** Areas as an indented tree (commune → hamlet → group) in a select. */
export function areaOptions(areas: readonly Area[]): { id: number; label: string }[] {
  const children = new Map<number | null, Area[]>();
  for (const a of areas) {
    const parent = a.parentId !== null && areas.some((p) => p.id === a.parentId) ? a.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), a]);
  }
  const out: { id: number; label: string }[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const a of children.get(parent) ?? []) {
      out.push({ id: a.id, label: `${'\u00a0\u00a0'.repeat(depth)}${a.name}` });
      if (depth < 16) walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Ids of `id` and every area below it (filters by a commune include its hamlets). */
export function areaSubtree(areas: readonly Area[], id: number): Set<number> {
  const out = new Set<number>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of areas)
      if (a.parentId !== null && out.has(a.parentId) && !out.has(a.id)) {
        out.add(a.id);
        grew = true;
      }
  }
  return out;
}

export function AreaSelect(props: {
  areas: readonly Area[];
  value: number | null;
  onChange(id: number | null): void;
  id?: string;
  emptyLabel: string;
  disabled?: boolean;
}) {
  return (
    <select id={props.id} value={props.value ?? ''} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">{props.emptyLabel}</option>
      {areaOptions(props.areas).map((o) => (
        <option key={o.id} value={o.id}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function areaName(areas: readonly Area[] | undefined, id: number | null): string {
  if (id === null) return '–';
  return areas?.find((a) => a.id === id)?.name ?? `#${id}`;
}

export function Page({ title, actions, children, className }: { title: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`page ${className ?? ''}`} aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title">{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** The areas a user may act in: their own and every area under them (admins: all). */
export function ownAreas(areas: readonly Area[], user: { roles: readonly string[]; areaIds: readonly number[] } | null): Area[] {
  if (!user) return [];
  if (user.roles.includes('admin')) return [...areas];
  const ids = new Set(user.areaIds.flatMap((id) => [...areaSubtree(areas, id)]));
  return areas.filter((a) => ids.has(a.id));
}
