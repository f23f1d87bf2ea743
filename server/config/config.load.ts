import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema, type Config } from './config.schema.js';

export const ENV_PREFIX = 'BINHYEN_';
/** Not a setting: names the optional JSON config file. */
const CONFIG_FILE_VAR = 'BINHYEN_CONFIG';

export class ConfigError extends Error {
  constructor(readonly problems: { path: string; source: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  - ${p.path} (${p.source}): ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Resolved config: every path absolute and the database URL filled in. */
export type ResolvedConfig = Omit<Config, 'audit'> & {
  databaseUrl: string;
  /** This node's name in a cluster: BINHYEN_NODE_ID, else the host name. */
  nodeId: string;
  secretKeyFile: string;
  audit: Config['audit'] & { keyFile: string; anchorFile: string };
};

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const envName = (keyPath: string[]) => ENV_PREFIX + keyPath.map((k) => k.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()).join('__');

/** BINHYEN_DETECT__FPS=5 → { detect: { fps: '5' } }; nesting uses a double underscore. */
export function envToObject(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; sources: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_VAR || value === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(camel);
    let node = values;
    keys.slice(0, -1).forEach((k) => {
      node[k] = typeof node[k] === 'object' && node[k] !== null ? node[k] : {};
      node = node[k] as Record<string, unknown>;
    });
    node[keys[keys.length - 1]!] = value;
    sources.set(keys.join('.'), name);
  }
  return { values, sources };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', source: file, message: `cannot read: ${(err as Error).message}` }]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isPlainObject(parsed)) throw new Error('the top level must be a JSON object');
    return parsed;
  } catch (err) {
    throw new ConfigError([{ path: '(file)', source: file, message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

/**
 * Defaults < config file < environment. Fails with every bad field's path, where it came
 * from and why, so an operator fixes all of them in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ResolvedConfig {
  const file = env[CONFIG_FILE_VAR];
  const fromFile = file ? readConfigFile(path.resolve(cwd, file)) : {};
  const { values: fromEnv, sources } = envToObject(env);
  const result = configSchema.safeParse(deepMerge(fromFile, fromEnv));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const keyPath = issue.path.map(String);
        const dotted = keyPath.join('.') || '(root)';
        const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const source =
          sources.get(dotted) ??
          (unknownKeys.length
            ? unknownKeys.map((k) => envName([...keyPath, k])).join(', ') + ' or file'
            : file
              ? `${file} or ${envName(keyPath)}`
              : envName(keyPath));
        return { path: dotted, source, message: issue.message };
      }),
    );
  }
  return resolvePaths(result.data, cwd);
}

export function resolvePaths(config: Config, cwd = process.cwd()): ResolvedConfig {
  const dataDir = path.resolve(cwd, config.dataDir);
  return {
    ...config,
    dataDir,
    databaseUrl: config.databaseUrl ?? `sqlite:${path.join(dataDir, 'binhyen.sqlite')}`,
    nodeId:
      config.nodeId ??
      os
        .hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 100),
    secretKeyFile: path.resolve(cwd, config.secretKeyFile ?? path.join(dataDir, 'secret.key')),
    audit: {
      ...config.audit,
      keyFile: path.resolve(cwd, config.audit.keyFile ?? path.join(dataDir, 'audit.key')),
      anchorFile: path.resolve(cwd, config.audit.anchorFile ?? path.join(dataDir, 'audit-anchor.json')),
    },
    ffmpegPath: config.ffmpegPath,
  };
}

/** A full config from defaults plus overrides, for tests and tools. */
export function configFrom(overrides: Record<string, unknown> = {}, cwd = process.cwd()): ResolvedConfig {
  return resolvePaths(configSchema.parse(overrides), cwd);
}
