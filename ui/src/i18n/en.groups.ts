import type { viGroups } from './vi.groups.js';

/** Community groups, the anonymous report link and per-area target times (issue 13) in English. */
export const enGroups: Record<keyof typeof viGroups, string> = {
  'nav.groups': 'Community groups',
  'nav.reportLinks': 'Anonymous reports',

  'role.group_leader': 'group leader',
  'areaKind.enterprise': 'business, industrial park',
  'areaKind.other_group': 'other group',
  'ownerKind.parish': 'parish',
  'ownerKind.enterprise': 'business',
  'memberRole.member': 'member',
  'memberRole.landlord': 'landlord',
  'memberRole.leader': 'group leader',

  'field.onBehalfOf': 'Filed for',
  'field.memberRole': 'Role in the group',
  'field.feedbackTargetMinutes': 'Target time for feedback',
  'field.clientKey': 'Draft key',

  'groups.title': 'Community groups',
  'groups.intro':
    "Residents' groups, civilised boarding houses, parishes, clubs, businesses… and each group's members. A group leader sees the group's reports and posts announcements to it.",
  'groups.none': 'No groups yet. Create one on the Areas page (choose a group kind).',
  'groups.members': 'Members',
  'groups.noMembers': 'No members yet.',
  'groups.addMember': 'Add a member',
  'groups.user': 'Account',
  'groups.chooseUser': '— choose an account —',
  'groups.add': 'Add to the group',
  'groups.setRole': "Change {name}'s role",
  'groups.remove': 'Remove {name} from the group',
  'groups.removed': '{name} was removed from the group.',
  'groups.saved': "{name}'s role was saved.",

  'links.title': 'Anonymous reports',
  'links.intro':
    'Switch a link on so anyone can send the commune police a report without an account. Each time it is switched on it is a new link; switching it off stops the old one at once.',
  'links.on': 'On since {when}',
  'links.off': 'Off',
  'links.enable': 'Switch on a new link',
  'links.disable': 'Switch the link off',
  'links.fresh': 'New link for {area} (shown once: copy it and send it to the Zalo group):',
  'links.copy': 'Copy',
  'links.copied': 'Copied.',
  'links.noAreas': 'You have no areas assigned.',

  'public.title': 'Report to the commune police',
  'public.intro': 'Your report goes to the police in charge of {area}. No account and no name needed. In an emergency, call 113.',
  'public.invalid': 'This link is no longer valid. Ask the commune police for the current one.',
  'public.sent': 'Report sent. Reference number: {ref}',
  'public.secret': 'Secret: {secret}',
  'public.keep': 'Write both down: you need both to see what the police did. The secret is shown only once.',
  'public.followTitle': 'Follow a report',
  'public.ref': 'Reference number',
  'public.secretLabel': 'Secret',
  'public.check': 'Check its state',
  'public.checking': 'Looking it up…',
  'public.state': 'State: {state}',
  'public.notes': "The police's answers",
  'public.noNotes': 'No answer yet.',
  'public.updated': 'Updated at {when}',
  'public.another': 'Send another report',

  'report.form.onBehalfOf': 'Filed for (group leader)',
  'report.form.onBehalfHint': 'Name or house of the person who asked you, if any',
  'report.form.retrying': 'Weak connection, sending again ({n}/{max})…',
  'report.onBehalfOf': 'Filed for: {name}',
  'report.list.group': 'Reports of the groups I lead',
  'report.viaPublicLink': 'Sent anonymously through the public link',

  'areas.target': 'Target time for feedback (minutes)',
  'areas.targetHint': "Empty: the area above's, or the server default.",
  'areas.targetOf': 'target {n} min',
  'areas.editTarget': 'Set target',

  'eval.col.targetMinutes': 'Target (min)',

  'error.link_invalid': 'This report link is no longer valid. Ask the commune police for the current one.',
  'error.public_rate_limited': 'Too many reports in one hour. In an emergency, call 113.',
  'error.not_group_leader': "Only the group's leader may file a report for someone else.",
} as const;
