/**
 * templates/member-role.yaml is generated from the collectors' permission table (npm run
 * templates) and grants exactly the read actions `trailwarden permissions` lists, nothing more.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { API_OPERATIONS, permissionsPolicy } from '../../src/collectors/permissions.js';
import { memberRoleTemplate } from '../../scripts/member-role-template.js';

interface PolicyWithStatements {
  PolicyDocument: { Statement: { Action: string[] }[] };
}

const FILE = path.resolve(import.meta.dirname, '../../templates/member-role.yaml');

interface RoleTemplate {
  Resources: Record<string, { Type: string; Properties: { AssumeRolePolicyDocument: { Statement: { Action: string; Principal: unknown }[] }; Policies: { PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: string }[] } }[] } }>;
  Parameters: Record<string, { Default?: string }>;
}

describe('templates/member-role.yaml', () => {
  it('is what the generator makes from src/collectors/permissions.ts (run npm run templates after changing it)', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(memberRoleTemplate());
  });

  it('grants exactly the read actions of the collectors, on one read-only role the hub may assume', () => {
    const template = parse(readFileSync(FILE, 'utf8'), { version: '1.1' }) as RoleTemplate;
    const roles = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    const statements = roles[0]!.Properties.Policies.filter((policy) => 'PolicyDocument' in policy).flatMap((policy) => policy.PolicyDocument.Statement);
    const granted = statements.flatMap((statement) => statement.Action).sort();
    const collectorReads = [...new Set(API_OPERATIONS.filter((operation) => operation.optIn === undefined).map((operation) => operation.iamAction))].filter((action) => !action.startsWith('sts:')).sort();
    expect(granted).toEqual(collectorReads);
    expect(granted).toEqual(permissionsPolicy().Statement.find((s) => s.Sid === 'TrailwardenReadCloudTrailConfiguration')!.Action);
    expect(granted.every((action) => /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/.test(action))).toBe(true);
    expect(statements.every((statement) => statement.Effect === 'Allow' && statement.Resource === '*')).toBe(true);
    expect(roles[0]!.Properties.AssumeRolePolicyDocument.Statement.map((s) => s.Action)).toEqual(['sts:AssumeRole']);
    expect(template.Parameters.RoleName!.Default).toBe('TrailwardenReadOnly');
  });

  it('grants the --verify-integrity statements only when the VerifyIntegrity parameter asks for them', () => {
    const template = parse(readFileSync(FILE, 'utf8'), { version: '1.1' }) as RoleTemplate & { Conditions: Record<string, unknown> };
    const role = Object.values(template.Resources)[0]!;
    const optional = role.Properties.Policies.find((policy) => !('PolicyDocument' in policy)) as unknown as { 'Fn::If': [string, PolicyWithStatements, { 'Fn::If': [string, PolicyWithStatements, unknown] }] };
    const [filesCondition, withFiles, rest] = optional['Fn::If'];
    const [digestsCondition, digestsOnly, none] = rest['Fn::If'];
    expect([filesCondition, digestsCondition, none]).toEqual(['VerifyLogFiles', 'VerifyDigests', { Ref: 'AWS::NoValue' }]);
    expect(template.Parameters.VerifyIntegrity!.Default).toBe('none');
    const actions = (policy: PolicyWithStatements) => policy.PolicyDocument.Statement.flatMap((statement) => statement.Action).sort();
    expect(actions(digestsOnly)).toEqual(['cloudtrail:ListPublicKeys', 's3:GetObject', 's3:ListBucket']);
    expect(actions(withFiles)).toEqual(['cloudtrail:ListPublicKeys', 'kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(digestsOnly)).toContain('CloudTrail-Digest');
    expect(JSON.stringify(digestsOnly)).not.toContain('/CloudTrail/*');
  });

  it('has nothing CloudFormation refuses: no YAML aliases, policy versions quoted', () => {
    const text = readFileSync(FILE, 'utf8');
    expect(text).not.toMatch(/[&*][a-z]\w*\s*$/m);
    expect(text).toContain('Version: "2012-10-17"');
  });
});
