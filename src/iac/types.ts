/**
 * What trailwarden reads from infrastructure code (Terraform, CloudFormation): the definitions of
 * the resources that feed the snapshot, where they are, and what can be known of them without
 * deploying. Plain data: the run matches findings to definitions, the reporters only see the
 * locations the run copies into results.
 */
import type { Diagnostic } from '../errors.js';

export type IacTool = 'terraform' | 'cloudformation';

/** A range of source text. Lines and columns are 1-based; the end column is exclusive. */
export interface SourceSpan {
  /** Relative to the repository root (or the folder the scan was given), forward slashes. */
  file: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A value that cannot be known before deploy (or not statically), and why. */
export interface IacUnknown {
  $unknown: string;
}

/** A statically resolved value. Unknown parts stay marked, never guessed. */
export type IacValue = string | number | boolean | null | IacUnknown | IacValue[] | { [key: string]: IacValue };

export interface IacAttribute {
  span: SourceSpan;
  value: IacValue;
  /**
   * Addresses of the definitions this attribute's expression refers to
   * (`module.org_trail.aws_s3_bucket.logs`, a CloudFormation logical id).
   */
  refs?: string[];
}

/**
 * The kind of thing a definition describes. The first five are resources findings are about
 * (results.ts ResourceType); the others are parts of them or neighbours that rules read.
 */
export type IacKind =
  | 'trail'
  | 'bucket'
  | 'kms-key'
  | 'log-group'
  | 'event-data-store'
  | 'kms-alias'
  | 'metric-filter'
  | 'alarm'
  | 'sns-topic'
  | 'sns-subscription';

/** What is statically known of the deployed resource's identity. Absent fields are not known. */
export interface IacIdentity {
  kind: IacKind;
  /** Trail name, bucket name, alias name (`alias/…`), log group name, topic name, filter or alarm name. */
  name?: string;
  arn?: string;
  accountId?: string;
  region?: string;
  /** KMS keys: the alias names that target the key. */
  aliases?: string[];
  /** Why a name or ARN is not known, when it is not (`bucket_prefix`, a variable without default…). */
  unknown?: string;
}

export interface IacDefinition {
  tool: IacTool;
  /** `aws_cloudtrail`, `AWS::CloudTrail::Trail`, … */
  resourceType: string;
  /**
   * Terraform: the resource address with its module path (`module.org_trail.aws_cloudtrail.this`);
   * CloudFormation: the logical id.
   */
  address: string;
  /**
   * Where the definition lives as a deployment: the Terraform root module's folder, or the
   * CloudFormation template file. Two definitions of one identity in two roots are ambiguous.
   */
  root: string;
  /** The whole block (Terraform) or the resource's mapping entry (CloudFormation). */
  block: SourceSpan;
  /**
   * Attribute path -> where it is and its value. Terraform: `enable_log_file_validation`,
   * nested blocks `rule.apply_server_side_encryption_by_default.sse_algorithm` (a repeated block's
   * later occurrences as `name[1]`); CloudFormation: the property path below `Properties`,
   * `VersioningConfiguration.Status`, list items as `Tags[0]`.
   */
  attributes: Record<string, IacAttribute>;
  identity: IacIdentity;
  /**
   * A satellite (aws_s3_bucket_versioning, AWS::S3::BucketPolicy, aws_kms_key_policy, …): the
   * address of the definition it belongs to, when its reference is static.
   */
  parent?: string;
  /** Terraform `count` / `for_each`: one block, several resources. */
  repeated?: boolean;
}

export interface IacIndex {
  /** The paths read, as given. */
  paths: string[];
  /** How many files were parsed. */
  files: number;
  definitions: IacDefinition[];
  /** Files that could not be read or parsed (located), identities that could not be resolved, limits hit. */
  diagnostics: Diagnostic[];
}

export const isUnknown = (value: IacValue | undefined): value is IacUnknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { $unknown?: unknown }).$unknown === 'string';

export const unknown = (reason: string): IacUnknown => ({ $unknown: reason });
