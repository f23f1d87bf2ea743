import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import type { Role } from '../../../server/auth/authorize.js';
import type { CameraCreateInput } from '../../../server/domain/camera.settings.js';
import { SimulatedCamera, type SimulatedCameraOptions } from '../../../server/demo/sim-camera.js';
import type { Area } from '../../../server/store/area.repository.js';
import { PROJECT_ROOT } from '../../../server/version.js';
import { startTestServer, type TestServer } from '../../support/server.js';

export const PASSWORD = 'mật-khẩu-thử-2025';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The server serves dist/ui: build it when missing or older than ui/src. */
export async function ensureUiBuilt(): Promise<void> {
  const index = path.join(PROJECT_ROOT, 'dist', 'ui', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(path.join(PROJECT_ROOT, 'ui', 'src'))) return;
  await build({ configFile: path.join(PROJECT_ROOT, 'ui', 'vite.config.ts'), logLevel: 'warn' });
}

export interface World {
  server: TestServer;
  areas: { commune: Area; hamlet: Area; other: Area };
  users: Record<'police' | 'resident' | 'otherResident' | 'technician' | 'admin', { username: string; id: number }>;
}

/** A real server with its UI, an area tree and one account per role. */
export async function startWorld(overrides: Record<string, unknown> = {}): Promise<World> {
  await ensureUiBuilt();
  const server = await startTestServer({ logLevel: 'warn', ...overrides });
  const commune = await server.store.areas.create({ parentId: null, kind: 'commune', name: 'Xã Bình Yên' });
  const hamlet = await server.store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp Đông' });
  const other = await server.store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp Tây' });
  const add = async (username: string, displayName: string, roles: Role[], areaIds: number[]) => {
    const u = await server.auth.users.add({ username, displayName, password: PASSWORD, roles, areaIds }, { name: 'cli' });
    return { username, id: u.id };
  };
  const users = {
    admin: await add('quantri', 'Quản trị viên', ['admin'], []),
    police: await add('congan', 'Trung úy Nguyễn Văn An', ['police'], [commune.id]),
    technician: await add('kythuat', 'Kỹ thuật viên Lê Bình', ['technician'], [commune.id]),
    resident: await add('todan', 'Tổ trưởng Trần Thị Hoa', ['resident'], [hamlet.id]),
    otherResident: await add('todantay', 'Tổ trưởng Phạm Văn Tây', ['resident'], [other.id]),
  };
  await server.auth.setup.init(); // accounts exist now: no first-run setup page
  return { server, areas: { commune, hamlet, other }, users };
}

/**
 * A simulated RTSP camera, started and registered in the world's hamlet (internal by default);
 * the caller stops `sim` after its file.
 */
export async function addSimCamera(
  world: World,
  name: string,
  sim: SimulatedCameraOptions,
  camera: Partial<Omit<CameraCreateInput, 'name' | 'streams'>> = {},
): Promise<{ sim: SimulatedCamera; cameraId: number }> {
  const cam = new SimulatedCamera(sim);
  await cam.start();
  const rec = await world.server.cameras.service.register({
    name,
    areaId: world.areas.hamlet.id,
    defaultVisibility: 'internal',
    ...camera,
    streams: { detect: { url: cam.rtspUrl } },
  });
  return { sim: cam, cameraId: rec.id };
}

/** Signs in through the login form and waits for the app shell. */
export async function login(page: Page, baseUrl: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('form button[type="submit"]').click();
  await expect.poll(() => page.locator('[data-testid="signed-in-as"]').count(), { timeout: 15_000 }).toBe(1);
}

export function setupCodeOf(server: TestServer): string {
  return readFileSync(path.join(server.config.dataDir, 'setup-code.txt'), 'utf8').trim();
}
