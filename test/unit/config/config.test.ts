import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config/config.load.js';
import { configReferenceMarkdown } from '../../../server/config/config.docs.js';

const cwd = '/srv/binhyen';

function problems(env: NodeJS.ProcessEnv): ConfigError['problems'] {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults: port 8080, ./data, SQLite file under it, Vietnam time', () => {
    const c = loadConfig({}, cwd);
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('/srv/binhyen/data');
    expect(c.databaseUrl).toBe('sqlite:/srv/binhyen/data/binhyen.sqlite');
    expect(c.secretKeyFile).toBe('/srv/binhyen/data/secret.key');
    expect(c.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(c.detect.fps).toBe(5);
    expect(c.demoCamera).toBe(true);
  });

  it('reads BINHYEN_ env vars, nested with a double underscore, typed', () => {
    const c = loadConfig(
      {
        BINHYEN_PORT: '9090',
        BINHYEN_DETECT__FPS: '2.5',
        BINHYEN_DEMO_CAMERA: 'false',
        BINHYEN_DATABASE_URL: 'postgres://u@h/db',
        BINHYEN_DISCOVERY_INTERFACES: 'eth0, wlan0',
      },
      cwd,
    );
    expect(c.port).toBe(9090);
    expect(c.detect.fps).toBe(2.5);
    expect(c.demoCamera).toBe(false);
    expect(c.databaseUrl).toBe('postgres://u@h/db');
    expect(c.discoveryInterfaces).toEqual(['eth0', 'wlan0']);
  });

  it('reports every bad field at once with its path, source and reason', () => {
    const p = problems({
      BINHYEN_PORT: 'eighty',
      BINHYEN_DETECT__FPS: '500',
      BINHYEN_TIME_ZONE: 'Mars/Olympus',
      BINHYEN_DEMO_CAMERA: 'maybe',
      BINHYEN_PROT: '1',
    });
    const byPath = Object.fromEntries(p.map((x) => [x.path, x]));
    expect(byPath['port']?.source).toBe('BINHYEN_PORT');
    expect(byPath['detect.fps']?.message).toMatch(/30/);
    expect(byPath['timeZone']?.message).toMatch(/IANA time zone/);
    expect(byPath['demoCamera']?.source).toBe('BINHYEN_DEMO_CAMERA');
    expect(p.find((x) => x.message.includes('prot'))?.source).toContain('BINHYEN_PROT');
    expect(p).toHaveLength(5);
  });

  it('merges an optional JSON file under the environment and names the file in errors', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'binhyen.json');
    writeFileSync(file, JSON.stringify({ port: 7000, detect: { fps: 3, width: 800 }, retention: { recordingDays: 14 } }));
    const c = loadConfig({ BINHYEN_CONFIG: file, BINHYEN_DETECT__FPS: '4' }, cwd);
    expect([c.port, c.detect.fps, c.detect.width, c.retention.recordingDays]).toEqual([7000, 4, 800, 14]);
    writeFileSync(file, '{ "port": ');
    expect(() => loadConfig({ BINHYEN_CONFIG: file }, cwd)).toThrow(/not valid JSON/);
    writeFileSync(file, JSON.stringify({ record: { segmentSeconds: 1 } }));
    const bad = (() => {
      try {
        loadConfig({ BINHYEN_CONFIG: file }, cwd);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    })();
    expect(bad[0]?.path).toBe('record.segmentSeconds');
    expect(bad[0]?.source).toContain(file);
  });

  it('keeps the README configuration reference in sync with the schema', () => {
    const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(configReferenceMarkdown());
  });
});
