/**
 * What a trust admits, symbolically: a token as a record of fields (owner, ids, repository,
 * context, audience, subject format, other claims), constraints on fields as per-field globs, the
 * language of each field analysed with a small automaton (any owner? which repositories?), and the
 * admitted regions rules read (`AdmittedRegion`, `TrustSummary`). Cloud-neutral: each cloud's
 * trust language (./aws-iam.ts, …) translates its conditions into these products.
 */
import type { Condition, Statement, TrustPolicy } from '../iam.js';
import type { Value } from '../location.js';
import { DEFAULT_AUDIENCES, DEFAULT_TEMPLATE, type GitHubIssuer, type SubjectTemplate, type TokenFacts, buildSubject, claimInfo, claimOfFacts, isDefaultTemplate, subjectContextOf } from './github.js';
import { type GTok, STAR, charEq, closure, globMatch, globsIntersect, isStarLike, litToks, match3, stepChar } from './pattern.js';
import { type ClaimText, type Tri, allOf3, and3, anyOf3, concatText, not3, piecesOf } from './values.js';

// ---- the field model ----------------------------------------------------------------------------
//
// A token is seen as a record of fields: owner, ownerId, repo, repoId, context (the escaped default
// context `environment:X` / `pull_request` / `ref:R`), aud, format (which subject template renders
// `sub`), job_workflow_ref split into path and ref, and one field per other claim. Every condition
// value is translated into constraints on fields: a `sub` glob is cut along the subject grammar
// (for each template the policy or the options mention) into one glob per field; a union of such
// products is exact. Negated operators and Deny statements are subtracted symbolically
// (P \ Q = ⋃_lit P ∧ ¬lit). Each field's language (class ∩ globs ∩ ¬globs) is then analysed with a
// small automaton: empty? finite (which values)? infinite (any owner / any repository)?

export type CharClass = 'name' | 'digits' | 'any' | 'noColon' | 'noAt';

interface FieldSpec {
  cls: CharClass;
  optional: boolean;
}

export const FIELD_SPECS: Record<string, FieldSpec> = {
  owner: { cls: 'name', optional: false },
  repo: { cls: 'name', optional: false },
  ownerId: { cls: 'digits', optional: false },
  repoId: { cls: 'digits', optional: false },
  context: { cls: 'any', optional: false },
  format: { cls: 'any', optional: false },
  sub: { cls: 'any', optional: false },
  aud: { cls: 'any', optional: false },
  'jwr.path': { cls: 'noAt', optional: false },
  'jwr.ref': { cls: 'any', optional: false },
};

export function fieldSpec(field: string): FieldSpec {
  return (Object.hasOwn(FIELD_SPECS, field) ? FIELD_SPECS[field] : undefined) ?? { cls: 'any', optional: claimInfo(field)?.presence !== 'always' };
}

/** Whether the class has the character `ch` (one code point). */
export function classHas(cls: CharClass, ch: string): boolean {
  return ch !== '' && classHasAll(cls, ch);
}

/** Whether the class has every character of `s`. */
function classHasAll(cls: CharClass, s: string): boolean {
  switch (cls) {
    case 'name':
      return /^[A-Za-z0-9_.-]*$/.test(s);
    case 'digits':
      return /^[0-9]*$/.test(s);
    case 'noColon':
      return !s.includes(':');
    case 'noAt':
      return !s.includes('@');
    default:
      return true;
  }
}

/** The literal a glob without wildcards stands for (memoised on the literal), undefined when it has any. */
function exactText(l: FieldLit): string | undefined {
  if (l.exact === undefined) l.exact = l.toks.every((t) => t.k === 'c') ? l.toks.map((t) => (t as { c: string }).c).join('') : null;
  return l.exact ?? undefined;
}

const REPRESENTATIVES = 'qzjkxwvQZJKXW0123456789_-.yuhgfdsapomnlbtrice';

/** One constraint on a field: the value matches (or, `neg`, does not match) a glob; `whenAbsent` when the field is absent. */
export interface FieldLit {
  toks: GTok[];
  ci: boolean;
  neg: boolean;
  whenAbsent: boolean;
  /** Glob text for display. */
  text: string;
  /** Memoised canonical form (cache key). */
  key?: string;
  /** Memoised `exactText` (null: the glob has wildcards). */
  exact?: string | null;
}

export interface ValueSource {
  condition: Condition;
  value: Value<string>;
}

/** A product of field constraints, with the condition values it came from. */
export interface Product {
  lits: Map<string, FieldLit[]>;
  sources: ValueSource[];
  /** Conditions the summary cannot model (unresolved keys, non-string operators, unconfirmed claims). */
  opaque: Condition[];
  uncertain: boolean;
  /** Membership is at best 'unknown' (the statement's principal, action or effect is unresolved). */
  maybe?: boolean;
  /** Matches the whole subject for formats the summary does not cut into fields. */
  fallback?: boolean;
}

export function emptyProduct(): Product {
  return { lits: new Map(), sources: [], opaque: [], uncertain: false };
}

export function andProducts(a: Product, b: Product): Product {
  const lits = new Map(a.lits);
  for (const [f, ls] of b.lits) lits.set(f, [...(lits.get(f) ?? []), ...ls]);
  return {
    lits,
    sources: [...a.sources, ...b.sources],
    opaque: [...a.opaque, ...b.opaque],
    uncertain: a.uncertain || b.uncertain,
    maybe: a.maybe || b.maybe,
    fallback: a.fallback || b.fallback,
  };
}

function negateLit(l: FieldLit): FieldLit {
  return { ...l, neg: !l.neg, whenAbsent: !l.whenAbsent, key: undefined };
}

export function globText(toks: GTok[]): string {
  return toks.map((t) => (t.k === 'c' ? t.c : t.k === 'u' ? (t.text ?? UNRESOLVED_MARK) : t.k)).join('');
}

// ---- field languages --------------------------------------------------------------------------

export interface LanguageInfo {
  nonEmpty: boolean;
  /** Infinitely many values (a wildcard consumes characters of the field). */
  infinite: boolean;
  /** Every value when finite and enumerable (no wildcard character), at most 32. */
  values?: string[];
  /** One value of the language. */
  witness?: string;
  /** The automaton was too large: answers are over-approximations. */
  truncated?: boolean;
}

const OTHER = '\u0000';

/**
 * Analyses {x ∈ cls+ : prefix·x matches every positive glob and no negative glob}. The alphabet is
 * reduced to the characters the globs mention plus one stand-in for "any other character of the
 * class", which is exact for globs.
 */
const languageCache = new Map<string, LanguageInfo>();

function litKey(l: FieldLit): string {
  return (l.key ??= `${l.neg ? '!' : '='}${l.ci ? '~' : ''}${toksKey(l.toks)}`);
}

/** Language analysis (memoised). `quick`: only whether it is empty. */
const quickCache = new WeakMap<readonly FieldLit[], Map<string, LanguageInfo>>();

export function analyzeLanguage(lits: readonly FieldLit[], cls: CharClass, prefix = '', quick = false, unknownAsMark = false): LanguageInfo {
  // With `unknownAsMark` an unresolved piece stands for one unknown string rather than a wildcard:
  // without any, the language is the same either way.
  if (!unknownAsMark || !lits.some((l) => l.toks.some((t) => t.k === 'u'))) {
    // A literal without wildcards pins the language to one string at most: decide by membership.
    // This is the common case (`StringEquals`) and costs one pass per literal: not worth a cache
    // entry (the WeakMap insertions below cost more than the check).
    const exact = lits.find((l) => !l.neg && !l.ci && exactText(l) !== undefined);
    if (exact) {
      const value = exactText(exact)!;
      const rest = value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
      const ok = rest !== undefined && rest.length > 0 && classHasAll(cls, rest) && lits.every((l) => l === exact || globMatch(l.toks, l.ci, value) !== l.neg);
      return ok ? { nonEmpty: true, infinite: false, witness: rest, values: [rest!] } : { nonEmpty: false, infinite: false, values: [] };
    }
  }
  // Emptiness checks dominate: answer them from the same literal array object when possible, then
  // by trying a few witnesses built from the positive globs, before building an automaton.
  const small = `${quick ? 'q' : 'f'}${unknownAsMark ? 'm' : ''}${cls}\u0001${prefix}`;
  let perArray = quickCache.get(lits);
  const cachedHere = perArray?.get(small);
  if (cachedHere) return cachedHere;
  if (quick && !unknownAsMark && quickEmpty(lits, prefix)) {
    const info: LanguageInfo = { nonEmpty: false, infinite: false, values: [] };
    if (!perArray) quickCache.set(lits, (perArray = new Map()));
    perArray.set(small, info);
    return info;
  }
  if (quick && !unknownAsMark) {
    const w = quickWitness(lits, cls, prefix);
    if (w !== undefined) {
      const info: LanguageInfo = { nonEmpty: true, infinite: false, witness: w };
      if (!perArray) quickCache.set(lits, (perArray = new Map()));
      perArray.set(small, info);
      return info;
    }
  }
  const key = `${small}\u0001${lits.map(litKey).sort().join('\u0002')}`;
  let hit = languageCache.get(key);
  if (!hit && quick) hit = languageCache.get(`f${key.slice(1)}`);
  if (!hit) {
    hit = analyzeLanguageUncached(lits, cls, prefix, quick, unknownAsMark);
    if (languageCache.size > 20000) languageCache.clear();
    languageCache.set(key, hit);
  }
  if (!perArray) quickCache.set(lits, (perArray = new Map()));
  perArray.set(small, hit);
  return hit;
}

/** Cheap proofs of emptiness: a negated match-everything glob, a literal both required and excluded, two disjoint positive globs. */
function quickEmpty(lits: readonly FieldLit[], prefix: string): boolean {
  const pos = lits.filter((l) => !l.neg).map((l) => ({ toks: l.toks.map((t) => (t.k === 'u' ? STAR : t)), ci: l.ci, key: litKey(l) }));
  if (prefix) pos.push({ toks: [...litToks(prefix), STAR], ci: false, key: '' });
  for (const l of lits) {
    if (!l.neg) continue;
    if (l.toks.every((t) => t.k === '*')) return true;
    const k = litKey(l).slice(1);
    if (pos.some((p) => p.key.slice(1) === k)) return true;
  }
  for (let i = 0; i < pos.length; i++)
    for (let j = i + 1; j < pos.length; j++) if (!globsIntersect(pos[i].toks, pos[j].toks, pos[i].ci || pos[j].ci)) return true;
  return false;
}

/** A string of the language found by filling the positive globs' wildcards a few ways, if any. */
function quickWitness(lits: readonly FieldLit[], cls: CharClass, prefix: string): string | undefined {
  const pos = lits.filter((l) => !l.neg);
  const mentioned = new Set<string>();
  for (const l of lits) for (const t of l.toks) if (t.k === 'c') mentioned.add(t.c.toLowerCase());
  const rep: string[] = [];
  for (const c of REPRESENTATIVES) {
    if (rep.length === 4) break;
    if (classHas(cls, c) && !mentioned.has(c.toLowerCase())) rep.push(c);
  }
  if (!rep.length) return undefined;
  const fillers = ['', rep[0], rep.slice(0, 4).join('')];
  const sources = pos.length ? pos : [{ toks: [STAR] as GTok[], ci: false }];
  const candidates: string[] = [];
  for (const g of sources.slice(0, 3))
    for (const f of fillers) candidates.push(g.toks.map((t) => (t.k === 'c' ? t.c : t.k === '?' ? rep[0] : f)).join(''));
  for (const cand of candidates) {
    if (!cand.startsWith(prefix)) continue;
    const rest = cand.slice(prefix.length);
    if (!rest.length || !classHasAll(cls, rest)) continue;
    if (lits.every((l) => globMatch(l.toks, l.ci, cand) !== l.neg)) return rest;
  }
  return undefined;
}

/** Stands for an unresolved piece when describing scopes: one fixed (unknown) string, not a wildcard. */
export const UNRESOLVED_MARK = '\u2026';

function analyzeLanguageUncached(lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean): LanguageInfo {
  const globs = lits.map((l) => ({ toks: l.toks.map((t) => (t.k === 'u' ? (unknownAsMark ? ({ k: 'c', c: UNRESOLVED_MARK } as GTok) : STAR) : t)), ci: l.ci, neg: l.neg }));
  const mentioned = new Set<string>();
  for (const g of globs)
    for (const t of g.toks)
      if (t.k === 'c') {
        mentioned.add(t.c);
        if (g.ci) {
          mentioned.add(t.c.toLowerCase());
          mentioned.add(t.c.toUpperCase());
        }
      }
  const alphabet = [...mentioned].filter((c) => c.length === 1 && (classHas(cls, c) || c === UNRESOLVED_MARK)).sort();
  const rep = [...REPRESENTATIVES].find((c) => classHas(cls, c) && !mentioned.has(c));
  const symbols = rep ? [...alphabet, OTHER] : alphabet;
  // The tables below are positions × symbols: 3,000 distinct characters after a `*` took 33 s and
  // 1.7 GB. Past a bound the answer is the over-approximation a truncated search gives.
  let positions = 0;
  for (const g of globs) positions += g.toks.length + 1;
  if (positions * symbols.length > 200_000) return { nonEmpty: true, infinite: true, truncated: true };
  // Per glob and position: the positions reached by each symbol (after ε-closure), precomputed.
  const closures = globs.map((g) => g.toks.map((_, i) => [...closure(g.toks, new Set([i]))].sort((a, b) => a - b)).concat([[g.toks.length]]));
  const tables = globs.map((g, gi) =>
    closures[gi].map((_, i) =>
      symbols.map((sym) => {
        const t = g.toks[i];
        if (!t) return [] as number[];
        if (t.k === '*' || t.k === 'u') return closures[gi][i];
        if (t.k === '?' || (sym !== OTHER && t.k === 'c' && charEq(t.c, sym, g.ci))) return closures[gi][i + 1];
        return [] as number[];
      }),
    ),
  );
  const stepSet = (gi: number, set: number[], si: number): number[] => {
    if (set.length === 1) return tables[gi][set[0]][si];
    const out = new Set<number>();
    for (const i of set) for (const j of tables[gi][i][si]) out.add(j);
    return [...out].sort((a, b) => a - b);
  };
  type State = { sets: number[][]; len: boolean };
  const keyOf = (st: State) => (st.len ? '1' : '0') + st.sets.map((x) => x.join(',')).join('|');
  let start: State = { sets: globs.map((g, gi) => closures[gi][0]), len: false };
  for (const ch of prefix) start = { sets: start.sets.map((set, gi) => [...stepChar(globs[gi].toks, new Set(set), ch, globs[gi].ci)].sort((a, b) => a - b)), len: false };
  const accepting = (st: State) => st.len && globs.every((g, i) => st.sets[i].includes(g.toks.length) !== g.neg);
  const dead = (st: State) => globs.some((g, i) => !g.neg && st.sets[i].length === 0);
  const states = new Map<string, State>();
  const edges = new Map<string, [number, string][]>();
  const parent = new Map<string, [string, number] | undefined>();
  const startKey = keyOf(start);
  const queue: string[] = [];
  if (!dead(start)) {
    states.set(startKey, start);
    parent.set(startKey, undefined);
    queue.push(startKey);
  }
  const spell = (si: number) => (symbols[si] === OTHER ? rep! : symbols[si]);
  const pathTo = (k: string) => {
    let out = '';
    for (let p = parent.get(k); p; p = parent.get(p[0])) out = spell(p[1]) + out;
    return out;
  };
  const LIMIT = 4000;
  let truncated = false;
  for (let qi = 0; qi < queue.length; qi++) {
    const k = queue[qi];
    const st = states.get(k)!;
    if (quick && accepting(st)) return { nonEmpty: true, infinite: false, witness: pathTo(k) };
    const out: [number, string][] = [];
    for (let si = 0; si < symbols.length; si++) {
      const n: State = { len: true, sets: st.sets.map((set, gi) => stepSet(gi, set, si)) };
      if (dead(n)) continue;
      const nk = keyOf(n);
      out.push([si, nk]);
      if (!states.has(nk)) {
        if (states.size >= LIMIT) {
          truncated = true;
          continue;
        }
        states.set(nk, n);
        parent.set(nk, [k, si]);
        queue.push(nk);
      }
    }
    edges.set(k, out);
  }
  if (truncated) return { nonEmpty: true, infinite: true, truncated: true };
  const acc = [...states.entries()].filter(([, st]) => accepting(st)).map(([k]) => k);
  if (!acc.length) return { nonEmpty: false, infinite: false };
  if (quick) return { nonEmpty: true, infinite: false, witness: pathTo(acc[0]) };
  // Co-reachability.
  const rev = new Map<string, string[]>();
  for (const [k, out] of edges)
    for (const [, t] of out) {
      const list = rev.get(t);
      if (list) list.push(k);
      else rev.set(t, [k]);
    }
  const live = new Set(acc);
  const stack = [...acc];
  while (stack.length) for (const p of rev.get(stack.pop()!) ?? []) if (!live.has(p)) (live.add(p), stack.push(p));
  // A cycle among live states → infinitely many values.
  const color = new Map<string, number>();
  let infinite = false;
  const visit = (k: string) => {
    color.set(k, 1);
    for (const [, t] of edges.get(k) ?? []) {
      if (!live.has(t) || infinite) continue;
      const c = color.get(t) ?? 0;
      if (c === 1) infinite = true;
      else if (c === 0) visit(t);
    }
    color.set(k, 2);
  };
  for (const k of live) if (!color.get(k) && !infinite) visit(k);
  const info: LanguageInfo = { nonEmpty: true, infinite, witness: pathTo(acc[0]) };
  if (!infinite) {
    const values: string[] = [];
    let enumerable = true;
    const walk = (k: string, sofar: string) => {
      if (!enumerable || values.length > 32) return;
      if (accepting(states.get(k)!)) values.push(sofar);
      for (const [si, t] of edges.get(k) ?? []) {
        if (!live.has(t)) continue;
        if (symbols[si] === OTHER) {
          enumerable = false;
          return;
        }
        walk(t, sofar + symbols[si]);
      }
    };
    walk(startKey, '');
    if (enumerable && values.length <= 32) info.values = values.sort();
  }
  return info;
}

export interface FieldScope {
  /** Some condition constrains this field. */
  constrained: boolean;
  /** Infinitely many values are admitted (or the field is not constrained at all). */
  unbounded: boolean;
  /** The admitted values, when finitely many and written without wildcards. */
  values?: string[];
  /** The positive patterns as written (for messages). */
  patterns: string[];
  /** The field may be absent (optional claims such as `environment`). */
  absent?: boolean;
}

function fieldScope(lits: readonly FieldLit[] | undefined, cls: CharClass, prefix = ''): FieldScope {
  if (!lits || !lits.length) return { constrained: false, unbounded: true, patterns: [] };
  const info = analyzeLanguage(lits, cls, prefix, false, true);
  return {
    constrained: true,
    unbounded: info.infinite,
    values: info.nonEmpty ? info.values : [],
    patterns: [...new Set(lits.filter((l) => !l.neg).map((l) => l.text))],
  };
}

/** Whether a field's constraints can be met (present, or absent when the field is optional). */
function fieldSatisfiable(field: string, lits: readonly FieldLit[]): boolean {
  // Whole-subject constraints only serve formats the summary does not cut; they are matched
  // concretely by `admits` and never described, so pruning them is not worth an automaton.
  if (field === 'sub') return true;
  const spec = fieldSpec(field);
  if (spec.optional && lits.every((l) => l.whenAbsent)) return true;
  if (field === 'context') return contextNonEmpty(lits);
  return analyzeLanguage(lits, spec.cls, '', true).nonEmpty;
}

export function productSatisfiable(p: Product, only?: Iterable<string>): boolean {
  for (const f of only ?? p.lits.keys()) if (!fieldSatisfiable(f, p.lits.get(f) ?? [])) return false;
  return true;
}

export interface ContextScope {
  pullRequest: boolean;
  branches: FieldScope;
  tags: FieldScope;
  environments: FieldScope;
  /** Every branch and (pull requests or every environment): the classic `repo:o/r:*`. */
  any: boolean;
}

function contextNonEmpty(lits: readonly FieldLit[]): boolean {
  const pr = lits.every((l) => globMatch(l.toks, l.ci, 'pull_request') !== l.neg);
  return pr || analyzeLanguage(lits, 'noColon', 'ref:', true).nonEmpty || analyzeLanguage(lits, 'noColon', 'environment:', true).nonEmpty;
}

function contextLanguages(lits: readonly FieldLit[]) {
  const pr = lits.every((l) => globMatch(l.toks, l.ci, 'pull_request') !== l.neg);
  const refs = analyzeLanguage(lits, 'noColon', 'ref:');
  const envs = analyzeLanguage(lits, 'noColon', 'environment:');
  return { pr, refs, envs, nonEmpty: pr || refs.nonEmpty || envs.nonEmpty };
}

export function contextScope(lits: readonly FieldLit[] | undefined): ContextScope {
  const sub = (prefix: string): FieldScope => {
    if (!lits || !lits.length) return { constrained: false, unbounded: true, patterns: [] };
    return { ...fieldScope(lits, 'noColon', prefix), patterns: [...new Set(lits.filter((l) => !l.neg).map((l) => l.text))] };
  };
  const pullRequest = !lits || contextLanguages(lits).pr;
  const branches = sub('ref:refs/heads/');
  const tags = sub('ref:refs/tags/');
  const environments = sub('environment:');
  return { pullRequest, branches, tags, environments, any: branches.unbounded && (pullRequest || environments.unbounded) };
}

// ---- cutting a glob along a grammar -----------------------------------------------------------

export type GElem = { lit: string } | { field: string };

interface Cursor {
  i: number;
  star: boolean;
}

function cursorClosure(toks: GTok[], cs: Cursor[]): Cursor[] {
  const out = new Map<string, Cursor>();
  const stack = [...cs];
  while (stack.length) {
    const c = stack.pop()!;
    const key = `${c.i}${c.star ? '*' : ''}`;
    if (out.has(key)) continue;
    out.set(key, c);
    if (c.star) stack.push({ i: c.i + 1, star: false });
    else if (isStarLike(toks[c.i])) {
      stack.push({ i: c.i, star: true });
      stack.push({ i: c.i + 1, star: false });
    }
  }
  return [...out.values()];
}

function consumeLit(toks: GTok[], ci: boolean, from: Cursor[], lit: string): Cursor[] {
  let cur = from;
  for (const ch of lit) {
    const next: Cursor[] = [];
    for (const c of cursorClosure(toks, cur)) {
      if (c.star) next.push(c);
      else {
        const t = toks[c.i];
        if (t && (t.k === '?' || (t.k === 'c' && charEq(t.c, ch, ci)))) next.push({ i: c.i + 1, star: false });
      }
    }
    cur = next;
    if (!cur.length) return [];
  }
  return cur;
}

function sliceGlob(toks: GTok[], a: Cursor, b: Cursor): GTok[] | undefined {
  // A slice that starts or ends inside a `*` (or an unknown piece) keeps that token.
  if (a.star && b.star && a.i === b.i) return [toks[a.i]];
  const start = a.star ? a.i + 1 : a.i;
  if (b.i < start) return undefined;
  return [...(a.star ? [toks[a.i]] : []), ...toks.slice(start, b.i), ...(b.star ? [toks[b.i]] : [])];
}

function toksKey(toks: GTok[]): string {
  return toks.map((t) => (t.k === 'c' ? (t.c === '\\' || t.c === '*' || t.c === '?' || t.c === '%' ? '\\' + t.c : t.c) : t.k === 'u' ? '%' : t.k)).join('');
}

/**
 * Cuts a glob along a grammar of literals and fields: every way the literals can be matched by
 * literal characters, `?`, or inside a `*`; the slices between them are the fields' globs. The
 * union of the results is exactly the glob's language restricted to the grammar. `allowed` tells
 * which literal characters a field can contain (a slice with another literal is dropped early).
 */
/** Candidate cuts cutGlob tries before giving up (a `sub` of 1,000 `*`s took minutes, `*?` × 2,000 20 s). */
const CUT_STEPS = 20_000;

export function cutGlob(toks0: GTok[], ci: boolean, grammar: GElem[], allowed: (field: string, ch: string) => boolean, limit = 256): Map<string, GTok[]>[] | undefined {
  // `**` matches what `*` matches: one star per run, so a run of stars is not cut every way.
  const toks = toks0.some((t, i) => t.k === '*' && toks0[i - 1]?.k === '*') ? toks0.filter((t, i) => !(t.k === '*' && toks0[i - 1]?.k === '*')) : toks0;
  const out = new Map<string, Map<string, GTok[]>>();
  let overflow = false;
  let steps = 0;
  const n = toks.length;
  const rec = (gi: number, cursors: Cursor[], acc: Map<string, GTok[]>) => {
    if (overflow || ++steps > CUT_STEPS) {
      overflow = true;
      return;
    }
    if (gi === grammar.length) {
      if (cursorClosure(toks, cursors).some((c) => !c.star && c.i === n)) {
        const key = [...acc].map(([f, t]) => `${f}=${toksKey(t)}`).join('\u0001');
        if (!out.has(key)) out.set(key, new Map(acc));
        if (out.size > limit) overflow = true;
      }
      return;
    }
    const el = grammar[gi];
    if ('lit' in el) {
      const next = consumeLit(toks, ci, cursors, el.lit);
      if (next.length) rec(gi + 1, next, acc);
      return;
    }
    const last = gi === grammar.length - 1;
    const follow = grammar[gi + 1];
    const firstCh = follow && 'lit' in follow ? follow.lit[0] : undefined;
    const seen = new Set<string>();
    for (const a of cursorClosure(toks, cursors)) {
      const ends: Cursor[] = [];
      for (let j = a.star ? a.i + 1 : a.i; j <= n; j++) {
        const t = toks[j];
        if (last) {
          if (j === n) ends.push({ i: j, star: false });
        } else if (t && (t.k === '?' || (t.k === 'c' && firstCh !== undefined && charEq(t.c, firstCh, ci)))) ends.push({ i: j, star: false });
        if (!last && isStarLike(t)) ends.push({ i: j, star: true });
        // The field cannot extend past a literal character it may not contain.
        if (t && t.k === 'c' && !allowed(el.field, t.c) && !(ci && allowed(el.field, t.c.toLowerCase()))) break;
      }
      if (a.star && !last) ends.push({ i: a.i, star: true });
      for (const b of ends) {
        if (++steps > CUT_STEPS) {
          overflow = true;
          return;
        }
        const slice = sliceGlob(toks, a, b);
        if (!slice || !slice.length) continue;
        const sk = toksKey(slice);
        const key = `${sk}@${b.i}${b.star}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const prev = acc.get(el.field);
        if (prev && toksKey(prev) !== sk) continue;
        const nextAcc = new Map(acc);
        nextAcc.set(el.field, slice);
        rec(gi + 1, [b], nextAcc);
      }
    }
  };
  rec(0, [{ i: 0, star: false }], new Map());
  return overflow ? undefined : [...out.values()];
}

/** Which literal characters a field's slice of a `sub` (or a claim with structure) may contain. */
export function sliceAllows(field: string, ch: string): boolean {
  if (field === 'context') return true;
  if (ch === ':') return false;
  const cls = fieldSpec(field).cls;
  return cls === 'any' ? true : classHas(cls, ch);
}

/** Identifier of a subject format: `legacy`, `immutable`, or the template keys (`+ids` when immutable). */
export function subjectFormatId(template: SubjectTemplate | undefined, immutable: boolean): string {
  if (isDefaultTemplate(template)) return immutable ? 'immutable' : 'legacy';
  const keys = template!.join(',');
  return immutable && template!.includes('repo') ? `${keys}+ids` : keys;
}

function formatOfFacts(facts: TokenFacts): string {
  return subjectFormatId(facts.template, !!facts.immutable);
}

const CLAIM_FIELD: Record<string, GElem[]> = {
  repository: [{ field: 'owner' }, { lit: '/' }, { field: 'repo' }],
  repository_owner: [{ field: 'owner' }],
  repository_owner_id: [{ field: 'ownerId' }],
  repository_id: [{ field: 'repoId' }],
  job_workflow_ref: [{ field: 'jwr.path' }, { lit: '@' }, { field: 'jwr.ref' }],
  aud: [{ field: 'aud' }],
};

export function claimGrammar(claim: string): GElem[] {
  return (Object.hasOwn(CLAIM_FIELD, claim) ? CLAIM_FIELD[claim] : undefined) ?? [{ field: claim }];
}

/** The subject grammar for a template (domain.md §A.4): `key:value` pairs joined by `:`. */
export function subjectGrammar(template: SubjectTemplate | undefined, immutable: boolean): GElem[] {
  const keys = isDefaultTemplate(template) ? DEFAULT_TEMPLATE : template!;
  const out: GElem[] = [];
  keys.forEach((key, i) => {
    if (i) out.push({ lit: ':' });
    if (key === 'repo') {
      out.push({ lit: 'repo:' }, { field: 'owner' });
      if (immutable) out.push({ lit: '@' }, { field: 'ownerId' });
      out.push({ lit: '/' }, { field: 'repo' });
      if (immutable) out.push({ lit: '@' }, { field: 'repoId' });
    } else if (key === 'context') out.push({ field: 'context' });
    else out.push({ lit: `${key}:` }, ...claimGrammar(key));
  });
  return out;
}

const CONTEXT_WORDS = new Set(['environment', 'ref', 'pull_request']);

/**
 * Infers a customised template from a `sub` value written in the policy
 * (`repository_owner_id:1:repository_id:2:environment:prod` → repository_owner_id, repository_id, context).
 * Undefined when the value is a default-template subject or a wildcard hides a key.
 */
export function inferSubjectTemplate(value: string): SubjectTemplate | undefined {
  const segs = value.split(':');
  const keys: string[] = [];
  let i = 0;
  while (i < segs.length) {
    const s = segs[i];
    if (/[*?$]/.test(s)) return undefined;
    if (s === 'repo') {
      keys.push('repo');
      i += 2;
    } else if (CONTEXT_WORDS.has(s)) {
      if (keys.includes('context') || (s !== 'pull_request' && keys.includes(s))) return undefined;
      keys.push('context');
      i += s === 'pull_request' ? 1 : 2;
    } else if (claimInfo(s)) {
      keys.push(s);
      i += 2;
    } else return undefined;
  }
  if (!keys.length || i !== segs.length && i !== segs.length + 1) return undefined;
  if (isDefaultTemplate(keys)) return undefined;
  return keys;
}

/** Which field lits the slice of a sub-domain glob becomes: `%3A` → `:` outside the context field. */
export function subSliceToLit(field: string, toks: GTok[], ci: boolean, neg: boolean, whenAbsent: boolean): FieldLit | undefined {
  let out = toks;
  if (field !== 'context') {
    if (toks.some((t) => t.k === 'c' && t.c === ':')) return undefined;
    const conv: GTok[] = [];
    for (let i = 0; i < toks.length; i++) {
      const [a, b, c] = [toks[i], toks[i + 1], toks[i + 2]];
      if (a.k === 'c' && a.c === '%' && b?.k === 'c' && b.c === '3' && c?.k === 'c' && (c.c === 'A' || (ci && c.c === 'a'))) {
        conv.push({ k: 'c', c: ':' });
        i += 2;
      } else conv.push(a);
    }
    out = conv;
  }
  return { toks: out, ci, neg, whenAbsent, text: globText(toks) };
}

export function formatLit(id: string, neg: boolean): FieldLit {
  return { toks: litToks(id), ci: false, neg, whenAbsent: neg, text: id };
}

/** P \ Q as a union of products (exact: x ∈ P, x ∉ Q ⇔ some literal of Q fails). */
export function subtract(ps: Product[], q: Product, cap: number): Product[] | undefined {
  const out: Product[] = [];
  for (const p of ps) {
    if (!q.lits.size) continue; // Q is everything: nothing of P survives.
    if (!productSatisfiable(andProducts(p, q), q.lits.keys())) {
      out.push(p); // disjoint: nothing to remove
      continue;
    }
    for (const [f, ls] of q.lits)
      for (const l of ls) {
        // A literal P already has cannot fail inside P: no split for it.
        if (p.lits.get(f)?.some((x) => litKey(x) === litKey(l))) continue;
        const np: Product = { ...p, lits: new Map(p.lits) };
        np.lits.set(f, [...(np.lits.get(f) ?? []), negateLit(l)]);
        if (productSatisfiable(np, [f])) out.push(np);
        if (out.length > cap) return undefined;
      }
  }
  return out;
}

export function firstField(claim: string): string {
  return claimGrammar(claim).find((e): e is { field: string } => 'field' in e)!.field;
}

/** A product requiring a field to be present (or absent). */
export function presenceProduct(field: string, present: boolean): Product {
  const lit: FieldLit = { toks: [STAR], ci: false, neg: !present, whenAbsent: !present, text: '*' };
  return { ...emptyProduct(), lits: new Map([[field, [lit]]]) };
}

/** A set of tokens a policy admits through one Allow statement and one choice of condition values. */
export interface AdmittedRegion {
  statement: Statement;
  /** The positive condition values this region comes from (one per positive condition). */
  sources: ValueSource[];
  /** Subject formats admitted (`legacy`, `immutable`, template ids); empty = any format. */
  formats: string[];
  owner: FieldScope;
  ownerId: FieldScope;
  repo: FieldScope;
  repoId: FieldScope;
  contexts: ContextScope;
  audience: FieldScope;
  /** `job_workflow_ref` without its `@ref` part. */
  jobWorkflow: FieldScope;
  /** Constraints on other claims (`ref`, `environment`, `workflow`, `actor`, …). */
  claims: Map<string, FieldScope>;
  /**
   * How far the region reaches: `any-owner` (an owner name is not pinned: anyone can create a
   * matching account), `any-repo` (one owner, any repository), `any-context` (one repository, every
   * branch and pull requests or environments), `narrow` otherwise.
   */
  breadth: 'any-owner' | 'any-repo' | 'any-context' | 'narrow';
  /** Pinned by `job_workflow_ref` (a reusable workflow at a fixed path), the docs-recommended anchor. */
  anchoredByWorkflow: boolean;
  /**
   * Restricted by `job_workflow_ref` but by nothing about the caller (owner, repository, their
   * ids): every repository that can call the workflow gets in, of any owner when the workflow's
   * repository is public. Such a region is `any-owner`.
   */
  workflowOnly: boolean;
  /** Depends on unresolved values, unmodelled conditions, or exclusions that could not be subtracted. */
  uncertain: boolean;
  /** Conditions the summary could not model (non-GitHub keys, unresolved keys, unconfirmed claims). */
  opaque: Condition[];
  admits(facts: TokenFacts): Tri;
}

export interface IssuerAdmission {
  issuer: GitHubIssuer | { host: string; kind: 'other' };
  /** Allow statements that trust this issuer for web identity. */
  statements: Statement[];
  regions: AdmittedRegion[];
  /** Union over regions. */
  owners: FieldScope;
  repositories: { owner: FieldScope; repo: FieldScope }[];
  anyOwner: boolean;
  admits(facts: TokenFacts): Tri;
}

export interface TrustSummary {
  policy: TrustPolicy;
  issuers: IssuerAdmission[];
  /** Some answer depends on unresolved values or unmodelled conditions. */
  uncertain: boolean;
  /** Whether the policy admits the token GitHub mints for these facts (symbolic; agrees with `evaluateTrustPolicy`). */
  admits(facts: TokenFacts): Tri;
}

// ---- admits(facts) on products ----------------------------------------------------------------

/** The value of a field for a token minted from facts; undefined = absent. */
function fieldValue(facts: TokenFacts, field: string): ClaimText | undefined | 'unknown' {
  switch (field) {
    case 'owner':
      return facts.owner;
    case 'repo':
      return facts.repo;
    case 'ownerId':
      return facts.ownerId ?? 'unknown';
    case 'repoId':
      return facts.repoId ?? 'unknown';
    case 'context':
      return subjectContextOf(facts) ?? 'unknown';
    case 'format':
      return formatOfFacts(facts);
    case 'sub':
      return buildSubject(facts) ?? 'unknown';
    case 'aud':
      return facts.audience ?? DEFAULT_AUDIENCES[0];
    case 'jwr.path':
    case 'jwr.ref': {
      const jwr = claimOfFacts(facts, 'job_workflow_ref');
      if (jwr === undefined) return 'unknown';
      const pieces = piecesOf(jwr);
      let path = '';
      for (let i = 0; i < pieces.length; i++) {
        const p = pieces[i];
        if (p === null) return 'unknown';
        const at = p.indexOf('@');
        if (at >= 0) {
          if (field === 'jwr.path') return path + p.slice(0, at);
          const rest = [p.slice(at + 1), ...pieces.slice(i + 1)];
          return concatText(...rest.map((x) => (x === null ? { value: '', resolution: 'unresolved' as const } : x)));
        }
        path += p;
      }
      return 'unknown';
    }
    default: {
      const v = claimOfFacts(facts, field);
      if (v === undefined) return claimInfo(field)?.presence === 'always' ? 'unknown' : undefined;
      return v;
    }
  }
}

function litHolds(l: FieldLit, v: ClaimText | undefined | 'unknown'): Tri {
  if (v === 'unknown') return 'unknown';
  if (v === undefined) return l.whenAbsent;
  const r = match3({ toks: l.toks, uncertain: l.toks.some((t) => t.k === 'u') }, l.ci, v);
  return l.neg ? not3(r) : r;
}

function productAdmits(p: Product, facts: TokenFacts): Tri {
  const rs: Tri[] = [];
  for (const [f, ls] of p.lits) {
    const v = fieldValue(facts, f);
    for (const l of ls) rs.push(litHolds(l, v));
  }
  const base = allOf3(rs);
  return p.opaque.length || p.maybe ? and3(base, 'unknown') : base;
}

export function regionAdmits(products: Product[], pending: Product[], facts: TokenFacts): Tri {
  const inside = anyOf3(products.map((p) => productAdmits(p, facts)));
  if (inside === false) return false;
  return and3(inside, not3(anyOf3(pending.map((q) => productAdmits(q, facts)))));
}

// ---- the summary --------------------------------------------------------------------------------

export function mergeScopes(scopes: FieldScope[]): FieldScope {
  if (!scopes.length) return { constrained: false, unbounded: false, patterns: [], values: [] };
  const unbounded = scopes.some((s) => s.unbounded);
  const values = unbounded || scopes.some((s) => !s.values) ? undefined : [...new Set(scopes.flatMap((s) => s.values!))].sort();
  return { constrained: scopes.every((s) => s.constrained), unbounded, values, patterns: [...new Set(scopes.flatMap((s) => s.patterns))] };
}

export function scopeOfProducts(products: Product[], field: string, cls: CharClass): FieldScope {
  return mergeScopes(products.map((p) => fieldScope(p.lits.get(field), cls)));
}

export function isDescribed(p: Product): boolean {
  return !p.fallback && (p.lits.get('format') ?? []).some((l) => !l.neg);
}

/** Test hook: the language analysis with and without its shortcuts and caches (test/model/claims.test.ts). */
export const languageAnalysisForTests = {
  analyze: (lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean) => analyzeLanguage(lits, cls, prefix, quick, unknownAsMark),
  uncached: (lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean) => analyzeLanguageUncached(lits, cls, prefix, quick, unknownAsMark),
};
