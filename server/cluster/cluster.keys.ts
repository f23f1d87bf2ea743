import { createHmac } from 'node:crypto';
import { ConfigError } from '../config/config.load.js';

/**
 * Every node of a cluster must hold the same two keys: the camera-credentials key (the
 * credentials in the shared database are sealed with it) and the audit key (every node appends
 * to one audit chain). A node publishes an HMAC of a constant under each key — the keys never
 * leave the node, and the fingerprint says nothing about them — and refuses to join when a live
 * node published another one, naming the setting to fix.
 */
const CONSTANT = 'binhyen cluster key check v1';

export interface KeyFingerprints {
  secretKey: string;
  auditKey: string;
}

const mac = (key: Buffer) => createHmac('sha256', key).update(CONSTANT).digest('hex').slice(0, 32);

export function keyFingerprints(keys: { secretKey: Buffer; auditKey: Buffer }): KeyFingerprints {
  return { secretKey: mac(keys.secretKey), auditKey: mac(keys.auditKey) };
}

/** As stored in cluster_nodes.keys_fingerprint. */
export const formatFingerprints = (f: KeyFingerprints) => `secret:${f.secretKey} audit:${f.auditKey}`;

export function parseFingerprints(text: string | null): Partial<KeyFingerprints> {
  const out: Partial<KeyFingerprints> = {};
  for (const part of (text ?? '').split(' ')) {
    const [k, v] = part.split(':');
    if (k === 'secret' && v) out.secretKey = v;
    if (k === 'audit' && v) out.auditKey = v;
  }
  return out;
}

/** Throws a configuration error (exit 78) naming each key file that differs from a live node's. */
export function checkSameKeys(
  mine: KeyFingerprints,
  live: { id: string; fingerprint: string | null }[],
  files: { secretKeyFile: string; auditKeyFile: string },
): void {
  const problems: ConstructorParameters<typeof ConfigError>[0] = [];
  const differ = (k: keyof KeyFingerprints) =>
    live.filter((n) => {
      const theirs = parseFingerprints(n.fingerprint)[k];
      return theirs !== undefined && theirs !== mine[k];
    });
  const secret = differ('secretKey');
  if (secret.length) {
    problems.push({
      path: 'secretKeyFile',
      source: 'BINHYEN_SECRET_KEY_FILE',
      message: `${files.secretKeyFile} holds another camera-credentials key than the running node(s) ${secret.map((n) => n.id).join(', ')}: give every node a copy of the same key file`,
    });
  }
  const audit = differ('auditKey');
  if (audit.length) {
    problems.push({
      path: 'audit.keyFile',
      source: 'BINHYEN_AUDIT__KEY_FILE',
      message: `${files.auditKeyFile} holds another audit key than the running node(s) ${audit.map((n) => n.id).join(', ')}: give every node a copy of the same key file`,
    });
  }
  if (problems.length) throw new ConfigError(problems);
}
