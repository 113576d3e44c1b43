/**
 * The wire formats of the protocols the installed SDK clients speak: awsJson1_0/1_1 (with the
 * awsQueryCompatible error header), awsQuery, ec2Query and restXml. Handlers produce plain values;
 * this module turns them into bodies, and AwsErrors into each protocol's error document.
 */
import { AwsError } from './errors.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Bytes for object bodies (S3 GetObject), text for every API document. */
  body: string | Buffer;
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A query-protocol map (`<entry><key/><value/></entry>`), told apart from a structure. */
export class XmlMap {
  constructor(readonly entries: Record<string, string>) {}
}

export type XmlValue = string | number | boolean | Date | undefined | XmlMap | XmlValue[] | { [member: string]: XmlValue };

function scalarText(value: string | number | boolean | Date): string {
  return escapeXml(value instanceof Date ? value.toISOString() : String(value));
}

/**
 * One element per member, in insertion order; lists wrap their items in `listItem` elements
 * (`member` for awsQuery, `item` for ec2Query); undefined members are left out.
 */
export function toXml(name: string, value: XmlValue, listItem: 'member' | 'item'): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((item) => toXml(listItem, item, listItem)).join('')}</${name}>`;
  if (value instanceof XmlMap) {
    const entries = Object.entries(value.entries).map(([key, entry]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(entry)}</value></entry>`);
    return `<${name}>${entries.join('')}</${name}>`;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    return `<${name}>${Object.entries(value).map(([member, inner]) => toXml(member, inner, listItem)).join('')}</${name}>`;
  }
  return `<${name}>${scalarText(value)}</${name}>`;
}

/** `<name>text</name>`, or nothing when the value is absent. */
export function xmlLeaf(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function xmlAnswer(status: number, body: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body };
}

// ---------------------------------------------------------------------------------------------
// awsJson
// ---------------------------------------------------------------------------------------------

/** JSON protocols send timestamps as epoch seconds. */
function jsonReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

export function jsonResult(version: '1.0' | '1.1', output: unknown, requestId: string): HttpAnswer {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId },
    body: JSON.stringify(output ?? {}, jsonReplacer),
  };
}

export function jsonError(version: '1.0' | '1.1', error: AwsError, requestId: string, queryCompatible: boolean): HttpAnswer {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  };
  // Services that moved from awsQuery to JSON keep their old error codes in this header.
  if (queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.type}`;
  return { status: error.status, headers, body: JSON.stringify({ __type: error.code, message: error.message }) };
}

// ---------------------------------------------------------------------------------------------
// awsQuery and ec2Query
// ---------------------------------------------------------------------------------------------

export function queryResult(action: string, xmlNamespace: string, result: XmlValue, requestId: string): HttpAnswer {
  const resultXml = toXml(`${action}Result`, result ?? {}, 'member');
  return xmlAnswer(
    200,
    `<${action}Response xmlns="${xmlNamespace}">${resultXml}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
    { 'x-amzn-requestid': requestId },
  );
}

export function queryError(xmlNamespace: string, error: AwsError, requestId: string): HttpAnswer {
  return xmlAnswer(
    error.status,
    `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    { 'x-amzn-requestid': requestId },
  );
}

export function ec2Result(action: string, xmlNamespace: string, result: Record<string, XmlValue>, requestId: string): HttpAnswer {
  const members = Object.entries(result).map(([member, value]) => toXml(member, value, 'item')).join('');
  return xmlAnswer(200, `${XML_DECLARATION}<${action}Response xmlns="${xmlNamespace}"><requestId>${requestId}</requestId>${members}</${action}Response>`);
}

export function ec2Error(error: AwsError, requestId: string): HttpAnswer {
  return xmlAnswer(
    error.status,
    `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  );
}

/** The values of a query-protocol list parameter, `<prefix>.1`, `<prefix>.2`, … */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index += 1) values.push(params.get(`${prefix}.${index}`)!);
  return values;
}

// ---------------------------------------------------------------------------------------------
// restXml (S3, S3 Control)
// ---------------------------------------------------------------------------------------------

export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const S3_CONTROL_XML_NAMESPACE = 'http://awss3control.amazonaws.com/doc/2018-08-20/';

export function s3Headers(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64') };
}

/** A REST-XML document whose root carries the service namespace. */
export function restXmlDocument(root: string, xmlNamespace: string, inner: string): string {
  return `${XML_DECLARATION}<${root} xmlns="${xmlNamespace}">${inner}</${root}>`;
}

export function restXmlResult(body: string | Buffer, requestId: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status: 200, headers: { 'content-type': 'application/xml', ...s3Headers(requestId), ...headers }, body };
}

/** S3 answers `<Error>`; S3 Control wraps it in `<ErrorResponse>`. HEAD answers carry no body. */
export function restXmlError(error: AwsError, requestId: string, options: { head: boolean; wrapped: boolean }): HttpAnswer {
  const headers = { ...s3Headers(requestId), ...error.headers };
  if (options.head) return { status: error.status, headers, body: '' };
  const inner = `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${options.wrapped ? '' : `<RequestId>${requestId}</RequestId>`}</Error>`;
  const document = options.wrapped ? `<ErrorResponse>${inner}<RequestId>${requestId}</RequestId></ErrorResponse>` : inner;
  return { status: error.status, headers: { 'content-type': 'application/xml', ...headers }, body: `${XML_DECLARATION}${document}` };
}
