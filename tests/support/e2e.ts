// What an e2e test file imports: the shared cluster, the CLI, the JSON it prints, table assertions,
// pipeline YAML and waiting. One entry point, so a new test starts from
// `import { ... } from '../support/e2e.js'` instead of copying helpers from its neighbours.
export { databaseScope, type DatabaseScope } from './database-scope.js';
export {
  columnNames,
  columnTypes,
  duplicateKeys,
  expectTablesEqual,
  rowCount,
  type HasUrl,
  type TablesEqualOptions,
} from './table-assertions.js';
export {
  cliOutput,
  expectJson,
  expectSucceeded,
  expectSucceededText,
  onlyStream,
  parseJson,
  runSucceeded,
  streamNamed,
} from './cli-json.js';
export type {
  DeadLetterJson,
  RunJson,
  RunsJson,
  StreamErrorJson,
  StreamJson,
  StreamRunJson,
  TransitionJson,
} from './run-json.js';
export {
  editPipeline,
  pgEndpointDoc,
  pgPipeline,
  pipelineYamlText,
  readPipeline,
  streamDoc,
  writePipelineDoc,
  type EndpointDoc,
  type PgPipelineSpec,
  type PipelineDoc,
  type StreamDoc,
} from './pipeline-yaml.js';
export { BIG_COLUMNS_DDL, pacedTableDdl, shuffledBigTableSql, slowDestinationDdl } from './paced-table.js';
export { startWorker, workerReady, type WorkerSpec } from './cluster-workers.js';
export {
  expectTimedOut,
  HOLD_SLOW_SOURCE,
  QUICK,
  SLOW,
  TIMEOUT_CHUNK,
  TIMEOUT_ROWS,
  TIMEOUT_SOURCE_SQL,
  timeoutPipeline,
} from './timeout-scenario.js';
export type { TableRef } from './pg-url.mjs';
export { CLI, REPO_ROOT, pgEndpoint, runCli, writePipeline, type CliResult } from './run-cli.js';
export { ExitedTooEarly, spawnCli, waitFor, type SpawnedCli } from './spawn-cli.js';
export { testPg, type TestDatabase, type TestPg } from './test-pg.js';
