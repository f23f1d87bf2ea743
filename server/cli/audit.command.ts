import { AnchorFile } from '../auth/audit.anchor.js';
import { AuditKey, auditVerdictText } from '../auth/audit.chain.js';
import { AuditLog } from '../auth/audit.log.js';
import { systemClock } from '../auth/session.service.js';
import { loadConfig } from '../config/config.load.js';
import { AppError } from '../shared/errors.js';
import { readKeyFile } from '../shared/key.file.js';
import { createLogger } from '../shared/log.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore } from '../store/store.js';
import type { Command } from './cli.commands.js';

const USAGE = 'binhyen audit verify [--json]';

/**
 * `binhyen audit verify`: the same check as the admin page's (AuditLog.verify): every entry's
 * link and HMAC, then the anchor file against the newest entries. Exit 0 when intact, 1 when
 * broken or when it cannot be checked, so a cron job or a monitoring check can run it.
 */
export const auditCommand: Command = {
  summary: 'Verify the audit chain (HMAC of every entry, and the anchor file against deleted newest entries)',
  usage: USAGE,
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }) {
    if (positionals.length !== 1 || positionals[0] !== 'verify') {
      process.stderr.write(`Usage: ${USAGE}\n`);
      return 2;
    }
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const raw = readKeyFile(config.audit.keyFile, log);
    if (!raw) {
      // Never create one here: a new key would make every keyed entry look forged.
      const message = `no audit key at ${config.audit.keyFile} (audit.keyFile): the chain cannot be checked without the key the server seals it with`;
      process.stderr.write(message + '\n');
      if (values.json) process.stdout.write(JSON.stringify({ ok: false, error: 'audit_key_missing', message }) + '\n');
      return 1;
    }
    const key = new AuditKey(raw);
    const db = openDb({ url: config.databaseUrl });
    try {
      await migrateLatest(db);
      const audit = new AuditLog(createStore(db).audit, systemClock, log, { key, anchor: new AnchorFile(config.audit.anchorFile, key) });
      const v = await audit.verify();
      const text = auditVerdictText(v);
      process.stdout.write((values.json ? JSON.stringify({ ...v, message: text }) : text) + '\n');
      return v.ok ? 0 : 1;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(err.message + '\n');
      return 1;
    } finally {
      await db.destroy();
    }
  },
};
