/** Where a resource named by an ARN is read: its account and region, or an error saying why not. */
import type { ScanContext } from './context.js';
import { MALFORMED_RESPONSE, collectionError } from './errors.js';
import { accountOfArn, regionOfArn } from './map/arn.js';

interface ArnLocation {
  accountId: string;
  region: string;
}

/** Account and region of a resource ARN, or an error in snapshot.errors when the ARN is unusable. */
export function locate(context: ScanContext, arn: string, what: string, action: string): ArnLocation | undefined {
  const accountId = accountOfArn(arn);
  const region = regionOfArn(arn);
  if (accountId !== undefined && region !== undefined) return { accountId, region };
  context.errors.push(collectionError({ action, code: MALFORMED_RESPONSE, message: `${what} ${arn} is not an ARN with an account and a region` }));
  return undefined;
}
