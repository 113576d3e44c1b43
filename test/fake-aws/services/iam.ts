/** IAM role reads in the caller's account (IAM is global: one endpoint, signed for us-east-1). */
import { iamUniqueId } from '../credentials.js';
import { AwsError, QUERY_ERRORS } from '../errors.js';
import { roleArn, type FakeRole } from '../model.js';
import type { ServiceDefinition } from '../service.js';

function trustPolicy(role: FakeRole, partition: string): unknown {
  const statements: unknown[] = (role.trustedAccountIds ?? []).map((accountId) => ({
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
    Action: 'sts:AssumeRole',
    ...(role.externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': role.externalId } } }),
  }));
  for (const service of role.trustedServices ?? []) {
    statements.push({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export const iam: ServiceDefinition = {
  name: 'iam',
  protocol: 'query',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  regional: false,
  errors: { ...QUERY_ERRORS, internal: { code: 'ServiceFailure', status: 500 } },
  actions: {
    GetRole: (context, params) => {
      const name = params.get('RoleName') ?? '';
      const role = context.world.account(context.caller.accountId)?.roles.find((candidate) => candidate.name === name);
      if (!role) throw new AwsError({ code: 'NoSuchEntity', status: 404 }, `The role with name ${name} cannot be found.`);
      return {
        Role: {
          Path: role.path ?? '/',
          RoleName: role.name,
          RoleId: iamUniqueId('AROA', `${context.caller.accountId}/${role.name}`),
          Arn: roleArn(context.world.partition, context.caller.accountId, role.name, role.path),
          CreateDate: new Date('2021-05-01T00:00:00Z'),
          // IAM returns policy documents URL-encoded.
          AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy(role, context.world.partition))),
          Description: role.description,
          MaxSessionDuration: role.maxSessionDurationSeconds ?? 3600,
        },
      };
    },
  },
};
