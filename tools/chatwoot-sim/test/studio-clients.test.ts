import { describe, expect, it } from 'vitest';
import { chatwootClients, startChatwootSim } from '../src/index.js';

describe('chatwootClients', () => {
  it('lists exactly the contacts the API serves, with the company their email names', async () => {
    const sim = await startChatwootSim({ seed: 'clients', size: 'small' });
    try {
      const clients = chatwootClients({ seed: 'clients', size: 'small' });
      const served = [...sim.control.groundTruth.contacts()];
      expect(clients.contacts.map((c) => c.id)).toEqual(served.map((c) => c['id']));
      for (const [index, contact] of clients.contacts.entries()) {
        const api = served[index]!;
        expect([contact.name, contact.email, contact.phoneNumber, contact.identifier]).toEqual([
          api['name'],
          api['email'],
          api['phone_number'],
          api['identifier'],
        ]);
        const domain = contact.email?.split('@')[1];
        if (domain && domain !== 'mail.example') {
          expect(`${contact.companySlug}.example`).toBe(domain);
        }
        if (domain === 'mail.example') expect(contact.companySlug).toBeNull();
      }
      const withCompany = clients.contacts.filter((c) => c.companySlug !== null);
      expect(withCompany.length).toBeGreaterThan(clients.contacts.length / 2);
      expect(clients.studio).toEqual({
        name: 'Linia Design Studio',
        host: 'linia-studio.example',
        accountId: 1,
      });
      expect(clients.agents.map((a) => a.email)).toContain('anna.smirnova@linia-studio.example');
    } finally {
      await sim.stop();
    }
  });

  it('is a pure function of seed and size', () => {
    expect(chatwootClients({ seed: 'a', size: 'tiny' })).toEqual(
      chatwootClients({ seed: 'a', size: 'tiny' }),
    );
    expect(chatwootClients({ seed: 'a', size: 'tiny' })).not.toEqual(
      chatwootClients({ seed: 'b', size: 'tiny' }),
    );
  });
});
