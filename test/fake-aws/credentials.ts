/**
 * Who is calling: long-term keys from the model, and the temporary keys AssumeRole hands out. A
 * temporary access key id spells out its account (`ASIA` + account id + a 4-character serial), so a
 * call log or a failing test shows at a glance which account a request ran as.
 */
import { randomBytes } from 'node:crypto';
import type { Partition, StaticCredentials } from './model.js';

export interface CallerIdentity {
  accountId: string;
  /** GetCallerIdentity.Arn */
  arn: string;
  /** GetCallerIdentity.UserId */
  userId: string;
}

export interface KnownCredentials {
  identity: CallerIdentity;
  secretAccessKey: string;
  /** Required x-amz-security-token for temporary credentials. */
  sessionToken?: string;
}

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  identity: CallerIdentity;
}

const SERIAL_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A stable IAM unique id (AIDA…, AROA…) derived from what it names. */
export function iamUniqueId(prefix: 'AIDA' | 'AROA', seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  let id = prefix;
  for (let index = 0; index < 17; index += 1) {
    id += SERIAL_ALPHABET[hash % SERIAL_ALPHABET.length];
    hash = (Math.imul(hash, 1103515245) + 12345) >>> 0;
  }
  return id;
}

export class CredentialRegistry {
  private readonly known = new Map<string, KnownCredentials>();
  private serial = 0;

  constructor(
    private readonly partition: Partition,
    callers: StaticCredentials[],
  ) {
    for (const caller of callers) {
      this.known.set(caller.accessKeyId, {
        secretAccessKey: caller.secretAccessKey,
        identity: {
          accountId: caller.accountId,
          arn: `arn:${partition}:iam::${caller.accountId}:${caller.principal}`,
          userId: iamUniqueId('AIDA', caller.accessKeyId),
        },
      });
    }
  }

  lookup(accessKeyId: string): KnownCredentials | undefined {
    return this.known.get(accessKeyId);
  }

  issueRoleSession(accountId: string, roleName: string, sessionName: string, durationSeconds: number, now: Date): IssuedSession {
    this.serial += 1;
    const serial = this.serial.toString(36).toUpperCase().padStart(4, '0');
    if (serial.length > 4) throw new Error('fake AWS: more role sessions than access key ids can name');
    const accessKeyId = `ASIA${accountId}${serial}`;
    const session: IssuedSession = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FakeSessionToken/${randomBytes(48).toString('base64')}`,
      expiration: new Date(now.getTime() + durationSeconds * 1000),
      identity: {
        accountId,
        arn: `arn:${this.partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
        userId: `${iamUniqueId('AROA', `${accountId}/${roleName}`)}:${sessionName}`,
      },
    };
    this.known.set(accessKeyId, {
      identity: session.identity,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    });
    return session;
  }
}
