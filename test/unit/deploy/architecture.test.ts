import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { cycles, folderGraph } from '../../../scripts/import-cycles.mjs';
// @ts-expect-error a plain .js config module without types (eslint.config.js imports it too)
import { layersMermaid } from '../../../architecture.layers.js';

type Graph = Map<string, Set<string>>;
const root = path.resolve(import.meta.dirname, '../../..');
const merged = (g: { runtime: Graph; type: Graph }): Graph => {
  const all: Graph = new Map([...g.runtime].map(([k, v]) => [k, new Set(v)]));
  for (const [k, v] of g.type) for (const t of v) (all.get(k) ?? all.set(k, new Set()).get(k)!).add(t);
  return all;
};

describe('one-way house: folder imports', () => {
  it('server/ has no import cycle between folders, at run time or through types', () => {
    const g = folderGraph(path.join(root, 'server')) as { runtime: Graph; type: Graph };
    expect(cycles(g.runtime)).toEqual([]);
    expect(cycles(merged(g))).toEqual([]);
  });

  it('the cycle check finds a cycle made of a runtime arrow and a type arrow', () => {
    const g = folderGraph(path.join(root, 'test/fixtures/import-cycle')) as { runtime: Graph; type: Graph };
    expect(cycles(g.runtime)).toEqual([]);
    expect(cycles(merged(g))).toEqual([['a', 'b']]);
  });

  const eslint = new ESLint({ cwd: root });
  const lint = async (code: string, file: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it('lint refuses a back-arrow: the store importing the api, the detector importing events', async () => {
    expect(await lint("import type { createApp } from '../api/app.js';\nexport type X = typeof createApp;\n", 'server/store/back-arrow.ts')).toEqual([
      expect.stringContaining('server/store may import only domain, shared, config'),
    ]);
    expect(
      await lint("import { EventService } from '../events/event.service.js';\nexport const x = EventService;\n", 'server/detect/back-arrow.ts'),
    ).toHaveLength(1);
    expect(await lint("import { startServer } from '../main.js';\nexport const x = startServer;\n", 'server/events/back-arrow.ts')).toHaveLength(1);
  });

  it('lint allows the arrows the layers list, and the UI only server/domain and api.types', async () => {
    expect(await lint("import type { Frame } from '../domain/frame.js';\nexport type X = Frame;\n", 'server/detect/ok.ts')).toEqual([]);
    expect(await lint("import type { AlertMessage } from '../../server/domain/socket.events.js';\nexport type X = AlertMessage;\n", 'ui/src/ok.ts')).toEqual(
      [],
    );
    expect(await lint("import type { Note } from '../../server/store/note.repository.js';\nexport type X = Note;\n", 'ui/src/bad.ts')).toHaveLength(1);
  });

  it('docs/architecture.md draws the arrows lint enforces', () => {
    const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const drawn = /<!-- layers:start -->\n```mermaid\n([\s\S]*?)\n```\n<!-- layers:end -->/.exec(doc)?.[1];
    expect(drawn).toBe(layersMermaid());
  });
});
