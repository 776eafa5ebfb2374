import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterJobRefused, loadJobPipeline, sha256, type PipelineJob } from './cluster-job.js';

const yaml = `version: "1.0"
pipeline: job_test
source:
  use: source-postgres
  config: { url: "postgres://reader:\${SRC_PASSWORD}@db.example:5432/app" }
  permissions: { network: { allowed_hosts: [db.example] } }
  streams:
    - { name: public.t, sync_mode: full_refresh }
destination:
  use: dest-postgres
  config: { url: "postgres://writer@dw.example:5432/dw" }
  permissions: { network: { allowed_hosts: [dw.example] } }
state: { backend: postgres, connection: "postgres://state.example/rb" }
`;

function job(overrides: Partial<PipelineJob> = {}): PipelineJob {
  const dir = mkdtempSync(join(tmpdir(), 'rb-cluster-job-'));
  const file = join(dir, 'pipeline.yaml');
  // the worker's copy of the file differs: the job's text is what runs
  writeFileSync(file, 'not: the pipeline\n');
  return { file, yamlText: yaml, yamlSha256: sha256(yaml), connectors: {}, ...overrides };
}

const options = { env: { SRC_PASSWORD: 's3cret-pw' }, connectorsPath: [], workerId: 'w9' };

describe('loadJobPipeline', () => {
  it("resolves ${VAR} from the worker's environment: the job's text carries none of its values", () => {
    const j = job();
    expect(j.yamlText).not.toContain('s3cret-pw');
    const { config } = loadJobPipeline(j, options);
    expect(config.pipeline).toBe('job_test');
    expect(JSON.stringify(config.source.config)).toContain('s3cret-pw');
  });

  it('refuses a job whose text does not match its sha256', () => {
    const j = job({ yamlSha256: sha256('something else') });
    expect(() => loadJobPipeline(j, options)).toThrow(ClusterJobRefused);
    expect(() => loadJobPipeline(j, options)).toThrow(/does not match its sha256/);
  });

  it("refuses a connector whose component files differ from the submitter's, naming the connector and the worker", () => {
    const j = job({ connectors: { 'dest-postgres': 'f'.repeat(64) } });
    let error: unknown;
    try {
      loadJobPipeline(j, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterJobRefused);
    expect((error as ClusterJobRefused).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toMatch(
      /connector 'dest-postgres' on worker w9 .* has sha256 \S+, the run was submitted with ffffffffffff: deploy the same connector build on every worker/,
    );
  });
});
