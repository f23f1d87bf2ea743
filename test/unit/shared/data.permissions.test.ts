import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPermissions, resolveGroup } from '../../../server/shared/data.permissions.js';
import { tempDir } from '../../support/tmp.js';

describe('data folder permissions policy', () => {
  const tmp = tempDir('binhyen-groups-');
  afterAll(() => tmp.remove());
  const groups = path.join(tmp.dir, 'group');
  writeFileSync(groups, 'root:x:0:\nbackup:x:34:\nbinhyen-backup:x:1001:bao\n');

  it('keeps everything to the server user by default, and opens it read-only to a configured group', () => {
    expect(dataPermissions(undefined)).toEqual({ umask: 0o077, dirMode: 0o700, fileMode: 0o600 });
    expect(dataPermissions('0')).toEqual({ umask: 0o027, dirMode: 0o2750, fileMode: 0o640, gid: 0, group: '0' });
  });

  it('takes a group by name or gid, and names the setting when the group does not exist', () => {
    expect(resolveGroup('binhyen-backup', groups)).toBe(1001);
    expect(resolveGroup('backup', groups)).toBe(34);
    expect(resolveGroup('4242', groups)).toBe(4242);
    expect(() => resolveGroup('backu', groups)).toThrow(/^storage\.group: no group named "backu"/);
  });
});
