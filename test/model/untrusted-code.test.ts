/** What a job triggered by outsiders does with their code and text (model/untrusted-code.ts). */
import { describe, expect, it } from 'vitest';
import { headCheckout, onlyReads, runsCheckedOut, scriptInjection, triggeringRunArtifacts } from '../../src/model/untrusted-code.js';
import { loadTree } from '../helpers/project.js';

async function job(steps: string, on = 'pull_request_target') {
  const project = await loadTree({ '.github/workflows/w.yml': `on: ${on}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n${steps}` });
  return project.workflows[0].jobs[0];
}
const HEAD = '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n';

describe('onlyReads', () => {
  it.each([
    ['grep -rn TODO pr-head/ | head -50 || true', true],
    ['gh pr checkout "$PR"\ngh pr review --approve "$PR"', true],
    ['if [ -f x ]; then cat x; fi  # comment: make', true],
    ['FOO=1 jq . pr/x.json', true],
    ['make test', false],
    ['cat pr/script.sh | bash', false],
    ['echo "$(node pr/x.js)"', false],
    ['git -c core.fsmonitor=./evil status', false],
    ['git submodule update --init', false],
    ['npm ci && npm test', false],
    ['./deploy.sh', false],
    ['if [ "$(gh pr view "$PR" --json author -q .author.login)" = "dependabot[bot]" ]; then gh pr review --approve "$PR"; fi', true],
    ['if [ "$(./check.sh)" = "ok" ]; then echo yes; fi', false],
  ])('%s → %s', (script, expected) => {
    expect(onlyReads(script)).toBe(expected);
  });
});

describe('head checkouts', () => {
  it('a head checkout into the workspace is run by any later build step, not by a read', async () => {
    const ran = await job(`${HEAD}      - run: npm ci && npm test\n`);
    const co = headCheckout(ran)!;
    expect(co.path).toBe('');
    expect(runsCheckedOut(ran, co)?.index).toBe(1);
    const read = await job(`${HEAD}      - run: git diff --stat HEAD~1\n`);
    expect(runsCheckedOut(read, headCheckout(read)!)).toBeUndefined();
    const action = await job(`${HEAD}      - uses: docker/build-push-action@v6\n`);
    expect(runsCheckedOut(action, headCheckout(action)!)?.index).toBe(1);
    const local = await job(`${HEAD}      - uses: ./.github/actions/build\n`);
    expect(runsCheckedOut(local, headCheckout(local)!)?.index).toBe(1);
  });

  it('a head checkout into a folder is run only by a step that works there or names it', async () => {
    const steps = `${HEAD}          path: pr\n`;
    const elsewhere = await job(`${steps}      - run: make test\n`);
    expect(runsCheckedOut(elsewhere, headCheckout(elsewhere)!)).toBeUndefined();
    const wd = await job(`${steps}      - run: make test\n        working-directory: ./pr/\n`);
    expect(runsCheckedOut(wd, headCheckout(wd)!)?.index).toBe(1);
    const named = await job(`${steps}      - run: python pr/setup.py\n`);
    expect(runsCheckedOut(named, headCheckout(named)!)?.index).toBe(1);
    const prose = await job(`${steps}      - uses: anthropics/claude-code-action@v1\n        with:\n          prompt: Review the changes in pr\n`);
    expect(runsCheckedOut(prose, headCheckout(prose)!)).toBeUndefined();
    const reviewer = await job(`${steps}      - uses: anthropics/claude-code-action@v1\n        with:\n          claude_args: --add-dir pr --allowedTools Read,Grep\n`);
    expect(runsCheckedOut(reviewer, headCheckout(reviewer)!)).toBeUndefined();
    const input = await job(`${steps}      - uses: some/build@v1\n        with:\n          working-directory: pr\n`);
    expect(runsCheckedOut(input, headCheckout(input)!)?.index).toBe(1);
    // "pr" inside another word is not the folder.
    const word = await job(`${steps}      - run: ./scripts/print-pr-summary.sh\n`);
    expect(runsCheckedOut(word, headCheckout(word)!)).toBeUndefined();
  });

  it('a checkout of the base (no ref) is no head checkout', async () => {
    expect(headCheckout(await job('      - uses: actions/checkout@v4\n      - run: make\n'))).toBeUndefined();
  });
});

describe('outsider text and artifacts', () => {
  it('finds outsider-written text spliced into run: and github-script, not into env:', async () => {
    expect(scriptInjection(await job('      - run: echo "${{ github.event.pull_request.title }}"\n'))?.expression).toBe('${{ github.event.pull_request.title }}');
    expect(scriptInjection(await job("      - uses: actions/github-script@v7\n        with:\n          script: console.log('${{ github.head_ref }}')\n"))?.step.index).toBe(0);
    expect(scriptInjection(await job('      - run: echo "$TITLE"\n        env:\n          TITLE: ${{ github.event.pull_request.title }}\n'))).toBeUndefined();
    expect(scriptInjection(await job('      - run: echo "${{ github.event.pull_request.number }}"\n'))).toBeUndefined();
  });
  it("finds artifacts of the triggering run, not the run's own", async () => {
    expect(triggeringRunArtifacts(await job('      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n', 'workflow_run'))?.index).toBe(0);
    expect(triggeringRunArtifacts(await job('      - uses: actions/download-artifact@v4\n        with:\n          name: build\n', 'workflow_run'))).toBeUndefined();
  });
});
