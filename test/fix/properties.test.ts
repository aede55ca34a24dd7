/**
 * Properties of --fix over generated workflows (fast-check): the result always parses, nothing
 * fixable is left, a second run changes nothing, no job loses a token it uses, and every job keeps
 * exactly the other scopes it had (the one documented exception: a job with no permissions block
 * anywhere gets contents: read).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixProject } from '../../src/engine/fixes.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import { loadWorkflow } from '../../src/loaders/workflows/workflow.js';
import type { Project } from '../../src/model/project.js';
import type { Job, Permissions } from '../../src/model/workflow.js';
import { loadTree } from '../helpers/project.js';

const WF = '.github/workflows/ci.yml';
const SCOPES = ['contents: read', 'id-token: write', 'id-token: none', 'checks: write', 'packages: read'];

const perms = fc.oneof(
  fc.constant<string[] | string | null>(null),
  fc.constantFrom('{}', 'read-all', 'write-all', ''),
  fc.uniqueArray(fc.constantFrom(...SCOPES), { minLength: 1, maxLength: 3, selector: (s) => s.split(':')[0] }),
  fc.uniqueArray(fc.constantFrom(...SCOPES), { minLength: 1, maxLength: 3, selector: (s) => s.split(':')[0] }).map((l) => `{ ${l.join(', ')} }`),
);
const STEPS = {
  assume: ['- uses: aws-actions/configure-aws-credentials@v2', '  with:', '    role-to-assume: arn:aws:iam::123456789012:role/r', '    aws-region: eu-west-1'],
  checkout: ['- uses: actions/checkout@v4  # comment'],
  make: ['- run: make test'],
  unknown: ['- uses: example/tool@v1'],
  publish: ['- uses: pypa/gh-action-pypi-publish@release/v1'],
};
const job = fc.record({
  perms,
  steps: fc.array(fc.constantFrom(...(Object.keys(STEPS) as (keyof typeof STEPS)[])), { minLength: 1, maxLength: 3 }),
  call: fc.boolean(),
  comment: fc.boolean(),
});
const workflow = fc.record({ perms, jobs: fc.array(job, { minLength: 1, maxLength: 4 }), unit: fc.constantFrom(2, 4), crlf: fc.boolean(), blank: fc.boolean() });

type Generated = typeof workflow extends fc.Arbitrary<infer T> ? T : never;

function render(w: Generated): string {
  const u = ' '.repeat(w.unit);
  const block = (p: string[] | string | null, ind: string): string[] => {
    if (p === null) return [];
    if (typeof p === 'string') return [`${ind}permissions:${p ? ' ' + p : ''}`];
    return [`${ind}permissions:`, ...p.map((s) => `${ind}${u}${s}`)];
  };
  const lines = ['name: generated', 'on: push', ...block(w.perms, ''), 'jobs:'];
  w.jobs.forEach((j, i) => {
    if (w.blank && i) lines.push('');
    lines.push(`${u}job${i}:`);
    if (j.call) {
      lines.push(...block(j.perms, u + u), `${u}${u}uses: example/repo/.github/workflows/deploy.yml@v1`);
      return;
    }
    lines.push(`${u}${u}runs-on: ubuntu-latest`, ...block(j.perms, u + u));
    if (j.comment) lines.push(`${u}${u}# steps`);
    lines.push(`${u}${u}steps:`);
    for (const s of j.steps) lines.push(...STEPS[s].map((l) => `${u}${u}${u}${l}`));
  });
  const text = lines.join('\n') + '\n';
  return w.crlf ? text.replace(/\n/g, '\r\n') : text;
}

const lint = (p: Project) => lintProject(p, rules, { rules: {}, settings: {} });

/** The scopes a job ends up with, id-token aside: 'default', a shorthand, or a sorted list. */
function otherScopes(job: Job): string {
  const block: Permissions | undefined = job.permissions ?? job.parent.permissions;
  if (!block) return 'default';
  if (block.shorthand) return block.shorthand.value;
  return [...block.scopes.entries()].filter(([k]) => k !== 'id-token').map(([k, e]) => `${k}=${e.value.value}`).sort().join(',');
}

describe('--fix properties', () => {
  it('over generated workflows', async () => {
    let checked = 0;
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(workflow, async (w) => {
        const text = render(w);
        const project = await loadTree({ [WF]: text });
        if (project.loadErrors.length) return; // generated something GitHub would not accept either
        const before = project.workflows[0];
        const run = await fixProject(project, lint);
        checked++;
        if (run.changes.length) changed++;
        const after = run.project.workflows[0];
        const fixedText = run.project.sources.find((s) => s.path === WF)!.text;
        expect(loadWorkflow(fixedText, WF).errors).toEqual([]);
        expect(fixedText.includes('\r\n')).toBe(w.crlf);
        if (w.crlf) expect(fixedText.replace(/\r\n/g, '')).not.toContain('\n');
        expect(run.result.findings.filter((f) => f.fix)).toEqual([]);
        const again = await fixProject(run.project, lint);
        expect(again.changes).toEqual([]);
        for (const j of before.jobs) {
          const k = after.jobs.find((x) => x.id.value === j.id.value)!;
          const was = otherScopes(j);
          const now = otherScopes(k);
          if (was === 'default' && now !== 'default') expect(now).toBe('contents=read');
          else expect(now).toBe(was);
          // A job that had a token and uses it keeps it; a job that needed one and could be fixed has it.
          if (j.roleAssumptions.length && j.effectivePermissions.idToken === 'write') expect(k.effectivePermissions.idToken).toBe('write');
          const stillMissing = run.result.findings.some((f) => f.ruleId === 'require-id-token-permission' && f.message.includes(`"${j.id.value}"`));
          if (j.roleAssumptions.length && !stillMissing && !(j.parent.reusable && j.effectivePermissions.source === 'default')) expect(k.effectivePermissions.idToken).toBe('write');
        }
      }),
      { numRuns: 150 },
    );
    // Not vacuous: most samples load, and many of them need fixing.
    expect(checked).toBeGreaterThan(140);
    expect(changed).toBeGreaterThan(30);
  });
});
