import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { loadProject } from '../../src/loaders/index.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import { reporters } from '../../src/reporters/index.js';
import { writeTree, trustPolicy } from '../helpers/project.js';
import { redactSecrets } from '../../src/model/secrets.js';

/** 300 trust policies that each admit any repository: a report of a few hundred KiB. */
function repository(): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`iam/role-${i}.json`] = trustPolicy({ Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': `repo:*${i}` } } });
  // A key in a file name: only the redaction of what is written catches it.
  files['iam/AKIAIOSFODNN7EXAMPLQ.json'] = trustPolicy({ Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } } });
  return writeTree(files);
}

describe('JSON and SARIF reports are written in pieces', () => {
  it.each(['json', 'sarif'])('%s: stdout gets the report in several pieces, -o gets the same bytes, both equal to the reporter as one string', async (format) => {
    const dir = repository();
    const pieces: string[] = [];
    const code = await main([dir, '-f', format, '--no-config'], { cwd: dir, stdout: (s) => pieces.push(s), stderr: () => {}, env: {} });
    expect(code).toBe(1);
    const out = path.join(dir, `report.${format}`);
    expect(await main([dir, '-f', format, '--no-config', '-o', out], { cwd: dir, stdout: () => {}, stderr: () => {}, env: {} })).toBe(1);
    // The reporter's one-string form, as the CLI would have built it.
    const project = await loadProject([dir], { root: dir });
    const { findings, crashes } = lintProject(project, rules, { rules: {}, settings: {} });
    // As the CLI wrote it before it was streamed: the whole report redacted at once.
    const whole = redactSecrets(reporters[format]({ findings, crashes, project, rules, options: { color: false, cwd: dir, repoRoot: dir } }));
    expect(whole).toContain('AKIA');
    expect(whole).not.toContain('AKIAIOSFODNN7EXAMPLQ');
    expect(whole.length).toBeGreaterThan(200_000);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe(whole);
    expect(readFileSync(out, 'utf8')).toBe(whole);
  });
});
