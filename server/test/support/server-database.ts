import pg from 'pg';

/**
 * Creating and dropping databases on the server Postgres of TEST_DATABASE_URL, shared by the
 * global setup (the run's template) and test/support/database.ts (each file's copy). No vitest
 * import here: the global setup runs outside the test workers.
 */
export async function createServerDatabase(
  serverUrl: string,
  name: string,
  template?: string,
): Promise<void> {
  await adminQuery(serverUrl, `create database ${name}${template ? ` template ${template}` : ''}`);
}

export async function dropServerDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
