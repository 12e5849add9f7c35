/**
 * File-level refusals of a manifest. A ManifestError means the whole file is rejected; problems
 * confined to one row are reported as `InvalidRecord` entries instead and never throw.
 */
export const ManifestErrorCode = {
  NOT_UTF8: 'NOT_UTF8',
  NO_HEADER: 'NO_HEADER',
  MISSING_COLUMN: 'MISSING_COLUMN',
  NO_ROWS: 'NO_ROWS',
  TOO_LARGE: 'TOO_LARGE',
  MALFORMED_CSV: 'MALFORMED_CSV',
} as const;
export type ManifestErrorCode = (typeof ManifestErrorCode)[keyof typeof ManifestErrorCode];

export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly code: ManifestErrorCode,
    message: string,
    /** 1-based physical line the problem was found on, when it is known. */
    readonly line?: number,
  ) {
    super(message);
  }
}
