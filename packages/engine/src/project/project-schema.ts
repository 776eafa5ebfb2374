/** Project file versions this engine reads. */
export const PROJECT_VERSIONS = ['1.0'] as const;

/**
 * JSON Schema of a project file: the pipeline files of the project, relative to the project
 * file's folder. Nothing else yet: settings shared by the pipelines stay in the pipeline files.
 */
export const PROJECT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['pipelines'],
  properties: {
    version: { enum: PROJECT_VERSIONS },
    pipelines: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
        pattern: '\\.ya?ml$',
        description: 'a pipeline file path ending in .yaml or .yml',
      },
    },
  },
} as const;
