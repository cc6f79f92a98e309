// Attio lists (`GET /v2/lists/{list}`, `POST /v2/lists/{list}/entries/query`): a seeded companies
// list, `clients`, holding every other company of the world, and a people list, `contacts` (every
// third person), which cannot scope companies. Kept beside the store rather than in
// the generated world, and its ids drawn from their own namespace, so every other seeded output
// stays exactly what it was. Entries whose company is deleted drop out, as Attio removes them.
import { rngFor } from '@cairn/studio';
import { notFound } from './errors.js';
import { attioTime } from './render.js';
import type { AttioStore } from './store.js';
import { memberActor, type AttioWorld, type ObjectSlug } from './world.js';

type Json = Record<string, unknown>;

/** Not in ATTIO_NS (world.ts), whose numbers name the world's own draws. */
const LIST_NS = 9_020;

export interface ListEntry {
  id: string;
  recordId: string;
  createdAt: number;
}

export interface SimList {
  id: string;
  slug: string;
  name: string;
  parentObject: ObjectSlug;
  createdAt: number;
  entries: ListEntry[];
}

export class AttioLists {
  private readonly lists: SimList[];
  private added = 0;

  constructor(
    private readonly world: AttioWorld,
    private readonly store: AttioStore,
    private readonly clock: () => number,
  ) {
    const uuid = (...keys: number[]) => rngFor(world.seedHash, LIST_NS, ...keys).uuid();
    const createdAt = world.workspace.createdAt + 86_400_000;
    this.lists = [
      {
        id: uuid(0),
        slug: 'clients',
        name: 'Clients',
        parentObject: 'companies',
        createdAt,
        entries: world.records.companies
          .filter((c) => c.index % 2 === 0)
          .map((c, i) => ({ id: uuid(0, i), recordId: c.id, createdAt: createdAt + i * 1000 })),
      },
      {
        id: uuid(2),
        slug: 'contacts',
        name: 'Contacts',
        parentObject: 'people',
        createdAt,
        entries: world.records.people
          .filter((p) => p.index % 3 === 0)
          .map((p, i) => ({ id: uuid(2, i), recordId: p.id, createdAt: createdAt + i * 1000 })),
      },
    ];
  }

  /** A list by UUID or api_slug, as the path parameter names it. */
  list(slugOrId: string): SimList {
    const list = this.lists.find((l) => l.id === slugOrId || l.slug === slugOrId);
    if (!list) throw notFound(`List with slug/ID "${slugOrId}" not found.`);
    return list;
  }

  /** Live entries, oldest first: an entry of a deleted record is gone with it. */
  entries(slugOrId: string): ListEntry[] {
    const list = this.list(slugOrId);
    const live = new Set(this.store.records(list.parentObject).map((r) => r.id));
    return list.entries.filter((e) => live.has(e.recordId));
  }

  addEntry(slugOrId: string, recordId: string): Json {
    const list = this.list(slugOrId);
    this.store.record(list.parentObject, recordId);
    const entry = {
      id: rngFor(this.world.seedHash, LIST_NS, 1, this.added++).uuid(),
      recordId,
      createdAt: this.clock(),
    };
    list.entries.push(entry);
    return this.renderEntry(list, entry);
  }

  /** Removes the entries of a record from the list (an unknown record: a 404). */
  removeRecord(slugOrId: string, recordId: string): Json[] {
    const list = this.list(slugOrId);
    const removed = list.entries.filter((e) => e.recordId === recordId);
    if (removed.length === 0) throw notFound(`Record "${recordId}" is not in list "${list.slug}".`);
    list.entries = list.entries.filter((e) => e.recordId !== recordId);
    return removed.map((e) => this.renderEntry(list, e));
  }

  render(list: SimList): Json {
    return {
      id: { workspace_id: this.world.workspace.id, list_id: list.id },
      api_slug: list.slug,
      name: list.name,
      parent_object: [list.parentObject],
      workspace_access: 'full-access',
      workspace_member_access: [],
      created_by_actor: memberActor(this.world, this.world.tokenMemberIndex),
      created_at: attioTime(list.createdAt),
    };
  }

  renderEntry(list: SimList, entry: ListEntry): Json {
    return {
      id: { workspace_id: this.world.workspace.id, list_id: list.id, entry_id: entry.id },
      parent_record_id: entry.recordId,
      parent_object: list.parentObject,
      created_at: attioTime(entry.createdAt),
      entry_values: {},
    };
  }

  /** One page of `POST /v2/lists/{list}/entries/query`, oldest first. */
  query(slugOrId: string, limit: number, offset: number): Json[] {
    const list = this.list(slugOrId);
    return this.entries(list.id)
      .slice(offset, offset + limit)
      .map((e) => this.renderEntry(list, e));
  }
}
