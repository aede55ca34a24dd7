/**
 * Finds the real line comments of a source file, by its syntax, so that suppression comments are
 * only ever read from comments — never from a string, a YAML block scalar or a heredoc.
 *
 * - YAML: the `yaml` package's CST (`Parser`). It is the same lexer the loaders use, so a `#`
 *   inside a quoted scalar, a plain scalar (`a#b`) or a `run: |` block scalar is never a comment,
 *   exactly as GitHub reads the file. A hand scan would have to re-implement block-scalar
 *   indentation rules to get this right.
 * - HCL (Terraform): a small scanner that knows quoted templates (with `${…}` / `%{…}` nesting and
 *   `$${` escapes), heredocs (`<<EOT` / `<<-EOT`) and block comments; `#` and `//` start a comment.
 * - TypeScript: typescript-estree's comment list (a full parse, so regular expressions and template
 *   literals are handled), loaded synchronously and only when a .ts file holds a directive.
 * - JSON has no comments.
 */
import { createRequire } from 'node:module';
import { Parser } from 'yaml';

export type CommentSyntax = 'yaml' | 'hcl' | 'typescript' | 'none';

export interface LineComment {
  /** Offset of the comment marker (`#` or `//`). */
  start: number;
  /** Offset of the first character after the marker. */
  bodyStart: number;
  /** Offset just after the comment (its line's end). */
  end: number;
}

export function commentSyntaxOf(file: string): CommentSyntax {
  if (/\.(ya?ml|template)$/i.test(file)) return 'yaml';
  if (/\.(tf|tfvars|hcl)$/i.test(file)) return 'hcl';
  if (/\.[cm]?tsx?$/i.test(file)) return 'typescript';
  return 'none';
}

export function lineComments(text: string, syntax: CommentSyntax, file = ''): LineComment[] {
  switch (syntax) {
    case 'yaml':
      return yamlComments(text);
    case 'hcl':
      return hclComments(text);
    case 'typescript':
      return typescriptComments(text, /x$/i.test(file));
    default:
      return [];
  }
}

function yamlComments(text: string): LineComment[] {
  const out: LineComment[] = [];
  const walk = (t: unknown): void => {
    if (Array.isArray(t)) {
      for (const x of t) walk(x);
      return;
    }
    if (!t || typeof t !== 'object') return;
    const tok = t as { type?: unknown; offset?: unknown; source?: unknown };
    if (tok.type === 'comment' && typeof tok.offset === 'number' && typeof tok.source === 'string') {
      const source = tok.source.replace(/\r$/, '');
      out.push({ start: tok.offset, bodyStart: tok.offset + 1, end: tok.offset + source.length });
      return;
    }
    for (const v of Object.values(t)) if (v && typeof v === 'object') walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return out.sort((a, b) => a.start - b.start);
}

function hclComments(text: string): LineComment[] {
  const out: LineComment[] = [];
  const n = text.length;
  const lineEnd = (i: number) => {
    const e = text.indexOf('\n', i);
    return e < 0 ? n : e > i && text[e - 1] === '\r' ? e - 1 : e;
  };
  // Contexts: top-level code, a quoted template, or code inside a template's `${…}` (with brace depth).
  const stack: ({ kind: 'code'; depth: number } | { kind: 'string' })[] = [{ kind: 'code', depth: 0 }];
  let i = 0;
  while (i < n) {
    const top = stack[stack.length - 1];
    const c = text[i];
    if (top.kind === 'string') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') i += 3; // `$${` / `%%{` are literal
      else if ((c === '$' || c === '%') && text[i + 1] === '{') {
        stack.push({ kind: 'code', depth: 0 });
        i += 2;
      } else if (c === '\n') {
        stack.pop(); // unterminated string: recover at the end of the line
        i++;
      } else i++;
      continue;
    }
    if (c === '"') {
      stack.push({ kind: 'string' });
      i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const end = lineEnd(i);
      out.push({ start: i, bodyStart: i + (c === '#' ? 1 : 2), end });
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 256));
      if (!m) {
        i += 2;
        continue;
      }
      // Skip the heredoc body up to the line holding only its delimiter.
      let j = i + m[0].length;
      for (;;) {
        if (j >= n) break;
        const e = lineEnd(j);
        const line = text.slice(j, e);
        j = e + (text[e] === '\r' ? 2 : 1);
        if (line.trim() === m[1]) break;
      }
      i = j;
    } else if (c === '{' && stack.length > 1) {
      top.depth++;
      i++;
    } else if (c === '}' && stack.length > 1) {
      if (top.depth === 0) stack.pop();
      else top.depth--;
      i++;
    } else i++;
  }
  return out;
}

interface EstreeComment {
  type: 'Line' | 'Block';
  range: [number, number];
}

let estree: { parse(code: string, options: Record<string, unknown>): { comments?: EstreeComment[] } } | undefined;

function typescriptComments(text: string, jsx: boolean): LineComment[] {
  // Synchronous, lazy: linting is synchronous, and typescript is only loaded when a .ts file holds a directive.
  estree ??= createRequire(import.meta.url)('@typescript-eslint/typescript-estree');
  let comments: EstreeComment[];
  try {
    comments = estree!.parse(text, { comment: true, range: true, jsx, errorOnUnknownASTType: false }).comments ?? [];
  } catch {
    return []; // a file that does not parse is reported by its loader; it has no trustworthy comments
  }
  return comments.filter((c) => c.type === 'Line').map((c) => ({ start: c.range[0], bodyStart: c.range[0] + 2, end: c.range[1] }));
}
