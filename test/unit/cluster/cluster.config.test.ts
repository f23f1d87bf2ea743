import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config/config.load.js';

const cwd = '/srv/binhyen';
const CLUSTER = {
  BINHYEN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/binhyen',
  BINHYEN_CLUSTER__REDIS_URL: 'redis://127.0.0.1:6379',
  BINHYEN_CLUSTER__SECRET: 'a-secret-of-the-cluster',
};

function problems(env: NodeJS.ProcessEnv): ConfigError['problems'] {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('cluster configuration', () => {
  it('is off by default: one node on SQLite, named after the host', () => {
    const c = loadConfig({}, cwd);
    expect(c.cluster.redisUrl).toBeUndefined();
    expect(c.databaseUrl.startsWith('sqlite:')).toBe(true);
    expect(c.nodeId).toBe(os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-'));
  });

  it('joins a cluster with PostgreSQL, Redis, a secret and BINHYEN_NODE_ID', () => {
    const c = loadConfig({ ...CLUSTER, BINHYEN_NODE_ID: 'xa-an-binh-1', BINHYEN_CLUSTER__LEASE_TTL_MS: '6000' }, cwd);
    expect(c.nodeId).toBe('xa-an-binh-1');
    expect(c.cluster).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', leaseTtlMs: 6000, heartbeatMs: 2000 });
  });

  it('refuses a cluster on SQLite, naming databaseUrl and why', () => {
    const p = problems({ BINHYEN_CLUSTER__REDIS_URL: 'redis://127.0.0.1:6379', BINHYEN_CLUSTER__SECRET: 'a-secret-of-the-cluster' });
    expect(p).toEqual([expect.objectContaining({ path: 'databaseUrl', source: 'BINHYEN_DATABASE_URL' })]);
    expect(p[0]!.message).toMatch(/needs PostgreSQL/);
  });

  it('refuses a cluster without the shared secret, and a heartbeat too slow for the lease', () => {
    const p = problems({ ...CLUSTER, BINHYEN_CLUSTER__SECRET: undefined, BINHYEN_CLUSTER__HEARTBEAT_MS: '8000' });
    expect(p.map((x) => x.path).sort()).toEqual(['cluster.heartbeatMs', 'cluster.secret']);
  });

  it('refuses a node id with spaces and a Redis URL of another scheme', () => {
    const p = problems({ ...CLUSTER, BINHYEN_NODE_ID: 'node one', BINHYEN_CLUSTER__REDIS_URL: 'http://127.0.0.1:6379' });
    expect(p.map((x) => x.path).sort()).toEqual(['cluster.redisUrl', 'nodeId']);
  });
});
