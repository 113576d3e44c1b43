import { AwsError, QUERY_ERRORS } from '../errors.js';
import type { ServiceDefinition } from '../service.js';

const ROLE_ARN_PATTERN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/.+$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const DEFAULT_SESSION_SECONDS = 3600;
const DEFAULT_MAX_SESSION_SECONDS = 3600;

const validationError = { code: 'ValidationError', status: 400 };

export const sts: ServiceDefinition = {
  name: 'sts',
  protocol: 'query',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  regional: true,
  // STS answers a region the account has not enabled with its own code.
  errors: { ...QUERY_ERRORS, regionDisabled: { code: 'RegionDisabledException', status: 403 } },
  actions: {
    GetCallerIdentity: (context) => ({
      Arn: context.caller.arn,
      UserId: context.caller.userId,
      Account: context.caller.accountId,
    }),

    AssumeRole: (context, params) => {
      const roleArn = params.get('RoleArn') ?? '';
      const sessionName = params.get('RoleSessionName') ?? '';
      if (!ROLE_ARN_PATTERN.test(roleArn)) {
        throw new AwsError(validationError, `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`);
      }
      if (!SESSION_NAME_PATTERN.test(sessionName)) {
        throw new AwsError(validationError, `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
      }
      const denied = new AwsError(
        QUERY_ERRORS.accessDenied,
        `User: ${context.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
      const target = context.world.role(roleArn);
      if (!target || target.owner.status !== 'ACTIVE') throw denied;
      const role = target.item;
      if (!role.trustedAccountIds?.includes(context.caller.accountId)) throw denied;
      if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied;

      const durationSeconds = Number(params.get('DurationSeconds') ?? DEFAULT_SESSION_SECONDS);
      const maxSeconds = role.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
      if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > maxSeconds) {
        throw new AwsError(
          validationError,
          `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
        );
      }
      const session = context.credentials.issueRoleSession(target.owner.id, role.name, sessionName, durationSeconds, context.now);
      return {
        Credentials: {
          AccessKeyId: session.accessKeyId,
          SecretAccessKey: session.secretAccessKey,
          SessionToken: session.sessionToken,
          Expiration: session.expiration,
        },
        AssumedRoleUser: { AssumedRoleId: session.identity.userId, Arn: session.identity.arn },
      };
    },
  },
};
