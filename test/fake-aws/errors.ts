/**
 * Service errors as AWS answers them: a code, an HTTP status and a message. Each protocol encoder
 * (wire.ts) renders one the way the real service would.
 */

export interface ErrorSpec {
  code: string;
  status: number;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Query-protocol `<Type>`: Sender for caller faults, Receiver for service faults. */
  readonly type: 'Sender' | 'Receiver';
  /** Extra response headers (S3 sends x-amz-bucket-region on redirects and HEAD errors). */
  readonly headers: Record<string, string>;

  constructor(spec: ErrorSpec, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = spec.code;
    this.status = spec.status;
    this.type = spec.status >= 500 ? 'Receiver' : 'Sender';
    this.headers = headers;
  }
}

/** The generic failures every service answers, each in its own dialect. */
export interface CommonErrors {
  throttling: ErrorSpec;
  accessDenied: ErrorSpec;
  /** The answer of a region endpoint the account has not opted in to. */
  regionDisabled: ErrorSpec;
  unknownAccessKey: ErrorSpec;
  badSignature: ErrorSpec;
  internal: ErrorSpec;
  unavailable: ErrorSpec;
  unknownOperation: ErrorSpec;
}

export const JSON_ERRORS: CommonErrors = {
  throttling: { code: 'ThrottlingException', status: 400 },
  accessDenied: { code: 'AccessDeniedException', status: 400 },
  regionDisabled: { code: 'UnrecognizedClientException', status: 400 },
  unknownAccessKey: { code: 'UnrecognizedClientException', status: 400 },
  badSignature: { code: 'InvalidSignatureException', status: 400 },
  internal: { code: 'InternalFailure', status: 500 },
  unavailable: { code: 'ServiceUnavailable', status: 503 },
  unknownOperation: { code: 'UnknownOperationException', status: 400 },
};

export const QUERY_ERRORS: CommonErrors = {
  throttling: { code: 'Throttling', status: 400 },
  accessDenied: { code: 'AccessDenied', status: 403 },
  regionDisabled: { code: 'InvalidClientTokenId', status: 403 },
  unknownAccessKey: { code: 'InvalidClientTokenId', status: 403 },
  badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
  internal: { code: 'InternalFailure', status: 500 },
  unavailable: { code: 'ServiceUnavailable', status: 503 },
  unknownOperation: { code: 'InvalidAction', status: 400 },
};

export const EC2_ERRORS: CommonErrors = {
  throttling: { code: 'RequestLimitExceeded', status: 503 },
  accessDenied: { code: 'UnauthorizedOperation', status: 403 },
  regionDisabled: { code: 'AuthFailure', status: 401 },
  unknownAccessKey: { code: 'AuthFailure', status: 401 },
  badSignature: { code: 'AuthFailure', status: 401 },
  internal: { code: 'InternalError', status: 500 },
  unavailable: { code: 'Unavailable', status: 503 },
  unknownOperation: { code: 'InvalidAction', status: 400 },
};

export const S3_ERRORS: CommonErrors = {
  throttling: { code: 'SlowDown', status: 503 },
  accessDenied: { code: 'AccessDenied', status: 403 },
  regionDisabled: { code: 'InvalidAccessKeyId', status: 403 },
  unknownAccessKey: { code: 'InvalidAccessKeyId', status: 403 },
  badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
  internal: { code: 'InternalError', status: 500 },
  unavailable: { code: 'ServiceUnavailable', status: 503 },
  unknownOperation: { code: 'NotImplemented', status: 501 },
};
