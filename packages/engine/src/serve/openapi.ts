/** The OpenAPI 3.1 document of the serve HTTP API, served at `/openapi.json`. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'rapidbyte serve', version: '1' },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'RAPIDBYTE_API_TOKEN; required for every POST, and for every call when serve listens beyond loopback',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error', 'code'],
        properties: { error: { type: 'string' }, code: { type: 'string' } },
      },
      Pipeline: {
        type: 'object',
        required: ['pipeline', 'file', 'paused', 'running', 'queued'],
        properties: {
          pipeline: { type: 'string' },
          file: { type: 'string' },
          schedule: {
            type: ['object', 'null'],
            description: 'as in the YAML: cron+timezone or every, overlap, catch_up',
          },
          nextFireAt: { type: ['string', 'null'], format: 'date-time' },
          dependsOn: {
            type: 'array',
            items: {
              type: 'object',
              properties: { pipeline: { type: 'string' }, on: { enum: ['success', 'completion'] } },
            },
          },
          paused: { type: 'boolean' },
          running: {
            type: ['object', 'null'],
            properties: { runId: { type: 'integer' }, workflowId: { type: 'string' }, tickAt: { type: 'string' } },
          },
          queued: { type: 'boolean' },
          lastRun: { type: ['object', 'null'], description: 'the newest run, as in GET /runs' },
        },
      },
      Run: {
        type: 'object',
        description:
          'a run as `rapidbyte runs --json` prints it: status, streams with counts, runTransitions, transitions',
      },
      Tick: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          pipeline: { type: 'string' },
          tickAt: { type: 'string', format: 'date-time' },
          outcome: { type: 'string' },
          reason: { type: 'string' },
          runId: { type: 'integer' },
          recordedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
  paths: {
    '/': {
      get: {
        summary:
          'a read-only dashboard (HTML): pipelines, schedules, the last runs as colored cells, per-stream rows/s of the last run, dead letters',
        responses: { 200: { description: 'text/html' } },
      },
    },
    '/health': { get: { summary: 'the process is up', responses: { 200: { description: '{ "status": "ok" }' } } } },
    '/metrics': {
      get: {
        summary:
          'Prometheus metrics (text exposition 0.0.4): per-stream rows and bytes while runs go, run outcomes and durations, retries, dead letters, CDC slot lag, alerts, outbox depth, webhook deliveries, connector metric() values',
        responses: { 200: { description: 'text/plain; version=0.0.4' } },
      },
    },
    '/ready': {
      get: {
        summary: 'schedules armed and the workflow engine launched',
        responses: { 200: { description: 'ready' }, 503: { description: 'starting or draining' } },
      },
    },
    '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/pipelines': {
      get: {
        summary: 'every pipeline with its schedule, next fire, paused flag and last run',
        responses: {
          200: {
            description: 'Pipeline[]',
            content: {
              'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pipeline' } } },
            },
          },
        },
      },
    },
    '/runs': {
      get: {
        summary: 'runs, newest first (the JSON of `rapidbyte runs --json`)',
        parameters: [
          { name: 'pipeline', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 20 } },
        ],
        responses: {
          200: {
            description: 'Run[]',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Run' } } } },
          },
        },
      },
    },
    '/ticks': {
      get: {
        summary: 'recorded ticks, newest first, with outcome and reason',
        parameters: [
          { name: 'pipeline', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 50 } },
        ],
        responses: {
          200: {
            description: 'Tick[]',
            content: {
              'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Tick' } } },
            },
          },
        },
      },
    },
    '/pipelines/{pipeline}/trigger': {
      post: {
        summary: 'start a run now; with wait, answer when it ended',
        security: [{ bearer: [] }],
        parameters: [{ name: 'pipeline', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { fullRefresh: { type: 'boolean' }, wait: { type: 'boolean' } } },
            },
          },
        },
        responses: {
          202: { description: '{ workflowId }' },
          200: { description: 'with wait: { pipeline, runId, status }' },
          401: { description: 'no or wrong token' },
          404: { description: 'unknown pipeline' },
          409: { description: 'already running' },
        },
      },
    },
    '/pipelines/{pipeline}/pause': {
      post: {
        summary: 'pause: its ticks are recorded as skipped-paused (persisted in the state DB)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'pipeline', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: '{ pipeline, paused: true }' },
          401: { description: 'no or wrong token' },
          404: { description: 'unknown pipeline' },
        },
      },
    },
    '/pipelines/{pipeline}/resume': {
      post: {
        summary: 'resume: the next tick runs',
        security: [{ bearer: [] }],
        parameters: [{ name: 'pipeline', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: '{ pipeline, paused: false }' },
          401: { description: 'no or wrong token' },
          404: { description: 'unknown pipeline' },
        },
      },
    },
    '/runs/{runId}/stop': {
      post: {
        summary: 'stop a run of this serve: its streams drain to their last checkpoint (like SIGINT)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'runId', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          202: { description: '{ runId, pipeline }' },
          401: { description: 'no or wrong token' },
          404: { description: 'not running here' },
        },
      },
    },
    '/reload': {
      post: {
        summary: 'reload the project (like SIGHUP); running work goes on',
        security: [{ bearer: [] }],
        responses: {
          200: { description: '{ pipelines }' },
          401: { description: 'no or wrong token' },
          422: { description: 'the new config is invalid: the old one stays' },
        },
      },
    },
  },
} as const;
