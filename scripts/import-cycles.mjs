#!/usr/bin/env node
// Lists import cycles between server/ folders: runtime imports, and type-only imports apart.
// Exit 1 when there is any. `npm test` runs it (see test/unit/deploy/architecture.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'server');
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"](\.[^'"]+)['"]/gm;

function* sources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (/\.tsx?$/.test(e.name)) yield p;
  }
}

/** The folder a file belongs to ('' for files at the root, which are the composition root). */
const folderOf = (dir, file) => path.relative(dir, file).split(path.sep).slice(0, -1)[0] ?? '';

const typeOnly = (kw, clause) => {
  if (kw) return true;
  const named = /^\{([^}]*)\}$/.exec(clause.trim());
  return !!named && named[1].split(',').every((s) => !s.trim() || /^\s*type\s/.test(s));
};

export function folderGraph(dir = root) {
  dir = path.resolve(dir);
  const graphs = { runtime: new Map(), type: new Map() };
  for (const file of sources(dir)) {
    const from = folderOf(dir, file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[3]);
      if (!target.startsWith(dir + path.sep)) continue;
      const to = folderOf(dir, target);
      if (!from || !to || from === to) continue;
      const g = typeOnly(m[1], m[2]) ? graphs.type : graphs.runtime;
      if (!g.has(from)) g.set(from, new Set());
      g.get(from).add(to);
    }
  }
  return graphs;
}

/** Strongly connected components with more than one folder (Tarjan). */
export function cycles(graph) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set(),
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { runtime, type } = folderGraph();
  // Type imports count with the runtime ones: a type arrow pointing up is still a back-arrow.
  const all = new Map([...runtime].map(([k, v]) => [k, new Set(v)]));
  for (const [k, v] of type) for (const t of v) (all.get(k) ?? all.set(k, new Set()).get(k)).add(t);
  const found = { runtime: cycles(runtime), 'runtime + type': cycles(all) };
  for (const [kind, list] of Object.entries(found)) {
    console.log(`${kind} import cycles between folders: ${list.length ? list.map((c) => c.join(' ↔ ')).join('; ') : 'none'}`);
  }
  process.exit(found.runtime.length || found['runtime + type'].length ? 1 : 0);
}
