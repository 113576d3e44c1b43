/**
 * IAM facts of one account: iam:GetAccountAuthorizationDetails, every page, in the partition's
 * control region (IAM is global). Pages are reduced as they arrive (map/iam.ts); a page that
 * fails after retries makes the whole fact an error: a partial listing would under-report.
 */
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import type { CollectionError, IamAuthorization } from '../snapshot/schema.js';
import { factOf, type ScanContext } from './context.js';
import { AwsCallError, MALFORMED_RESPONSE } from './errors.js';
import { IamAuthorizationReducer } from './map/iam.js';
import { required } from './map/common.js';

/** AWS-managed policy documents are left out (Filter): they are recognised by ARN instead. */
const ENTITY_FILTER = ['User', 'Role', 'Group', 'LocalManagedPolicy'] as const;
/** The most IAM returns per page. */
const PAGE_SIZE = 1000;

export async function collectIamAuthorization(context: ScanContext, accountId: string): Promise<IamAuthorization | CollectionError> {
  const target = { accountId, region: context.caller.controlRegion };
  return factOf(
    (async () => {
      const reducer = new IamAuthorizationReducer(context.caller.partition);
      const seen = new Set<string>();
      let marker: string | undefined;
      do {
        const command = new GetAccountAuthorizationDetailsCommand({ Filter: [...ENTITY_FILTER], MaxItems: PAGE_SIZE, ...(marker !== undefined ? { Marker: marker } : {}) });
        marker = await context.gateway.read(target, 'iam', command, (page) => {
          reducer.add(page);
          return page.IsTruncated === true ? required(page.Marker, 'Marker of a truncated page') : undefined;
        });
        if (marker !== undefined && seen.has(marker)) {
          throw new AwsCallError({ action: 'iam:GetAccountAuthorizationDetails', code: MALFORMED_RESPONSE, ...target, message: 'the service returned the same Marker twice' });
        }
        if (marker !== undefined) seen.add(marker);
      } while (marker !== undefined);
      return reducer.finish();
    })(),
  );
}
