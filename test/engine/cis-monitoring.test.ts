import { describe, expect, it } from 'vitest';
import { CIS_VERSIONS, MONITORING_CONTROLS, type CisVersion, type MonitoringControl } from '../../src/engine/analysis/cis-controls.js';
import { MAX_NORMAL_FORM_TERMS, checkMetricFilter, checkPatternCoverage, cisControlPattern, type MatchVerdict } from '../../src/engine/analysis/cis-monitoring.js';
import { CIS_EVENT_SETS, owningEventSource } from '../../src/engine/analysis/cis-event-sets.js';
import { readFileSync } from 'node:fs';
import { parseFilterPattern } from '../../src/engine/analysis/filter-pattern.js';

const lenient = { strict: false };
const strict = { strict: true };

function published(control: MonitoringControl, version: CisVersion): string {
  const pattern = cisControlPattern(control, version);
  if (!pattern?.exact[0]) throw new Error(`no CIS ${version} pattern for ${control}`);
  return pattern.exact[0];
}

const everyPattern = MONITORING_CONTROLS.flatMap((control) =>
  CIS_VERSIONS.flatMap((version) => {
    const pattern = cisControlPattern(control, version);
    return pattern ? pattern.exact.map((text) => ({ control, version, text })) : [];
  }),
);

const everyEventSet = MONITORING_CONTROLS.flatMap((control) =>
  CIS_VERSIONS.flatMap((version) => (cisControlPattern(control, version)?.eventSets ?? []).map((text) => ({ control, version, text }))),
);

describe('CIS pattern data', () => {
  it('has a recommendation for every control in every version, except Organizations in 1.2', () => {
    const absent = MONITORING_CONTROLS.flatMap((control) => CIS_VERSIONS.filter((version) => !cisControlPattern(control, version)).map((version) => `${control}@${version}`));
    expect(absent).toEqual(['organizations-changes@1.2']);
  });

  it.each([
    ['unauthorized-api-calls', '1.2', '3.1'],
    ['vpc-changes', '1.2', '3.14'],
    ['route-table-changes', '1.4', '4.13'],
    ['organizations-changes', '5.0', '4.15'],
    ['console-login-without-mfa', '6.0', '5.2'],
  ] as const)('numbers %s in CIS %s as §%s', (control, version, section) => {
    expect(cisControlPattern(control, version)?.section).toBe(section);
  });

  it.each(everyPattern)('$control @ $version: the text parses as JSON and covers itself, strictly and not', ({ control, version, text }) => {
    const parsed = parseFilterPattern(text);
    expect(parsed.ok && parsed.ast.kind).toBe('json');
    expect(checkMetricFilter(text, control, version, strict).verdict).toBe('covers');
    expect(checkMetricFilter(text, control, version, lenient).verdict).toBe('covers');
  });

  it.each(everyEventSet)('$control @ $version: the event-set pattern parses, covers itself and is selected by the CIS text', ({ control, version, text }) => {
    const parsed = parseFilterPattern(text);
    expect(parsed.ok && parsed.ast.kind).toBe('json');
    expect(checkMetricFilter(text, control, version, lenient).verdict).toBe('covers');
    expect(checkMetricFilter(text, control, version, strict).verdict).toBe('not-exact');
  });

  it('lists 18 Organizations event names and 16 IAM policy event names', () => {
    const eventNames = (control: MonitoringControl) => checkMetricFilter('{ $.eventName = "NoSuchEvent" }', control, '5.0', lenient).missing;
    expect(eventNames('organizations-changes')).toHaveLength(18);
    expect(eventNames('iam-policy-changes')).toHaveLength(16);
  });
});

describe('checkMetricFilter: spelling never matters', () => {
  const iamNames = [
    'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'CreatePolicy', 'DeletePolicy',
    'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy',
  ];
  const orgNames = [
    'AcceptHandshake', 'AttachPolicy', 'CreateAccount', 'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy',
    'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount', 'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit',
  ];

  it.each<[string, MonitoringControl, CisVersion, string]>([
    ['reversed clause order, quoted values', 'iam-policy-changes', '3.0', `{ ${[...iamNames].reverse().map((n) => `$.eventName = "${n}"`).join(' || ')} }`],
    ['unquoted names where CIS quotes them', 'organizations-changes', '5.0', `{ $.eventSource = organizations.amazonaws.com && (${orgNames.map((n) => `$.eventName = ${n}`).join(' || ')}) }`],
    ['event source after the names', 'kms-key-disable-or-deletion', '1.4', '{ ($.eventName = "ScheduleKeyDeletion" || $.eventName = "DisableKey") && $.eventSource = "kms.amazonaws.com" }'],
    ['conditions distributed by hand', 'kms-key-disable-or-deletion', '1.2', '{ ($.eventSource = kms.amazonaws.com && $.eventName = DisableKey) || ($.eventSource = kms.amazonaws.com && $.eventName = ScheduleKeyDeletion) }'],
    ['redundant parentheses', 'cloudtrail-changes', '5.0', '{ ((($.eventName = CreateTrail))) || (($.eventName = UpdateTrail) || ($.eventName = DeleteTrail)) || ((($.eventName = StartLogging) || ($.eventName = StopLogging))) }'],
    ['root conditions reordered without parentheses', 'root-account-usage', '1.2', '{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = Root }'],
    ['CIS 1.2 pattern, quotes added', 'console-auth-failures', '6.0', '{ ($.errorMessage = "Failed authentication") && ($.eventName = "ConsoleLogin") }'],
  ])('%s covers %s @ %s', (_name, control, version, pattern) => {
    expect(checkMetricFilter(pattern, control, version, lenient)).toEqual({ verdict: 'covers', detail: expect.stringContaining('selects every event') });
    expect(checkMetricFilter(pattern, control, version, strict).verdict).toBe('not-exact');
  });

  it('accepts whitespace-only changes in strict mode', () => {
    const spaced = published('s3-bucket-policy-changes', '1.2').replace(/ /g, '').replace(/\|\|/g, ' ||\n ');
    expect(checkMetricFilter(spaced, 's3-bucket-policy-changes', '1.2', strict).verdict).toBe('covers');
    const requoted = published('cloudtrail-changes', '1.2').replace('CreateTrail', '"CreateTrail"');
    expect(checkMetricFilter(requoted, 'cloudtrail-changes', '1.2', strict)).toEqual({
      verdict: 'not-exact',
      detail: 'The filter pattern is not the exact CIS 1.2 §3.5 (cloudtrail-changes) pattern required in strict mode; it does select the CIS event set.',
    });
  });
});

describe('checkMetricFilter: && binds tighter than ||', () => {
  it('reads a || b && c as a || (b && c)', () => {
    const sourceOnFirst = '{ $.eventSource = kms.amazonaws.com && $.eventName = DisableKey || $.eventName = ScheduleKeyDeletion }';
    expect(checkMetricFilter(sourceOnFirst, 'kms-key-disable-or-deletion', '3.0', lenient).verdict).toBe('covers');
    const wrongSourceOnLast = '{ $.eventName = DisableKey || $.eventName = ScheduleKeyDeletion && $.eventSource = s3.amazonaws.com }';
    expect(checkMetricFilter(wrongSourceOnLast, 'kms-key-disable-or-deletion', '3.0', lenient)).toMatchObject({
      verdict: 'narrower',
      narrowing: ['$.eventSource = "s3.amazonaws.com"'],
    });
  });

  it('treats a forgotten pair of parentheses around the names as a narrowing of the first name only', () => {
    const pattern = '{ $.eventSource = config.amazonaws.com && $.eventName = StopConfigurationRecorder || $.eventName = DeleteDeliveryChannel || $.eventName = PutDeliveryChannel || $.eventName = PutConfigurationRecorder }';
    expect(checkMetricFilter(pattern, 'config-changes', '1.2', lenient).verdict).toBe('covers');
  });
});

describe('checkMetricFilter: CIS versions', () => {
  it.each<[string, MonitoringControl, CisVersion, CisVersion, MatchVerdict, Record<string, unknown>]>([
    ['1.2 unauthorized (no exclusions) selects more than 3.0 requires', 'unauthorized-api-calls', '1.2', '3.0', 'covers', {}],
    ['1.2 unauthorized against 5.0', 'unauthorized-api-calls', '1.2', '5.0', 'covers', {}],
    [
      '3.0 unauthorized (exclusions) against 1.2',
      'unauthorized-api-calls',
      '3.0',
      '1.2',
      'narrower',
      { narrowing: ['$.sourceIPAddress != "delivery.logs.amazonaws.com"', '$.eventName != "HeadBucket"'] },
    ],
    ['1.4 as printed (|| exclusions) selects a superset of the corrected set', 'unauthorized-api-calls', '1.4', '3.0', 'covers', {}],
    ['1.2 console login without MFA against 3.0', 'console-login-without-mfa', '1.2', '3.0', 'covers', {}],
    ['1.2 security groups against 5.0', 'security-group-changes', '1.2', '5.0', 'missing-events', { missing: ['ModifySecurityGroupRules'] }],
    ['5.0 security groups against 1.2', 'security-group-changes', '5.0', '1.2', 'covers', {}],
    ['1.2 route tables against 6.0', 'route-table-changes', '1.2', '6.0', 'covers', {}],
  ])('%s', (_name, control, from, against, verdict, extra) => {
    expect(checkMetricFilter(published(control, from), control, against, lenient)).toMatchObject({ verdict, ...extra });
  });

  it('requires the text of the chosen version in strict mode', () => {
    expect(checkMetricFilter(published('security-group-changes', '1.2'), 'security-group-changes', '5.0', strict)).toEqual({
      verdict: 'not-exact',
      detail: 'The filter pattern is not the exact CIS 5.0 §4.10 (security-group-changes) pattern required in strict mode; nor does it select the CIS event set.',
    });
    expect(checkMetricFilter(published('unauthorized-api-calls', '1.2'), 'unauthorized-api-calls', '5.0', strict).verdict).toBe('not-exact');
    expect(checkMetricFilter(published('unauthorized-api-calls', '5.0'), 'unauthorized-api-calls', '1.4', strict).verdict).toBe('covers');
  });

  it('accepts the SSO variant of console login without MFA from 1.4 on, but not for 1.2', () => {
    const sso = cisControlPattern('console-login-without-mfa', '3.0')?.exact[1] ?? '';
    expect(sso).toContain('IAMUser');
    expect(checkMetricFilter(sso, 'console-login-without-mfa', '1.4', lenient).verdict).toBe('covers');
    expect(checkMetricFilter(sso, 'console-login-without-mfa', '1.2', lenient)).toMatchObject({
      verdict: 'narrower',
      narrowing: ['$.userIdentity.type = "IAMUser"', '$.responseElements.ConsoleLogin = "Success"'],
    });
  });

  it.each(CIS_VERSIONS)('accepts the 3.0+ route-table audit text (ec2 source on CreateRoute only) under CIS %s: the set is EC2 route-table events in every version', (version) => {
    const audit = cisControlPattern('route-table-changes', '3.0')?.exact[0] ?? '';
    expect(checkMetricFilter(audit, 'route-table-changes', version, lenient).verdict).toBe('covers');
  });

  it('says Organizations changes are not a CIS 1.2 recommendation', () => {
    expect(checkMetricFilter(published('organizations-changes', '5.0'), 'organizations-changes', '1.2', lenient)).toEqual({
      verdict: 'not-in-version',
      detail: 'CIS 1.2 has no recommendation for organizations-changes.',
    });
  });
});

describe('checkMetricFilter: what fails', () => {
  it('reports a missing event by name', () => {
    const pattern = published('iam-policy-changes', '5.0').replace('||($.eventName=DetachGroupPolicy)', '');
    expect(checkMetricFilter(pattern, 'iam-policy-changes', '5.0', lenient)).toEqual({
      verdict: 'missing-events',
      detail: 'The filter does not select 1 of 16 events of CIS 5.0 §4.4 (iam-policy-changes): DetachGroupPolicy.',
      missing: ['DetachGroupPolicy'],
    });
  });

  it('never lets a name stand for a longer name that shares its prefix', () => {
    const pattern = published('route-table-changes', '1.2').replace('($.eventName = CreateRouteTable) || ', '');
    expect(checkMetricFilter(pattern, 'route-table-changes', '1.2', lenient)).toMatchObject({ verdict: 'missing-events', missing: ['CreateRouteTable'] });
    const onlyTables = '{ $.eventName = CreateRouteTable || $.eventName = ReplaceRoute || $.eventName = ReplaceRouteTableAssociation || $.eventName = DeleteRouteTable || $.eventName = DeleteRoute || $.eventName = DisassociateRouteTable }';
    expect(checkMetricFilter(onlyTables, 'route-table-changes', '1.2', lenient)).toMatchObject({ verdict: 'missing-events', missing: ['CreateRoute'] });
  });

  it('names an extra conjunct that narrows the match', () => {
    const inner = published('cloudtrail-changes', '3.0').replace(/^\{/, '(').replace(/\}$/, ')');
    const result = checkMetricFilter(`{ ${inner} && ($.awsRegion = "us-east-1") }`, 'cloudtrail-changes', '3.0', lenient);
    expect(result).toMatchObject({ verdict: 'narrower', narrowing: ['$.awsRegion = "us-east-1"'] });
    expect(result.detail).toBe(
      'The filter narrows CIS 3.0 §4.5 (cloudtrail-changes) with extra conditions: it selects $.eventName = "CreateTrail" from cloudtrail.amazonaws.com only with $.awsRegion = "us-east-1"; ' +
        '$.eventName = "UpdateTrail" from cloudtrail.amazonaws.com only with $.awsRegion = "us-east-1"; $.eventName = "DeleteTrail" from cloudtrail.amazonaws.com only with $.awsRegion = "us-east-1"; and 2 more CIS events likewise.',
    );
  });

  it('binds a conjunct appended without parentheses to the last name only', () => {
    const appended = published('cloudtrail-changes', '3.0').replace(/\}$/, '&& ($.awsRegion = "us-east-1") }');
    expect(checkMetricFilter(appended, 'cloudtrail-changes', '3.0', lenient).detail).toBe(
      'The filter narrows CIS 3.0 §4.5 (cloudtrail-changes) with extra conditions: it selects $.eventName = "StopLogging" from cloudtrail.amazonaws.com only with $.awsRegion = "us-east-1".',
    );
  });

  it('treats another service as narrowing where the CIS text names no event source', () => {
    const pattern = `{ $.eventSource = s3.amazonaws.com && ${published('cloudtrail-changes', '1.2')} }`.replace('&& {', '&& (').replace(/\}\s*\}$/, ') }');
    expect(checkMetricFilter(pattern, 'cloudtrail-changes', '1.2', lenient)).toMatchObject({ verdict: 'narrower', narrowing: ['$.eventSource = "s3.amazonaws.com"'] });
  });

  it('treats a different event source as narrowing where CIS demands one', () => {
    const pattern = published('kms-key-disable-or-deletion', '5.0').replace('kms.amazonaws.com', 'kms.amazonaws.com.cn');
    expect(checkMetricFilter(pattern, 'kms-key-disable-or-deletion', '5.0', lenient)).toMatchObject({ verdict: 'narrower', narrowing: ['$.eventSource = "kms.amazonaws.com.cn"'] });
  });

  it('reports missing and narrowed events together as missing, listing both', () => {
    const pattern = '{ $.eventName = CreateTrail || ($.eventName = UpdateTrail && $.readOnly IS FALSE) }';
    expect(checkMetricFilter(pattern, 'cloudtrail-changes', '1.4', lenient)).toMatchObject({
      verdict: 'missing-events',
      missing: ['DeleteTrail', 'StartLogging', 'StopLogging'],
      narrowing: ['$.readOnly IS FALSE'],
    });
  });

  it('names the whole CIS condition when it has no event name', () => {
    expect(checkMetricFilter('{ $.userIdentity.type = "IAMUser" }', 'root-account-usage', '5.0', lenient)).toMatchObject({
      verdict: 'missing-events',
      missing: ['$.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent"'],
    });
  });

  it('does not count an implied != alone as selecting the event', () => {
    expect(checkMetricFilter('{ $.eventName != "HeadBucket" && $.eventSource = "s3.amazonaws.com" }', 'cloudtrail-changes', '1.2', lenient).verdict).toBe('missing-events');
  });
});

describe('checkMetricFilter: conditions that select more are fine', () => {
  it.each<[string, MonitoringControl, string]>([
    ['"*" selects every event name', 'cloudtrail-changes', '{ $.eventName = "*" }'],
    ['unquoted * too', 'vpc-changes', '{ $.eventName = * }'],
    ['a prefix wildcard covers the longer names', 'route-table-changes', '{ $.eventName = CreateRoute* || $.eventName = ReplaceRoute* || $.eventName = DeleteRoute* || $.eventName = DisassociateRouteTable }'],
    ['dropping the event-source conjunct', 's3-bucket-policy-changes', '{ $.eventName = PutBucket* || $.eventName = DeleteBucketPolicy || $.eventName = DeleteBucketCors || $.eventName = DeleteBucketLifecycle || $.eventName = DeleteBucketReplication }'],
    ['dropping a NOT EXISTS conjunct', 'root-account-usage', '{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }'],
    ['an exists test on the CIS field', 'root-account-usage', '{ $.userIdentity.type = * }'],
    ['a != the CIS events can never match', 'kms-key-disable-or-deletion', '{ $.eventSource = kms.amazonaws.com && $.eventName != HeadBucket && ($.eventName = DisableKey || $.eventName = ScheduleKeyDeletion) }'],
    ['a != on a prefix no CIS name has', 'network-gateway-changes', '{ $.eventName != "Describe*" && ($.eventName = *Gateway) }'],
    ['a broader wildcard on a CIS wildcard', 'unauthorized-api-calls', '{ $.errorCode = "*Operation" || $.errorCode = "Access*" }'],
    ['a contains-wildcard on a CIS prefix wildcard', 'unauthorized-api-calls', '{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "*Denied*" }'],
    ['one exclusion instead of two', 'unauthorized-api-calls', '{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" && $.sourceIPAddress != "delivery.logs.amazonaws.com" }'],
    ['a regular expression matching the CIS names', 'kms-key-disable-or-deletion', '{ $.eventSource = kms.amazonaws.com && $.eventName = %^DisableKey$|^ScheduleKeyDeletion$% }'],
  ])('%s (%s)', (_name, control, pattern) => {
    expect(checkMetricFilter(pattern, control, '5.0', lenient).verdict).toBe('covers');
  });

  it('does not let a literal stand for a CIS wildcard', () => {
    expect(checkMetricFilter('{ $.errorCode = "UnauthorizedOperation" || $.errorCode = "AccessDenied*" }', 'unauthorized-api-calls', '1.2', lenient)).toMatchObject({
      verdict: 'missing-events',
      missing: ['$.errorCode = "*UnauthorizedOperation"'],
    });
  });

  it('does not let a narrower wildcard stand for a CIS wildcard', () => {
    expect(checkMetricFilter('{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDeniedException*" }', 'unauthorized-api-calls', '1.2', lenient).verdict).toBe(
      'missing-events',
    );
  });

  it('treats a * inside a value as a literal character, as CloudWatch does', () => {
    expect(checkMetricFilter('{ $.eventName = "Disable*y" || $.eventName = ScheduleKeyDeletion }', 'kms-key-disable-or-deletion', '1.2', lenient)).toMatchObject({
      verdict: 'missing-events',
      missing: ['DisableKey'],
    });
  });

  it('does not accept a != that CIS does not imply', () => {
    const pattern = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" && $.eventType != "AwsConsoleSignIn" }';
    expect(checkMetricFilter(pattern, 'root-account-usage', '1.2', lenient)).toMatchObject({ verdict: 'narrower', narrowing: ['$.eventType != "AwsConsoleSignIn"'] });
  });

  it('does not accept a regular expression that misses a CIS name', () => {
    expect(checkMetricFilter('{ $.eventName = %^Disable% }', 'kms-key-disable-or-deletion', '1.2', lenient)).toMatchObject({
      verdict: 'missing-events',
      missing: ['ScheduleKeyDeletion'],
    });
  });
});

describe('checkMetricFilter: patterns that cannot be judged', () => {
  it('reports a syntax error with its offset', () => {
    expect(checkMetricFilter('{ ($.eventName = CreateTrail) || }', 'cloudtrail-changes', '1.2', lenient)).toEqual({
      verdict: 'unparseable',
      detail: 'The filter pattern cannot be parsed at offset 33: expected a condition such as $.eventName = "X".',
      offset: 33,
    });
    expect(checkMetricFilter('{ ($.eventName = CreateTrail) || }', 'cloudtrail-changes', '1.2', strict).verdict).toBe('unparseable');
  });

  it.each([
    ['', 'match-all'],
    ['ConsoleLogin', 'terms'],
    ['[version, account, eni, source, destination, srcport, destport="22", ...]', 'space-delimited'],
  ])('reports %j as not a JSON pattern', (pattern, form) => {
    const result = checkMetricFilter(pattern, 'console-auth-failures', '3.0', lenient);
    expect(result.verdict).toBe('not-json');
    expect(result.detail).toContain(`a ${form} pattern`);
  });

  it('refuses to expand a pattern beyond the term cap', () => {
    const pairs = Array.from({ length: 12 }, (_, i) => `($.eventName = A${i} || $.eventName = B${i})`).join(' && ');
    const result = checkMetricFilter(`{ ${pairs} }`, 'cloudtrail-changes', '1.2', lenient);
    expect(result.verdict).toBe('unparseable');
    expect(result.detail).toContain(`more than ${MAX_NORMAL_FORM_TERMS} alternatives`);
    expect(checkMetricFilter(`{ ${pairs} }`, 'cloudtrail-changes', '1.2', strict).detail).toContain('its meaning was not analysed');
  });
});

describe('checkPatternCoverage: conditions CIS does not use', () => {
  it.each<[string, string, string, MatchVerdict]>([
    ['a wider numeric range', '{ $.latency > 100 }', '{ $.latency >= 500 }', 'covers'],
    ['an equal bound', '{ $.latency >= 500 }', '{ $.latency >= 500 }', 'covers'],
    ['a narrower numeric range', '{ $.latency > 500 }', '{ $.latency >= 500 }', 'missing-events'],
    ['a range from an equality', '{ $.status >= 400 && $.status < 500 }', '{ $.status = 404 }', 'covers'],
    ['a range from two bounds', '{ $.status < 600 }', '{ $.status >= 400 && $.status <= 599 }', 'covers'],
    ['an open end is not bounded', '{ $.status < 600 }', '{ $.status >= 400 }', 'missing-events'],
    ['a shared condition with a narrower bound', '{ $.app = web && $.latency > 500 }', '{ $.app = web && $.latency >= 500 }', 'narrower'],
    ['!= a number outside the range', '{ $.status != 200 }', '{ $.status >= 400 }', 'covers'],
    ['!= a number inside the range', '{ $.status != 404 }', '{ $.status >= 400 }', 'missing-events'],
    ['a number is not its quoted string', '{ $.code = "400" }', '{ $.code = 400 }', 'missing-events'],
    ['IS NULL only from IS NULL', '{ $.a IS NULL }', '{ $.a IS NULL && $.b = 1 }', 'covers'],
    ['IS NULL is not an exists test', '{ $.a = * }', '{ $.a IS NULL }', 'missing-events'],
    ['NOT EXISTS only from NOT EXISTS', '{ $.a = 1 && $.b NOT EXISTS }', '{ $.a = 1 }', 'narrower'],
    ['IS TRUE implies the field exists', '{ $.flag = * }', '{ $.flag IS TRUE }', 'covers'],
    ['IS TRUE is not IS FALSE', '{ $.flag IS TRUE }', '{ $.flag IS FALSE }', 'missing-events'],
    ['array elements are distinct selectors', '{ $.users[0].id = 1 }', '{ $.users[1].id = 1 }', 'missing-events'],
    ['a broader != implies a narrower one', '{ $.a = 1 && $.ip != "10.*" }', '{ $.a = 1 && $.ip != "10.0.*" }', 'narrower'],
    ['a narrower != follows from a broader one', '{ $.a = 1 && $.ip != "10.0.*" }', '{ $.a = 1 && $.ip != "10.*" }', 'covers'],
    ['contradictory numeric conditions select nothing', '{ $.a = 5 }', '{ $.b = 1 && $.a > 10 && $.a < 3 }', 'covers'],
  ])('%s', (_name, filter, required, verdict) => {
    expect(checkPatternCoverage(filter, required).verdict).toBe(verdict);
  });

  it('rejects a required pattern that is not JSON', () => {
    expect(() => checkPatternCoverage('{ $.a = 1 }', 'ERROR')).toThrow(/cannot be analysed/);
  });
});

describe('checkMetricFilter: events are (eventSource, eventName) pairs', () => {
  const namesOf = (control: MonitoringControl, version: CisVersion) =>
    (CIS_EVENT_SETS[control][version] ?? []).flat().flatMap((eventClass) => eventClass.eventNames ?? []);
  const disjunction = (names: readonly string[]) => names.map((n) => `$.eventName = ${n}`).join(' || ');
  const named = MONITORING_CONTROLS.flatMap((control) =>
    CIS_VERSIONS.flatMap((version) => {
      const source = owningEventSource(control, version);
      return source && namesOf(control, version).length > 0 && control !== 'console-login-without-mfa' && control !== 'console-auth-failures'
        ? [{ control, version, source, names: namesOf(control, version) }]
        : [];
    }),
  );

  it('names an owning service for every name-keyed control and none for root usage or access denials', () => {
    expect(owningEventSource('route-table-changes', '1.2')).toBe('ec2.amazonaws.com');
    expect(owningEventSource('cloudtrail-changes', '6.0')).toBe('cloudtrail.amazonaws.com');
    expect(owningEventSource('console-auth-failures', '5.0')).toBe('signin.amazonaws.com');
    expect(owningEventSource('root-account-usage', '5.0')).toBeUndefined();
    expect(owningEventSource('unauthorized-api-calls', '5.0')).toBeUndefined();
    expect(named).toHaveLength(5 * 10 + 4);
  });

  it.each(named)('$control @ $version: the names with and without $source, in every placement, pass', ({ control, version, source, names }) => {
    const bare = `{ ${disjunction(names)} }`;
    const before = `{ $.eventSource = ${source} && (${disjunction(names)}) }`;
    const after = `{ (${disjunction(names)}) && ($.eventSource = "${source}") }`;
    const distributed = `{ ${names.map((n) => `($.eventSource = ${source} && $.eventName = ${n})`).join(' || ')} }`;
    const excludingOthers = `{ $.eventSource != "apigateway.amazonaws.com" && (${disjunction(names)}) }`;
    for (const pattern of [bare, before, after, distributed, excludingOthers]) expect(checkMetricFilter(pattern, control, version, lenient).verdict).toBe('covers');
  });

  it.each(named)('$control @ $version: the names qualified by another service fail as narrowed', ({ control, version, source, names }) => {
    const other = source === 'apigateway.amazonaws.com' ? 'ec2.amazonaws.com' : 'apigateway.amazonaws.com';
    expect(checkMetricFilter(`{ $.eventSource = ${other} && (${disjunction(names)}) }`, control, version, lenient)).toMatchObject({
      verdict: 'narrower',
      narrowing: [`$.eventSource = "${other}"`],
    });
  });

  it('keeps API Gateway v2 CreateRoute outside the route-table set', () => {
    const ec2Names = 'CreateRouteTable || ReplaceRoute || ReplaceRouteTableAssociation || DeleteRouteTable || DeleteRoute || DisassociateRouteTable'
      .split(' || ')
      .map((n) => `$.eventName = ${n}`)
      .join(' || ');
    const apiGatewayCreateRoute = `{ ($.eventSource = apigateway.amazonaws.com && $.eventName = CreateRoute) || ${ec2Names} }`;
    expect(checkMetricFilter(apiGatewayCreateRoute, 'route-table-changes', '5.0', lenient)).toMatchObject({
      verdict: 'narrower',
      narrowing: ['$.eventSource = "apigateway.amazonaws.com"'],
      detail: expect.stringContaining('$.eventName = "CreateRoute" from ec2.amazonaws.com only with $.eventSource = "apigateway.amazonaws.com"'),
    });
    const ec2CreateRoute = `{ ($.eventSource = ec2.amazonaws.com && $.eventName = CreateRoute) || ${ec2Names} }`;
    expect(checkMetricFilter(ec2CreateRoute, 'route-table-changes', '1.4', lenient).verdict).toBe('covers');
  });

  it('reports a name missing under the right service as missing, not as narrowed by the service', () => {
    const pattern = '{ $.eventSource = ec2.amazonaws.com && ($.eventName = CreateRoute || $.eventName = CreateRouteTable) }';
    expect(checkMetricFilter(pattern, 'route-table-changes', '5.0', lenient)).toEqual({
      verdict: 'missing-events',
      detail: 'The filter does not select 5 of 7 events of CIS 5.0 §4.13 (route-table-changes): ReplaceRoute, ReplaceRouteTableAssociation, DeleteRouteTable, DeleteRoute, DisassociateRouteTable.',
      missing: ['ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'],
    });
  });

  it.each(['console-login-without-mfa', 'console-auth-failures'] as const)('%s: sign-in events qualified by signin.amazonaws.com pass, by iam.amazonaws.com fail', (control) => {
    const text = published(control, '5.0');
    const qualify = (source: string) => `{ $.eventSource = ${source} && (${text.replace(/^\{\s*/, '').replace(/\s*\}$/, '')}) }`;
    expect(checkMetricFilter(qualify('signin.amazonaws.com'), control, '5.0', lenient).verdict).toBe('covers');
    expect(checkMetricFilter(qualify('iam.amazonaws.com'), control, '5.0', lenient).verdict).toBe('narrower');
  });

  it.each(['root-account-usage', 'unauthorized-api-calls'] as const)('%s spans every service: any event-source qualifier narrows it', (control) => {
    const text = published(control, '5.0');
    const qualified = `{ $.eventSource = iam.amazonaws.com && (${text.replace(/^\{\s*/, '').replace(/\s*\}$/, '')}) }`;
    expect(checkMetricFilter(qualified, control, '5.0', lenient)).toMatchObject({ verdict: 'narrower', narrowing: ['$.eventSource = "iam.amazonaws.com"'] });
  });

  it('keeps strict mode on the exact text: a qualified filter is not the CIS text', () => {
    const qualified = `{ $.eventSource = ec2.amazonaws.com && (${disjunction(namesOf('nacl-changes', '1.2'))}) }`;
    expect(checkMetricFilter(qualified, 'nacl-changes', '1.2', strict)).toEqual({
      verdict: 'not-exact',
      detail: 'The filter pattern is not the exact CIS 1.2 §3.11 (nacl-changes) pattern required in strict mode; it does select the CIS event set.',
    });
  });
});

describe('docs/cis-monitoring.md', () => {
  const docs = readFileSync(new URL('../../docs/cis-monitoring.md', import.meta.url), 'utf8');
  const rowOf = (control: MonitoringControl) => docs.split('\n').find((line) => line.startsWith(`| ${control} |`)) ?? '';

  it.each(MONITORING_CONTROLS)('prints the decision table row of %s with every service and name of every version', (control) => {
    const row = rowOf(control);
    expect(row).not.toBe('');
    for (const version of CIS_VERSIONS) {
      for (const eventClass of (CIS_EVENT_SETS[control][version] ?? []).flat()) {
        expect(row).toContain(eventClass.eventSource ?? 'every service');
        for (const name of eventClass.eventNames ?? []) expect(row).toMatch(new RegExp(`\\b${name}\\b`));
      }
      const section = cisControlPattern(control, version)?.section;
      if (section) expect(row).toContain(section);
    }
  });
});
