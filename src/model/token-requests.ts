/**
 * Reads the token-requester data (token-requesters.ts, plus the config's `tokenRequests`) and
 * answers, for one step as it runs (inputs already bound), whether it requests a GitHub OIDC token:
 * `yes`, `no`, or `unknown` when the deciding input is an expression oidc-lint cannot evaluate.
 */
import type { Value } from './location.js';
import type { Entry } from './workflow.js';
import { findEntry } from './workflow.js';
import { TOKEN_REQUESTERS, type InputTest, type TokenRequester } from './token-requesters.js';

export type Tri = 'yes' | 'no' | 'unknown';

export interface RequestMatch {
  requester: TokenRequester;
  verdict: Exclude<Tri, 'no'>;
}

interface Compiled {
  entry: TokenRequester;
  /** `uses: '*'`: applies to actions no other entry names. */
  generic: boolean;
  uses?: RegExp;
  run?: RegExp;
  matches: Map<string, RegExp>;
}

const compiled = new WeakMap<readonly TokenRequester[], Compiled[]>();

function compile(list: readonly TokenRequester[]): Compiled[] {
  let out = compiled.get(list);
  if (out) return out;
  out = list.map((entry) => {
    const c: Compiled = { entry, generic: entry.uses === '*', matches: new Map() };
    if (entry.uses) c.uses = new RegExp(`^${entry.uses.toLowerCase().split('*').map(escape).join('.*')}$`);
    if (entry.run) c.run = new RegExp(entry.run, 'm');
    for (const [k, t] of Object.entries({ ...entry.when, ...entry.env })) if (typeof t === 'object' && 'matches' in t) c.matches.set(k, new RegExp(t.matches));
    return c;
  });
  compiled.set(list, out);
  return out;
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
}

/** The requester data in force for one run: the built-in entries, then the user's. */
export class TokenRequesters {
  private readonly list: Compiled[];

  constructor(extra: readonly TokenRequester[] = []) {
    this.list = [...compile(TOKEN_REQUESTERS), ...compile(extra)];
  }

  /** Whether an action or reusable workflow (`owner/repo[/path]`, no ref) with these inputs requests a token. */
  forUses(name: string, inputs: readonly Entry[]): RequestMatch | undefined {
    const key = name.toLowerCase();
    // An action the data names is judged by its own entries only; the generic ones are for the rest.
    const named = this.knows(name);
    let best: RequestMatch | undefined;
    for (const c of this.list) {
      if (c.generic === named || !c.uses?.test(key)) continue;
      const verdict = evaluate(c, inputs);
      if (verdict === 'yes') return { requester: c.entry, verdict };
      if (verdict === 'unknown') best ??= { requester: c.entry, verdict };
    }
    return best;
  }

  /** Whether this action is listed at all (so that, when no entry matches its inputs, it is known not to request a token). */
  knows(name: string): boolean {
    const key = name.toLowerCase();
    return this.list.some((c) => !c.generic && c.uses?.test(key));
  }

  /** The first environment-switched requester the step's environment (workflow, job and step `env:` merged) turns on. */
  forEnv(env: readonly Entry[]): RequestMatch | undefined {
    let best: RequestMatch | undefined;
    for (const c of this.list) {
      if (!c.entry.env || c.uses || c.run) continue;
      const verdict = evaluateTests(c.entry.env, env, undefined, c.matches);
      if (verdict === 'yes') return { requester: c.entry, verdict };
      if (verdict === 'unknown') best ??= { requester: c.entry, verdict };
    }
    return best;
  }

  /** The requesters a script matches, required ones first. */
  forScript(script: string): TokenRequester[] {
    const hits = this.list.filter((c) => c.run?.test(script)).map((c) => c.entry);
    return hits.sort((a, b) => (a.need === b.need ? 0 : a.need === 'required' ? -1 : 1));
  }
}

function evaluate(c: Compiled, inputs: readonly Entry[]): Tri {
  return evaluateTests(c.entry.when ?? {}, inputs, c.entry.defaults, c.matches);
}

function evaluateTests(tests: Record<string, InputTest>, inputs: readonly Entry[], defaults: Record<string, string> | undefined, matches: Map<string, RegExp>): Tri {
  let result: Tri = 'yes';
  for (const [name, test] of Object.entries(tests)) {
    const given = findEntry(inputs, name)?.value;
    const v = testInput(test, given, defaults?.[name], matches.get(name));
    if (v === 'no') return 'no';
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}

/** How actions read a boolean input (configure-aws-credentials before v5 also took `yes` and `1`). */
const TRUE_WORDS = new Set(['true', 'yes', '1']);

function testInput(test: InputTest, given: Value<string> | undefined, fallback: string | undefined, re: RegExp | undefined): Tri {
  const unresolved = given?.resolution === 'unresolved';
  const text = (given ? given.value : (fallback ?? '')).trim();
  switch (test) {
    case 'set':
      return text !== '' ? 'yes' : 'no';
    case 'unset':
      return text === '' ? 'yes' : 'no';
    case 'true':
      return unresolved ? 'unknown' : TRUE_WORDS.has(text.toLowerCase()) ? 'yes' : 'no';
    case 'not-true':
      return unresolved ? 'unknown' : TRUE_WORDS.has(text.toLowerCase()) ? 'no' : 'yes';
  }
  // A script with expressions inside is still read: only one that is wholly an expression is unknown.
  if ('matches' in test) return re?.test(text) ? 'yes' : unresolved && !given?.parts?.some((p) => p.known && p.text.trim()) ? 'unknown' : 'no';
  if (unresolved) return 'unknown';
  const lower = text.toLowerCase();
  if ('oneOf' in test) return test.oneOf.some((x) => x.toLowerCase() === lower) ? 'yes' : 'no';
  return test.noneOf.some((x) => x.toLowerCase() === lower) ? 'no' : 'yes';
}
