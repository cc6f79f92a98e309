// The generated studio's records as the three sources serve them, in the linker's input shape:
// Chatwoot contacts and agents as tools/chatwoot-sim generates them (chatwootClients), Attio
// people (emails as typed, phones as typed with Attio's country_code), companies and workspace
// members, Linear customers and users (emails as Linear shows them, some with capitals). The
// Attio and Linear simulators serve exactly these (tools/attio-sim/test/studio.test.ts).
import { chatwootClients } from '@cairn/chatwoot-sim';
import type { Studio } from '@cairn/studio';
import type { OrganizationRecord, PersonRecord } from '../../src/modules/people/link/index.js';

export function studioRecords(studio: Studio): {
  people: PersonRecord[];
  organizations: OrganizationRecord[];
} {
  const clients = chatwootClients({
    seed: studio.seed,
    size: studio.size.chatwootSize,
    historyEndsAt: studio.historyEnd,
  });
  const companyByKey = new Map(studio.companies.map((c) => [c.key, c]));
  const people: PersonRecord[] = [
    ...clients.contacts.map((c): PersonRecord => ({
      source_kind: 'chatwoot_account',
      external_id: String(c.id),
      entity: 'contact',
      name: c.name,
      emails: c.email ? [c.email] : [],
      phones: c.phoneNumber ? [c.phoneNumber] : [],
    })),
    ...studio.people.flatMap((p): PersonRecord[] =>
      p.attioRecordId === null
        ? []
        : [
            {
              source_kind: 'attio_workspace',
              external_id: p.attioRecordId,
              entity: 'person',
              name: p.name,
              emails: p.emails.map((e) => e.original),
              phones: p.phones.map((ph) => ({ number: ph.original, region: ph.countryCode })),
              organization: p.companyKey
                ? {
                    source_kind: 'attio_workspace',
                    entity: 'company',
                    external_id: companyByKey.get(p.companyKey)!.attioRecordId,
                  }
                : null,
            },
          ],
    ),
    ...studio.staff.flatMap((s): PersonRecord[] => [
      ...(s.chatwootAgentId === null
        ? []
        : [
            {
              source_kind: 'chatwoot_account' as const,
              external_id: String(s.chatwootAgentId),
              entity: 'agent',
              name: s.name,
              emails: [clients.agents.find((a) => a.id === s.chatwootAgentId)!.email],
              phones: [],
              staff: true,
            },
          ]),
      {
        source_kind: 'linear_workspace',
        external_id: s.linearUserId,
        entity: 'user',
        name: s.name,
        emails: [s.linearEmail],
        phones: [],
        staff: true,
      },
      {
        source_kind: 'attio_workspace',
        external_id: s.attioWorkspaceMemberId,
        entity: 'workspace_member',
        name: s.name,
        emails: [s.email],
        phones: [],
        staff: true,
      },
    ]),
  ];
  const organizations: OrganizationRecord[] = studio.companies.flatMap((c) => [
    {
      source_kind: 'attio_workspace' as const,
      external_id: c.attioRecordId,
      entity: 'company',
      name: c.name,
      // Attio keeps bare domains; a URL must normalise to the same one.
      domains: c.domains.map((d, i) => (i === 1 ? `https://www.${d}/` : d)),
    },
    ...(c.linearCustomerId
      ? [
          {
            source_kind: 'linear_workspace' as const,
            external_id: c.linearCustomerId,
            entity: 'customer',
            name: c.name,
            domains: c.domains,
          },
        ]
      : []),
  ]);
  return { people, organizations };
}
