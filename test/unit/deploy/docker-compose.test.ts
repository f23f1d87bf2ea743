import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../server/config/config.load.js';

/** No Docker engine runs here, so the compose file is checked by parsing it against the config schema. */
// merge: the cluster nodes share their settings through YAML merge keys (<<:), as Compose reads them.
const compose = parse(readFileSync(path.join(__dirname, '../../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { environment?: Record<string, string>; volumes?: string[]; build?: { dockerfile_inline?: string }; network_mode?: string; ports?: string[] }
  >;
  volumes?: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  const svc = compose.services['binhyen']!;

  it('defines the server service whose environment is a valid configuration', () => {
    expect(svc).toBeDefined();
    const config = loadConfig(svc.environment ?? {}, '/app');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/data');
    expect(config.demoCamera).toBe(false);
  });

  it('keeps the data directory on a named volume and exposes the configured port', () => {
    const dataDir = svc.environment?.['BINHYEN_DATA_DIR'];
    const mount = (svc.volumes ?? []).find((v) => v.endsWith(`:${dataDir}`));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.split(':')[0]);
    const port = svc.environment?.['BINHYEN_PORT'];
    expect(svc.network_mode === 'host' || (svc.ports ?? []).some((p) => p.endsWith(`:${port}`))).toBe(true);
  });

  it('builds with ffmpeg and runs the compiled server, not a dev command', () => {
    const dockerfile = svc.build?.dockerfile_inline ?? '';
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(dockerfile).toMatch(/npm install/);
    expect(dockerfile).toContain('"dist/server/cli.js", "serve"');
  });
});

describe('docker-compose.yml, the cluster profile (issue 16)', () => {
  const nodes = ['node1', 'node2'].map((n) => compose.services[n] as (typeof compose.services)[string] & { profiles?: string[] });

  it('runs PostgreSQL, Redis and two nodes only under the cluster profile', () => {
    for (const n of ['postgres', 'redis', 'node1', 'node2']) expect((compose.services[n] as { profiles?: string[] }).profiles).toEqual(['cluster']);
    expect((compose.services['binhyen'] as { profiles?: string[] }).profiles).toBeUndefined();
  });

  it('gives each node a valid cluster configuration: PostgreSQL, Redis, its own id, port and data, shared keys', () => {
    const configs = nodes.map((n) => loadConfig(n.environment ?? {}, '/app'));
    expect(configs.map((c) => c.nodeId)).toEqual(['node1', 'node2']);
    expect(new Set(configs.map((c) => c.port)).size).toBe(2);
    for (const c of configs) {
      expect(c.databaseUrl).toMatch(/^postgres:\/\/.*:55432\//);
      expect(c.cluster.redisUrl).toBe('redis://127.0.0.1:56379');
      expect(c.secretKeyFile).toBe('/keys/secret.key');
    }
    expect(nodes[0]!.volumes).toContain('binhyen-keys:/keys');
    expect(nodes[1]!.volumes).toContain('binhyen-keys:/keys');
    expect(nodes[0]!.volumes!.find((v) => v.endsWith(':/data'))).not.toBe(nodes[1]!.volumes!.find((v) => v.endsWith(':/data')));
  });
});
