/**
 * Placeholders left from a guide where a name belongs (`repo:<OWNER>/*`, `YOUR_ORG`, `OWNER/REPO`,
 * `CHANGEME`, `<ACCOUNT_ID>`), found in any trust's values.
 */
import type { Value, ValuePart } from '../location.js';

// ---- placeholders left from a guide ------------------------------------------------------------

/** A placeholder in a value: where it is and what it stands for. */
export interface PlaceholderSpan {
  start: number;
  end: number;
  text: string;
  /** What the placeholder stands for: `owner`, `repository`, `account` or `value` (anything in `<…>`). */
  role: 'owner' | 'repository' | 'account' | 'value';
}

/** `<OWNER>`, `<your-org>`, `<ACCOUNT_ID>`: angle brackets are in no GitHub name, ref, environment or account id. */
const ANGLE_PLACEHOLDER = /<[A-Za-z][^<>\s]{0,60}>/g;

/** Upper-case names of what goes there (`OWNER`, `GITHUB_ORG`, `REPO_NAME`, `AWS_ACCOUNT_ID`). */
const UPPER_PLACEHOLDER = /^(?:(?:YOUR|GITHUB|GH|AWS)[_-])?(?:OWNER|ORG|ORGANI[SZ]ATION|REPO|REPOSITORY|USER|USERNAME|ACCOUNT|ACCOUNTID)(?:[_-](?:NAME|ID))?$/;

/** `your-org`, `YOUR_REPO`, `your-github-username-here`. */
const YOUR_PLACEHOLDER = /^your[-_]?(?:github[-_]?|aws[-_]?)?(?:org|organi[sz]ation|owner|user(?:name)?|repo(?:sitory)?|account(?:[-_]?id)?|company|team|project|app)(?:[-_]?(?:name|id))?(?:[-_]here)?$/i;

/** `CHANGEME`, `replace-me`, `xxx`. */
const FILLER_PLACEHOLDER = /^(?:change[-_]?me|replace[-_]?me|x{3,})$/i;

/** Generic words that are placeholders only as a pair: `repo:owner/repo`, `org/repository`. */
const GENERIC_OWNER = /^(?:owner|org|organi[sz]ation|user|username)$/;

const GENERIC_REPO = /^(?:repo|repository|repo[-_]?name)$/;

function isPlaceholderName(seg: string): boolean {
  return UPPER_PLACEHOLDER.test(seg) || YOUR_PLACEHOLDER.test(seg) || FILLER_PLACEHOLDER.test(seg);
}

/**
 * Placeholders left in a value where a name belongs — never a name GitHub or AWS gives, so a role
 * with one cannot be used as written. `where` is the claim the value is compared with (`sub`,
 * `repository`, `repository_owner`, `job_workflow_ref`, any other claim: only `<…>`), or
 * `principal` for a provider ARN (the account). Wildcard segments are never placeholders.
 */
export function findNamePlaceholders(text: string, where: string): PlaceholderSpan[] {
  const out: PlaceholderSpan[] = [];
  const seg = (start: number, value: string, role: PlaceholderSpan['role'], generic?: RegExp) => {
    if (/[*?$]/.test(value) || !value) return false;
    if (isPlaceholderName(value) || /^<[A-Za-z][^<>\s]{0,60}>$/.test(value) || (generic && generic.test(value))) {
      out.push({ start, end: start + value.length, text: value, role });
      return true;
    }
    return false;
  };
  const pair = (ownerAt: number, owner: string, repoAt: number, repo: string) => {
    // `owner/repo` in lower case is a placeholder pair; `octo-org/repo` is a real repository.
    const both = GENERIC_OWNER.test(owner) && GENERIC_REPO.test(repo);
    seg(ownerAt, owner, 'owner', both ? GENERIC_OWNER : undefined);
    seg(repoAt, repo, 'repository', both ? GENERIC_REPO : undefined);
  };
  let m: RegExpExecArray | null;
  if (where === 'sub' && (m = /^repo:([^/:@]*)(@[^/:]*)?\/([^:@]*)/.exec(text))) pair(5, m[1], 5 + m[1].length + (m[2]?.length ?? 0) + 1, m[3]);
  else if ((where === 'repository' || where === 'job_workflow_ref') && (m = /^([^/:@]*)\/([^/:@]*)/.exec(text))) pair(0, m[1], m[1].length + 1, m[2]);
  else if (where === 'repository_owner') seg(0, text, 'owner');
  else if (where === 'principal' && (m = /^arn:[^:]*:iam::([^:]*):/.exec(text))) {
    const at = text.indexOf('::') + 2;
    if (!/^\d{12}$/.test(m[1])) seg(at, m[1], 'account');
  }
  for (const a of text.matchAll(ANGLE_PLACEHOLDER)) {
    const start = a.index ?? 0;
    if (!out.some((o) => start < o.end && o.start < start + a[0].length)) out.push({ start, end: start + a[0].length, text: a[0], role: 'value' });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The placeholders of a model value that lie in its known pieces (an unresolved `${…}` is not one). */
export function placeholdersOfValue(v: Value<string>, where: string): PlaceholderSpan[] {
  const spans = findNamePlaceholders(v.value, where);
  if (!spans.length || !v.parts?.some((p) => !p.known)) return spans;
  const known: [number, number][] = [];
  let at = 0;
  for (const p of v.parts) {
    if (p.known) known.push([at, at + p.text.length]);
    at += p.text.length;
  }
  if (at !== v.value.length) return [];
  return spans.filter((s) => known.some(([a, b]) => a <= s.start && s.end <= b));
}

/** A value with its placeholders turned into unknown pieces: judged as the fixed names they stand for. */
export function placeholdersAsNames(v: Value<string>, claim: string): Value<string> {
  const spans = placeholdersOfValue(v, claim);
  if (!spans.length) return v;
  const base = v.parts ?? [{ text: v.value, known: true }];
  const parts: ValuePart[] = [];
  let at = 0;
  for (const p of base) {
    const end = at + p.text.length;
    let cursor = at;
    if (p.known)
      for (const s of spans) {
        if (s.start < at || s.end > end) continue;
        if (s.start > cursor) parts.push({ text: p.text.slice(cursor - at, s.start - at), known: true });
        parts.push({ text: s.text, known: false });
        cursor = s.end;
      }
    if (cursor < end) parts.push({ text: p.text.slice(cursor - at), known: p.known });
    at = end;
  }
  return { ...v, resolution: 'unresolved', parts };
}
