/**
 * S3 Control's account-level public access block. The account comes from the x-amz-account-id
 * header (or the `<account>.` host prefix the SDK's endpoint rules add) and must be the caller's.
 */
import { AwsError, S3_ERRORS } from '../errors.js';
import type { RestRequest, ServiceDefinition } from '../service.js';
import { restXmlDocument, S3_CONTROL_XML_NAMESPACE } from '../wire.js';
import { publicAccessBlockXml, VERBS } from './s3.js';

function resolveAction(request: RestRequest): string {
  const path = request.segments.join('/');
  const verb = VERBS[request.method] ?? request.method;
  if (path === 'v20180820/configuration/publicAccessBlock') return `${verb}PublicAccessBlock`;
  return `${verb} /${path}`;
}

function requestedAccountId(request: RestRequest): string | undefined {
  const header = request.headers['x-amz-account-id'];
  if (typeof header === 'string') return header;
  const host = request.headers.host;
  return typeof host === 'string' ? /^(\d{12})\./.exec(host)?.[1] : undefined;
}

export const s3control: ServiceDefinition = {
  name: 's3control',
  protocol: 'rest-xml',
  regional: true,
  errors: S3_ERRORS,
  resolveAction,
  actions: {
    GetPublicAccessBlock: (context, request) => {
      if (requestedAccountId(request) !== context.caller.accountId) throw new AwsError(S3_ERRORS.accessDenied, 'Access Denied');
      const block = context.world.account(context.caller.accountId)?.publicAccessBlock;
      if (block === undefined) {
        throw new AwsError({ code: 'NoSuchPublicAccessBlockConfiguration', status: 404 }, 'The public access block configuration was not found');
      }
      return {
        body: restXmlDocument('PublicAccessBlockConfiguration', S3_CONTROL_XML_NAMESPACE, publicAccessBlockXml(block)),
      };
    },
  },
};
