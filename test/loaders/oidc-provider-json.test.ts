import { describe, expect, it } from 'vitest';
import { loadTree } from '../helpers/project.js';

describe('OIDC provider documents in JSON', () => {
  it('reads `aws iam get-open-id-connect-provider` output with exact positions', async () => {
    const text = [
      '{',
      '  "Url": "token.actions.githubusercontent.com",',
      '  "ClientIDList": ["sts.amazonaws.com", "https://github.com/octo-org"],',
      '  "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],',
      '  "CreateDate": "2023-05-04T10:11:12Z"',
      '}',
    ].join('\n');
    const project = await loadTree({ 'iam/github-provider.json': text });
    expect(project.loadErrors).toEqual([]);
    expect(project.roles).toEqual([]);
    const [p] = project.providers;
    expect(p.origin).toEqual({ format: 'json', file: 'iam/github-provider.json' });
    expect(p.url).toMatchObject({ value: 'token.actions.githubusercontent.com', loc: { start: { line: 2, column: 10 }, end: { line: 2, column: 47 } } });
    expect(p.clientIds.map((c) => [c.value, c.loc.start.line, c.loc.start.column])).toEqual([
      ['sts.amazonaws.com', 3, 20],
      ['https://github.com/octo-org', 3, 41],
    ]);
    expect(p.thumbprints.map((t) => t.value)).toEqual(['6938fd4d98bab03faadb97b34396831e3780aea1']);
    expect(project.sources.map((s) => s.kind)).toEqual(['policy-json']);
  });
  it('ignores other JSON documents found while walking a directory', async () => {
    const project = await loadTree({ 'data/settings.json': '{ "Url": "https://example.com" }' });
    expect(project.providers).toEqual([]);
    expect(project.loadErrors).toEqual([]);
  });
});
