import { describe, expect, it } from 'vitest';
import { collectionError, errorCodeOf, safeMessage } from '../../src/collectors/errors.js';

describe('errorCodeOf', () => {
  it('uses the AWS error name, and the HTTP status when S3 sent no body', () => {
    expect(errorCodeOf(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }))).toBe('AccessDeniedException');
    expect(errorCodeOf(Object.assign(new Error('UnknownError'), { name: 'Unknown', $metadata: { httpStatusCode: 403 } }))).toBe('AccessDenied');
    expect(errorCodeOf(Object.assign(new Error(''), { name: 'Unknown', $metadata: { httpStatusCode: 404 } }))).toBe('NotFound');
    expect(errorCodeOf(Object.assign(new Error(''), { name: 'Unknown', $metadata: { httpStatusCode: 418 } }))).toBe('Http418');
    expect(errorCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCodeOf('weird')).toBe('UnknownError');
  });

  it('calls an answer the SDK could not parse malformed', () => {
    const deserialization = Object.assign(new Error('@aws-sdk XML parse error: unexpected end of input. Deserialization error: …'), { $metadata: { httpStatusCode: 200 } });
    expect(errorCodeOf(deserialization)).toBe('MalformedResponse');
    expect(errorCodeOf(new SyntaxError('Unexpected token < in JSON'))).toBe('MalformedResponse');
  });
});

describe('safeMessage', () => {
  it('removes keys, tokens, signatures and pre-signed URLs', () => {
    const leaked = [
      'request https://bucket.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240601 failed',
      'key AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A',
      'X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr Signature=abcdef0123',
      'Authorization: AWS4-HMAC-SHA256 Credential=x',
      `token ${'A'.repeat(200)}`,
    ].join(' | ');
    const safe = safeMessage(leaked);
    expect(safe).not.toMatch(/AKIAIOSFODNN7EXAMPLE|ASIAY34FZKBOKMUTVV7A|IQoJb3JpZ2luX2VjEJr|abcdef0123|X-Amz-Algorithm|AAAAAAAAAA/);
    expect(safe.length).toBeLessThanOrEqual(300);
  });

  it('leaves ordinary AWS messages alone', () => {
    const message = 'User: arn:aws:sts::111111111111:assumed-role/scan/trailwarden is not authorized to perform: cloudtrail:GetTrailStatus';
    expect(safeMessage(message)).toBe(message);
  });

  it('drops empty messages and undefined members from recorded errors', () => {
    expect(collectionError({ action: 's3:GetBucketAcl', code: 'AccessDenied', message: '' })).toEqual({ $error: { action: 's3:GetBucketAcl', code: 'AccessDenied' } });
  });
});
