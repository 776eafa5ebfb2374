// Databases a test file creates on the shared cluster and drops again in afterAll.
import type { TestDatabase, TestPg } from './test-pg.js';

export interface DatabaseScope {
  /** Creates a database named from `prefix`, runs `ddl` in it when given, and remembers it. */
  create(prefix: string, ddl?: string): Promise<TestDatabase>;
  /** Drops every database this scope created. */
  dropAll(): Promise<void>;
}

export function databaseScope(cluster: TestPg): DatabaseScope {
  const created: string[] = [];
  return {
    async create(prefix, ddl) {
      const db = await cluster.createDatabase(prefix);
      created.push(db.name);
      if (ddl) await cluster.psql(db.name, ddl);
      return db;
    },
    async dropAll() {
      for (const name of created.splice(0)) {
        // only this scope's slots: other test files run at the same time, and a slot of theirs is
        // inactive between two of their runs (dropping every inactive slot of the cluster lost theirs)
        await cluster.query(
          'postgres',
          'SELECT pg_drop_replication_slot(s.slot_name) FROM pg_replication_slots s WHERE NOT s.active AND s.database = $1',
          [name],
        );
        await cluster.dropDatabase(name);
      }
    },
  };
}
