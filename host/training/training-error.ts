// Why `anc train` or `anc classify` refused its input, in words a person can act on. `kind` says
// whether a file could not be read at all ('file') or was read and is not usable ('invalid'); the
// CLI maps the two onto its exit codes.
export type TrainingErrorCode =
  | 'no-dataset' | 'no-classes' | 'empty-class' | 'bad-label' | 'bad-wav' | 'sample-rate' | 'too-few-clips' | 'bad-labels-file' | 'bad-model' | 'bad-option';

export class TrainingError extends Error {
  constructor(
    readonly code: TrainingErrorCode,
    message: string,
    readonly kind: 'file' | 'invalid' = 'invalid',
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}
