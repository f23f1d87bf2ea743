import { Router } from 'express';
import { z } from 'zod';
import { listScope } from '../auth/access.policy.js';
import { addAuditDetail, authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import type { UserService } from '../auth/user.service.js';
import { GROUP_KINDS, MEMBER_ROLES } from '../domain/access.js';
import { notFound } from '../shared/errors.js';
import type { AreaRepository } from '../store/area.repository.js';
import { decimalInt } from './params.js';
import { parse } from './validate.js';

export interface GroupRoutesDeps {
  authorizer: Authorizer;
  areas: Pick<AreaRepository, 'list' | 'members' | 'get'>;
  users: Pick<UserService, 'setMembership' | 'removeMembership'>;
}

const id = decimalInt(1, 2 ** 31 - 1);
const memberParams = z.object({ areaId: id, userId: id }).strict();
const memberBody = z.object({ memberRole: z.enum(MEMBER_ROLES) }).strict();

/**
 * Community groups (issue 13 item 1): the areas of a group kind (tổ nhân dân tự quản, nhà trọ,
 * xóm đạo, câu lạc bộ, doanh nghiệp, khác) with their members. Admins and police see every
 * group, a group leader the groups they lead; admins add and remove members and make them
 * landlord or leader.
 */
export function groupRoutes(d: GroupRoutesDeps): Router {
  const r = Router();
  const areaRef = async (req: { params: unknown }) => {
    const { areaId } = parse(memberParams, req.params, 'params');
    if (!(await d.areas.get(areaId))) throw notFound('area', areaId);
    return { type: 'area', id: areaId, areaId };
  };

  r.get('/api/groups', authorize(d.authorizer, 'group.list'), async (req, res) => {
    const scope = listScope(principalOf(req), 'group.list');
    const groups = (await d.areas.list()).filter((a) => GROUP_KINDS.includes(a.kind) && (scope.all || scope.areaIds.includes(a.id)));
    const members = await d.areas.members(groups.map((g) => g.id));
    res.json({ groups: groups.map((g) => ({ ...g, members: members.filter((m) => m.areaId === g.id).map(({ areaId: _, ...m }) => m) })) });
  });

  r.put('/api/groups/:areaId/members/:userId', authorize(d.authorizer, 'group.manage', areaRef), async (req, res) => {
    const { areaId, userId } = parse(memberParams, req.params, 'params');
    const { memberRole } = parse(memberBody, req.body, 'body');
    addAuditDetail(res, { areaId, userId, memberRole });
    const user = await d.users.setMembership(areaId, userId, memberRole);
    res.json({ userId, areaId, memberRole, roles: user.roles });
  });

  r.delete('/api/groups/:areaId/members/:userId', authorize(d.authorizer, 'group.manage', areaRef), async (req, res) => {
    const { areaId, userId } = parse(memberParams, req.params, 'params');
    addAuditDetail(res, { areaId, userId });
    const user = await d.users.removeMembership(areaId, userId);
    res.json({ userId, areaId, removed: true, roles: user.roles });
  });
  return r;
}
