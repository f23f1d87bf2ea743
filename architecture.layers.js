// The allowed import arrows between server/ folders: each folder lists the folders it may
// import. Data flows one way along the detection path (ingest → detect → events → clips),
// everything points down to store/config/shared/domain, and the boundaries (api, realtime)
// sit on top. The composition root (server/main*.ts, server/cli.ts) may import anything.
// eslint.config.js turns this into lint errors; docs/architecture.md draws it.
const base = ['domain', 'shared', 'config', 'store'];

export const LAYERS = {
  domain: [],
  shared: ['domain'],
  config: ['domain', 'shared'],
  store: ['domain', 'shared', 'config'],
  auth: [...base],
  ingest: [...base],
  detect: [...base, 'ingest'],
  events: [...base, 'auth', 'ingest', 'detect'],
  clips: [...base, 'auth', 'ingest', 'events'],
  cameras: [...base, 'auth', 'ingest'],
  privacy: [...base, 'auth', 'ingest'],
  demo: [...base, 'ingest'],
  reports: [...base, 'auth', 'ingest', 'events', 'clips'],
  notify: [...base, 'auth'],
  // Several nodes as one system (issue 16): leases, the coordinator, the Redis fan-out.
  cluster: [...base],
  realtime: [...base, 'auth', 'ingest', 'detect', 'events', 'clips', 'reports', 'privacy'],
  api: [...base, 'auth', 'ingest', 'detect', 'events', 'clips', 'cameras', 'reports', 'notify', 'privacy'],
  bench: [...base, 'auth', 'ingest', 'detect', 'events', 'clips', 'cameras', 'notify', 'demo', 'reports', 'realtime', 'api', 'privacy', 'cluster'],
  cli: [...base, 'auth', 'ingest', 'detect', 'events', 'clips', 'cameras', 'notify', 'demo', 'reports', 'realtime', 'api', 'bench', 'privacy', 'cluster'],
};

/** What ui/src may import from server/: plain vocabulary, and the API's own types module. */
export const UI_ALLOWED = ['server/domain/**', 'server/api/api.types.js'];

/** ESLint flat-config entries: one per folder, forbidding every arrow not listed above. */
export function layerRules() {
  const folders = Object.keys(LAYERS);
  const entries = folders.flatMap((folder) => {
    const forbidden = folders.filter((f) => f !== folder && !LAYERS[folder].includes(f));
    const group = [...forbidden.map((f) => `../${f}/*`), ...forbidden.map((f) => `../../${f}/*`)];
    // Root files other than version.ts are the composition root: nothing imports them back
    // (the bench and the CLI start the server through it).
    if (folder !== 'bench' && folder !== 'cli') group.push('../main*', '../cli.js');
    if (!group.length) return [];
    return {
      files: [`server/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [{ group, message: `server/${folder} may import only ${LAYERS[folder].join(', ') || 'nothing of server/'} (architecture.layers.js).` }] },
        ],
      },
    };
  });
  entries.push({
    files: ['ui/src/**/*.ts', 'ui/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+server/(?!domain/|api/api\\.types\\.js$)',
              message: `ui/ may import from server/ only ${UI_ALLOWED.join(' and ')} (architecture.layers.js).`,
            },
          ],
        },
      ],
    },
  });
  return entries;
}

/**
 * The arrows as a mermaid flowchart for docs/architecture.md, without the arrows that follow
 * from others (a → b → c hides a → c), so the picture stays readable. A test keeps it in sync.
 */
export function layersMermaid() {
  const reach = (from, seen = new Set()) => {
    for (const to of LAYERS[from] ?? [])
      if (!seen.has(to)) {
        seen.add(to);
        reach(to, seen);
      }
    return seen;
  };
  const lines = ['flowchart TD'];
  for (const [from, tos] of Object.entries(LAYERS)) {
    for (const to of tos) {
      const implied = tos.some((other) => other !== to && reach(other).has(to));
      if (!implied) lines.push(`  ${from} --> ${to}`);
    }
  }
  return lines.join('\n');
}
