// vitest globalSetup for the `e2e` project: one throwaway PostgreSQL for the whole run.
import type { TestProject } from 'vitest/node';
import { startPgCluster } from './pg-cluster.mjs';

/** Connection facts of the shared test cluster, read in tests with `inject('pg')` (or via testPg()). */
export interface ProvidedPg {
  readonly host: string;
  readonly port: number;
  /** Trust-authenticated superuser. */
  readonly superuser: string;
  /** A login role that must authenticate with its password. */
  readonly passwordUser: string;
  readonly password: string;
  /** Directory of psql, pg_dump, ... of the running server. */
  readonly bindir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: ProvidedPg;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPgCluster({ log: true });
  const info: ProvidedPg = {
    host: cluster.host,
    port: cluster.port,
    superuser: cluster.superuser,
    passwordUser: cluster.passwordUser.user,
    password: cluster.passwordUser.password,
    bindir: cluster.bindir,
  };
  project.provide('pg', info);
  process.env.RB_TEST_PG_HOST = info.host;
  process.env.RB_TEST_PG_PORT = String(info.port);
  process.env.RB_TEST_PG_USER = info.superuser;
  process.env.RB_TEST_PG_BINDIR = info.bindir;
  return async () => {
    await cluster.stop();
  };
}
