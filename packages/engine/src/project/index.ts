export * from './load-project.js';
export * from './project-schema.js';
export * from './find-cycles.js';
export * from './check-project-dependencies.js';
export * from './pipeline-outline.js';
