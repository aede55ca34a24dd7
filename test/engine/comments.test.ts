/** Only real comments carry suppressions: each syntax's scanner against strings, block scalars, heredocs and templates. */
import { describe, expect, it } from 'vitest';
import { commentSyntaxOf, lineComments, type CommentSyntax } from '../../src/engine/comments.js';
import { directivesOf } from '../../src/engine/suppressions.js';

/** The text of every line comment, marker included. */
function comments(text: string, syntax: CommentSyntax, file = ''): string[] {
  return lineComments(text, syntax, file).map((c) => text.slice(c.start, c.end));
}

describe('comment syntax by file name', () => {
  it('maps extensions to YAML, HCL, TypeScript, or none (JSON has no comments)', () => {
    expect(['a.yml', 'b.YAML', 'c.template', 'main.tf', 'x.tfvars', 'stack.ts', 'app.tsx', 'mod.mts', 'trust.json', 'README'].map(commentSyntaxOf)).toEqual([
      'yaml',
      'yaml',
      'yaml',
      'hcl',
      'hcl',
      'typescript',
      'typescript',
      'typescript',
      'none',
      'none',
    ]);
  });
});

describe('YAML comments (yaml CST)', () => {
  it('finds trailing and own-line comments but not # inside quoted, plain or block scalars', () => {
    const text = [
      '# top',
      'on: push # trailing',
      'env:',
      '  A: "x # not a comment"',
      "  B: 'y # nor this'",
      '  C: a#b',
      '  D: |',
      '    # shell comment in a block scalar',
      '    echo hi',
      '  E: >-',
      '    folded # text',
      '  F: [a, # in flow',
      '      b]',
      '    # indented own line',
      'x: 1',
    ].join('\n');
    expect(comments(text, 'yaml')).toEqual(['# top', '# trailing', '# in flow', '# indented own line']);
  });
  it('keeps CRLF line ends out of the comment', () => {
    expect(comments('a: 1 # c\r\nb: 2\r\n', 'yaml')).toEqual(['# c']);
  });
});

describe('HCL comments', () => {
  it('finds #, // and skips block comments, strings, interpolations and heredocs', () => {
    const text = [
      '# one',
      'resource "aws_iam_role" "r" { // two',
      '  name = "a # b // c"',
      '  tag  = "${var.x == "#" ? "y" : "z"} # not"',
      '  esc  = "$${literal} # still a string"',
      '  /* block # comment */ x = 1 # three',
      '  policy = <<-EOT',
      '    # inside a heredoc',
      '    EOT',
      '  after = 2 # four',
      '}',
    ].join('\n');
    expect(comments(text, 'hcl')).toEqual(['# one', '// two', '# three', '# four']);
  });
  it('recovers from an unterminated string at the end of its line', () => {
    expect(comments('a = "open\nb = 1 # ok\n', 'hcl')).toEqual(['# ok']);
  });
});

describe('TypeScript comments (typescript-estree)', () => {
  it('finds line comments, not // inside strings, templates or regular expressions, nor block comments', () => {
    const text = [
      'const a = "// no";',
      'const t = `x ${a} // no`;',
      'const r = /\\/\\/ no/;',
      '/* block */ const b = 1; // yes',
      '// own line',
    ].join('\n');
    expect(comments(text, 'typescript', 'stack.ts')).toEqual(['// yes', '// own line']);
  });
  it('yields nothing for a file that does not parse', () => {
    expect(comments('const = ; // c', 'typescript', 'bad.ts')).toEqual([]);
  });
});

describe('directives', () => {
  it('a trailing directive covers its own line; one on its own line covers the next line that is not a comment', () => {
    const text = [
      'a: 1 # oidc-lint: ignore[no-wildcard-subject] legacy',
      '# oidc-lint: ignore[require-subject-condition, require-audience-condition] -- SEC-12',
      '# a second comment line',
      'b: 2',
      '# oidc-lint: ignore[parse-error]',
      '',
      'c: 3',
    ].join('\n');
    const ds = directivesOf({ path: 'w.yml', text });
    expect(ds.map((d) => ({ line: d.line, rules: d.rules.map((r) => `${r.id}@${r.loc.start.line}:${r.loc.start.column}-${r.loc.end.column}`), reason: d.reason }))).toEqual([
      { line: 1, rules: ['no-wildcard-subject@1:26-45'], reason: 'legacy' },
      { line: 4, rules: ['require-subject-condition@2:21-46', 'require-audience-condition@2:48-74'], reason: 'SEC-12' },
      // A blank line is a line: the directive covers it, and so suppresses nothing.
      { line: 6, rules: ['parse-error@5:21-32'], reason: '' },
    ]);
  });
  it('marks comments that start with oidc-lint: but are not ignore[ids] as malformed, and ignores other comments', () => {
    const text = ['# oidc-lint: ignore no-wildcard-subject', '# oidc-lint: ignore[]', '# oidc-lint: ignore[a,,b]', '# oidc-lint: ignore[Not_An_Id]', '# TODO oidc-lint: ignore[x]', '# oidc-lint: ignore[a, b,] trailing comma is fine', 'x: 1'].join(
      '\n',
    );
    const ds = directivesOf({ path: 'w.yaml', text });
    expect(ds.map((d) => [d.loc.start.line, d.malformed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [6, false],
    ]);
    expect(ds[4].rules.map((r) => r.id)).toEqual(['a', 'b']);
  });
  it('reads // and # directives in HCL and // in TypeScript', () => {
    const tf = 'resource "x" "y" {\n  a = "*" # oidc-lint: ignore[no-wildcard-subject] ok\n  // oidc-lint: ignore[require-subject-condition] ok\n  b = 1\n}\n';
    expect(directivesOf({ path: 'main.tf', text: tf }).map((d) => [d.line, d.rules[0].id])).toEqual([
      [2, 'no-wildcard-subject'],
      [4, 'require-subject-condition'],
    ]);
    const ts = 'new Role(this, "R", {\n  // oidc-lint: ignore[no-wildcard-subject] ok\n  sub: "repo:*",\n});\nconst s = "// oidc-lint: ignore[x]";\n';
    expect(directivesOf({ path: 'stack.ts', text: ts }).map((d) => [d.line, d.rules[0].id])).toEqual([[3, 'no-wildcard-subject']]);
  });
  it('finds nothing in JSON, even text that looks like a directive', () => {
    expect(directivesOf({ path: 'trust.json', text: '{"Sid": "# oidc-lint: ignore[no-wildcard-subject]"}' })).toEqual([]);
  });
});
