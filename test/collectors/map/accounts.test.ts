import type { DescribeRegionsResult } from '@aws-sdk/client-ec2';
import type { DescribeOrganizationResponse, ListAccountsResponse, ListDelegatedAdministratorsResponse } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../src/collectors/errors.js';
import { isActive, isEnabled, mapDelegatedAdministrators, mapOrganization, mapOrganizationAccount, mapRegions } from '../../../src/collectors/map/accounts.js';
import { loadFixture } from '../support/fixtures.js';

describe('Organizations and EC2 mappers: organization-with-suspended-account', () => {
  const fixture = loadFixture('organization-with-suspended-account');

  it('reads the organization and its CloudTrail delegated administrators, once each', () => {
    expect(mapOrganization(fixture.answer<DescribeOrganizationResponse>('DescribeOrganization'))).toEqual({ id: 'o-a1b2c3d4e5', managementAccountId: '111111111111' });
    expect(mapDelegatedAdministrators(fixture.answer<ListDelegatedAdministratorsResponse>('ListDelegatedAdministrators').DelegatedAdministrators ?? [])).toEqual(['333333333333']);
  });

  it('reads the account state from State, or from the older Status', () => {
    const accounts = (fixture.answer<ListAccountsResponse>('ListAccounts').Accounts ?? []).map(mapOrganizationAccount);
    expect(accounts.map((account) => [account.id, account.state, isActive(account)])).toEqual([
      ['111111111111', 'ACTIVE', true],
      ['444444444444', 'ACTIVE', true],
      ['666666666666', 'SUSPENDED', false],
      ['777777777777', 'PENDING_CLOSURE', false],
    ]);
    expect(accounts[0]).toEqual({ id: '111111111111', name: 'management', state: 'ACTIVE' });
  });

  it('keeps every region with its opt-in status, sorted, and restricts to the requested ones', () => {
    const regions = fixture.answer<DescribeRegionsResult>('DescribeRegions').Regions ?? [];
    const all = mapRegions(regions, 'all');
    expect(all.map((region) => [region.name, region.optInStatus, isEnabled(region)])).toEqual([
      ['af-south-1', 'not-opted-in', false],
      ['eu-west-1', 'opt-in-not-required', true],
      ['me-south-1', 'opted-in', true],
      ['us-east-1', 'opt-in-not-required', true],
    ]);
    expect(mapRegions(regions, ['us-east-1', 'af-south-1']).map((region) => region.name)).toEqual(['af-south-1', 'us-east-1']);
  });

  it('refuses account ids that are not 12 digits and regions without opt-in status', () => {
    expect(() => mapOrganizationAccount({ Id: '1234', State: 'ACTIVE' })).toThrow(MalformedResponseError);
    expect(() => mapOrganizationAccount({ Id: '111111111111' })).toThrow(/State/);
    expect(() => mapRegions([{ RegionName: 'us-east-1' }], 'all')).toThrow(/OptInStatus/);
    expect(() => mapOrganization({})).toThrow(MalformedResponseError);
  });
});
