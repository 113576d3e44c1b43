/**
 * `trailwarden diff` output: the drift between two snapshots as console text, markdown, JSON or a
 * self-contained HTML page. Pure. AWS strings are made visible (text-safety.ts) in text and
 * markdown and escaped in HTML.
 */
import type { DriftFormat } from './formats.js';
import type { DriftResource, SnapshotDrift, VerdictChange } from '../results.js';
import { codeSpan, inline } from './markdown.js';
import { STATUS_LABEL, plural } from './model.js';
import { displayText } from './text-safety.js';


const statusLabel = (s: VerdictChange['before']) => (s === 'none' ? 'not judged' : STATUS_LABEL[s]);

function verdictText(v: VerdictChange): string {
  return `${v.ruleId} (${v.severity}): ${statusLabel(v.before)} → ${statusLabel(v.after)}`;
}

function headline(drift: SnapshotDrift): string {
  const t = drift.verdictTotals;
  return `${plural(drift.resources.length, 'resource')} drifted between ${drift.before.scanTime} and ${drift.after.scanTime}: ${plural(t.newFailures, 'verdict')} now failing, ${formatFixed(t.fixed)}, ${t.other} other verdict change(s)`;
}

const formatFixed = (n: number) => `${n} no longer failing`;

function groups(drift: SnapshotDrift): Map<string, DriftResource[]> {
  const out = new Map<string, DriftResource[]>();
  for (const r of drift.resources) {
    const key = `${r.accountId} · ${r.region}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

export function renderDriftText(drift: SnapshotDrift): string {
  const lines = [headline(drift), ''];
  for (const [group, resources] of groups(drift)) {
    lines.push(`account ${group}`);
    for (const r of resources) {
      lines.push(`  ${r.kind} ${displayText(r.name)}${r.state === 'changed' ? '' : ` (${r.state})`}`);
      for (const c of r.changes) lines.push(`    - ${displayText(c.text)}`);
      for (const v of r.verdicts) lines.push(`    verdict ${displayText(verdictText(v))}`);
    }
    lines.push('');
  }
  if (drift.resources.length === 0) lines.push('no drift: the two snapshots hold the same facts and verdicts', '');
  return `${lines.join('\n')}`;
}

export function renderDriftMarkdown(drift: SnapshotDrift): string {
  const lines = ['## trailwarden diff', '', `**${inline(headline(drift))}**`, ''];
  for (const [group, resources] of groups(drift)) {
    lines.push(`### Account ${inline(group)}`, '');
    for (const r of resources) {
      lines.push(`- **${inline(r.kind)}** ${codeSpan(r.name)}${r.state === 'changed' ? '' : ` *(${r.state})*`}`);
      for (const c of r.changes) lines.push(`  - ${inline(c.text)}`);
      for (const v of r.verdicts) lines.push(`  - verdict ${codeSpan(v.ruleId)} (${inline(v.severity)}): ${inline(statusLabel(v.before))} → **${inline(statusLabel(v.after))}**`);
    }
    lines.push('');
  }
  if (drift.resources.length === 0) lines.push('No drift: the two snapshots hold the same facts and verdicts.', '');
  return lines.join('\n');
}

export function renderDriftJson(drift: SnapshotDrift): string {
  return `${JSON.stringify(drift, null, 2)}\n`;
}

function escapeHtml(text: string): string {
  return displayText(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:0;background:#f8fafc;color:#0f172a}main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px;margin:0 0 12px}
.kind{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#64748b}.state{font-size:12px;color:#b45309}code{font-family:ui-monospace,monospace;font-size:12px;overflow-wrap:anywhere}
ul{margin:6px 0 0 18px;padding:0}li.verdict{list-style:none;margin-left:-18px}.fail{color:#b91c1c;font-weight:600}.pass{color:#15803d;font-weight:600}.other{color:#a16207;font-weight:600}`;

function verdictClass(s: VerdictChange['after']): string {
  return s === 'fail' ? 'fail' : s === 'pass' ? 'pass' : 'other';
}

export function renderDriftHtml(drift: SnapshotDrift): string {
  const parts = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>trailwarden diff</title><style>${STYLE}</style></head><body><main>`,
    `<h1>Configuration drift</h1><p><strong>${escapeHtml(headline(drift))}</strong></p>`,
  ];
  for (const [group, resources] of groups(drift)) {
    parts.push(`<h2>Account ${escapeHtml(group)}</h2>`);
    for (const r of resources) {
      parts.push(`<section class="card"><div class="kind">${escapeHtml(r.kind)}${r.state === 'changed' ? '' : ` <span class="state">${escapeHtml(r.state)}</span>`}</div><div><strong>${escapeHtml(r.name)}</strong> <code>${escapeHtml(r.arn)}</code></div><ul>`);
      for (const c of r.changes) parts.push(`<li>${escapeHtml(c.text)}</li>`);
      for (const v of r.verdicts) parts.push(`<li class="verdict">⚖ <code>${escapeHtml(v.ruleId)}</code> (${escapeHtml(v.severity)}): ${escapeHtml(statusLabel(v.before))} → <span class="${verdictClass(v.after)}">${escapeHtml(statusLabel(v.after))}</span></li>`);
      parts.push('</ul></section>');
    }
  }
  if (drift.resources.length === 0) parts.push('<p>No drift: the two snapshots hold the same facts and verdicts.</p>');
  parts.push('</main></body></html>\n');
  return parts.join('\n');
}

export const DRIFT_RENDERERS: Readonly<Record<DriftFormat, (drift: SnapshotDrift) => string>> = {
  text: renderDriftText,
  markdown: renderDriftMarkdown,
  json: renderDriftJson,
  html: renderDriftHtml,
};
