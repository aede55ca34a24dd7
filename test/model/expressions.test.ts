import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCondition, runsWhere, type RunWorld } from '../../src/model/expressions.js';

const w = (event: string, ref: string, refUnknown = false): RunWorld => ({ event, ref, pattern: /[*?]/.test(ref), refUnknown });
/** The runs in which the condition may be true, as `event@ref` (`+gate` when an actor check lets them through); `unread` when it cannot be parsed. */
function runs(cond: string, world: RunWorld, facts = {}): string[] | 'unread' {
  const e = parseCondition(cond);
  if (!e) return 'unread';
  return runsWhere(e, world, facts).map((x) => `${x.event}@${x.ref}${x.gate ? '+gate' : ''}`);
}

describe('if: conditions on events and refs', () => {
  const TABLE: [string, RunWorld, string[] | 'unread'][] = [
    // event_name, ==, !=, and the ${{ }} wrapper
    ["github.event_name == 'push'", w('push', 'refs/heads/main'), ['push@refs/heads/main']],
    ["github.event_name == 'push'", w('workflow_dispatch', 'refs/heads/*'), []],
    ["${{ github.event_name != 'pull_request_target' }}", w('pull_request_target', 'refs/heads/main'), []],
    ["github.event_name != 'pull_request_target'", w('push', 'refs/heads/main'), ['push@refs/heads/main']],
    ["GITHUB.EVENT_NAME == 'Push'", w('push', 'refs/heads/main'), ['push@refs/heads/main']],
    // refs: equality narrows an open-ended ref, excludes what cannot match
    ["github.ref == 'refs/heads/main'", w('workflow_dispatch', 'refs/heads/*'), ['workflow_dispatch@refs/heads/main']],
    ["github.ref == 'refs/heads/main'", w('workflow_dispatch', 'refs/tags/*'), []],
    ["github.ref != 'refs/heads/main'", w('push', 'refs/heads/main'), []],
    ["github.ref != 'refs/heads/main'", w('push', 'refs/heads/*'), ['push@refs/heads/*']],
    ["github['ref'] == 'refs/heads/main'", w('push', 'refs/heads/dev'), []],
    ["github.ref_name == 'main'", w('push', 'refs/*'), ['push@refs/heads/main', 'push@refs/tags/main']],
    ["github.ref_type == 'tag'", w('push', 'refs/heads/main'), []],
    // startsWith narrows `refs/*`, keeps what already matches, excludes the rest
    ["startsWith(github.ref, 'refs/tags/')", w('push', 'refs/*'), ['push@refs/tags/*']],
    ["startsWith(github.ref, 'refs/tags/')", w('push', 'refs/tags/v*'), ['push@refs/tags/v*']],
    ["startsWith(github.ref, 'refs/tags/')", w('push', 'refs/heads/*'), []],
    ["!startsWith(github.ref, 'refs/tags/')", w('push', 'refs/tags/v*'), []],
    // && || ! and parentheses
    ["github.event_name == 'push' && github.ref == 'refs/heads/main'", w('push', 'refs/heads/*'), ['push@refs/heads/main']],
    ["github.event_name == 'schedule' || github.ref == 'refs/heads/main'", w('push', 'refs/heads/*'), ['push@refs/heads/main']],
    ["!(github.event_name == 'push' || github.event_name == 'schedule')", w('push', 'refs/heads/main'), []],
    ["contains(fromJSON('[\"push\", \"schedule\"]'), github.event_name)", w('pull_request', 'refs/pull/*/merge'), []],
    ["contains(fromJSON('[\"push\", \"schedule\"]'), github.event_name)", w('schedule', 'refs/heads/main'), ['schedule@refs/heads/main']],
    ['false', w('push', 'refs/heads/main'), []],
    // what cannot be decided keeps the run
    ["success() && needs.build.result == 'success'", w('push', 'refs/heads/main'), ['push@refs/heads/main']],
    ["inputs.deploy == true", w('workflow_dispatch', 'refs/heads/*'), ['workflow_dispatch@refs/heads/*']],
    ["fromJSON(needs.a.outputs.x).ref == 'refs/heads/x'", w('push', 'refs/heads/main'), ['push@refs/heads/main']],
    ["startsWith(github.ref, 'refs/tags/')", w('schedule', 'refs/heads/main', true), ['schedule@refs/heads/main']],
    // an unknown default branch is narrowed to the one the condition names
    ["github.ref == 'refs/heads/master'", w('schedule', 'refs/heads/main', true), ['schedule@refs/heads/master']],
    // actor and author checks are gates
    ["github.actor == 'dependabot[bot]'", w('pull_request_target', 'refs/heads/main'), ['pull_request_target@refs/heads/main+gate']],
    ["github.event.review.author_association == 'OWNER' || github.event.review.author_association == 'MEMBER'", w('pull_request_review', 'refs/heads/main'), ['pull_request_review@refs/heads/main+gate']],
    ["github.actor != 'dependabot[bot]'", w('pull_request_target', 'refs/heads/main'), ['pull_request_target@refs/heads/main']],
    ["contains(fromJSON('[\"OWNER\",\"MEMBER\",\"COLLABORATOR\"]'), github.event.comment.author_association || github.event.issue.author_association)", w('issue_comment', 'refs/heads/main'), ['issue_comment@refs/heads/main+gate']],
    ["contains(fromJSON('[\"OWNER\",\"CONTRIBUTOR\"]'), github.event.comment.author_association)", w('issue_comment', 'refs/heads/main'), ['issue_comment@refs/heads/main']],
    ["github.event.pull_request.author_association == 'CONTRIBUTOR'", w('pull_request_target', 'refs/heads/main'), ['pull_request_target@refs/heads/main']],
    // unreadable conditions
    ["github.ref == 'refs/heads/main' &&", w('push', 'refs/heads/main'), 'unread'],
    ["github.ref == 'unterminated", w('push', 'refs/heads/main'), 'unread'],
    ["deploy-${{ github.ref }}", w('push', 'refs/heads/main'), 'unread'],
  ];
  for (const [cond, world, expected] of TABLE)
    it(`${cond} on ${world.event}@${world.ref}`, () => {
      expect(runs(cond, world)).toEqual(expected);
    });
  it('knows the repository when the identity does', () => {
    expect(runs("github.repository == 'octo-org/api'", w('push', 'refs/heads/main'), { owner: 'octo-org', repo: 'api' })).toEqual(['push@refs/heads/main']);
    expect(runs("github.repository == 'octo-org/api'", w('push', 'refs/heads/main'), { owner: 'someone', repo: 'fork' })).toEqual([]);
    expect(runs("github.repository == 'octo-org/api'", w('push', 'refs/heads/main'))).toEqual(['push@refs/heads/main']);
  });
  it('never throws, and never invents a run it was not given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom('push', 'pull_request', 'schedule'), fc.constantFrom('refs/heads/main', 'refs/heads/*', 'refs/*'), (text, event, ref) => {
        const e = parseCondition(text);
        if (!e) return;
        for (const r of runsWhere(e, w(event, ref))) {
          expect(r.event).toBe(event);
          if (!/[*?]/.test(ref)) expect(r.ref.toLowerCase()).toBe(ref.toLowerCase());
        }
      }),
    );
  });
  it('judges a long chain of && and || once per node, not once per path', () => {
    const chain = Array.from({ length: 60 }, (_, i) => `(github.event_name == 'push' || inputs.x${i} == 'y')`).join(' && ');
    expect(runs(chain, w('push', 'refs/heads/*'))).toEqual(['push@refs/heads/*']);
    expect(runs(chain, w('schedule', 'refs/heads/main'))).toEqual(['schedule@refs/heads/main']);
    const nested = Array.from({ length: 30 }, () => "(github.ref == 'refs/heads/main' && ").join('') + 'true' + ')'.repeat(30);
    expect(runs(nested, w('push', 'refs/heads/*'))).toEqual(['push@refs/heads/main']);
  });
  it('matches a hostile pattern against a long ref without backtracking blow-up', () => {
    const pattern = 'refs/heads/' + '*a'.repeat(40) + '*b';
    const ref = 'refs/heads/' + 'a'.repeat(3000);
    expect(runs(`github.ref == '${ref}'`, w('push', pattern))).toEqual([]);
    expect(runs("github.ref == 'refs/heads/Release/X'", w('push', 'refs/heads/release/*'))).toEqual(['push@refs/heads/Release/X']);
  });
  it('leaves deeply nested or very long conditions unread', () => {
    expect(parseCondition('('.repeat(200) + 'true' + ')'.repeat(200))).toBeUndefined();
    expect(parseCondition(`github.ref == '${'x'.repeat(5000)}'`)).toBeUndefined();
  });
});
