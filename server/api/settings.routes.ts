import { Router } from 'express';
import { z } from 'zod';
import { addAuditDetail, authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import type { CameraService } from '../cameras/camera.service.js';
import type { CameraNetworkSettings } from '../cameras/network.settings.js';
import { parse } from './validate.js';

export interface SettingsRoutesDeps {
  authorizer: Authorizer;
  network: CameraNetworkSettings;
  cameras: Pick<CameraService, 'recheckAddresses'>;
}

const rangeList = z.array(z.string().trim().min(1).max(64)).max(256);
const cameraNetworkBody = z.object({ allow: rangeList, deny: rangeList }).strict();

/**
 * Server settings an admin changes at run time. The camera address ranges: which addresses
 * test-connection, probe, discovery and camera streams may reach. A change applies at once:
 * cameras now refused stop, cameras refused before and allowed now start.
 */
export function settingsRoutes(d: SettingsRoutesDeps): Router {
  const r = Router();

  r.get('/api/settings/camera-network', authorize(d.authorizer, 'settings.read'), (_req, res) => {
    res.json(d.network.view());
  });

  r.put('/api/settings/camera-network', authorize(d.authorizer, 'settings.update'), async (req, res) => {
    const body = parse(cameraNetworkBody, req.body, 'body');
    const before = d.network.view();
    const after = await d.network.save(body, principalOf(req).userId ?? null);
    await d.cameras.recheckAddresses();
    addAuditDetail(res, { setting: 'cameraNetwork', before: { allow: before.allow, deny: before.deny }, after: { allow: after.allow, deny: after.deny } });
    res.json(after);
  });

  r.delete('/api/settings/camera-network', authorize(d.authorizer, 'settings.update'), async (_req, res) => {
    const before = d.network.view();
    const after = await d.network.reset();
    await d.cameras.recheckAddresses();
    addAuditDetail(res, { setting: 'cameraNetwork', before: { allow: before.allow, deny: before.deny }, after: { allow: after.allow, deny: after.deny } });
    res.json(after);
  });
  return r;
}
