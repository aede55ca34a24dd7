/** Flexible federated identity credentials: the claims matching expression reader (model/azure.ts). */
import { describe, expect, it } from 'vitest';
import { parseAzureExpression } from '../../src/model/azure.js';

const brief = (text: string) => {
  const r = parseAzureExpression(text);
  return 'error' in r ? `error@${r.at}: ${r.error}` : r.tests.map((t) => `${t.claim} ${t.op} ${t.value} [${text.slice(t.valueSpan.start, t.valueSpan.end)}]`);
};

describe('parseAzureExpression', () => {
  it.each([
    ["claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*'", ['sub matches repo:contoso/contoso-repo:ref:refs/heads/* [repo:contoso/contoso-repo:ref:refs/heads/*]']],
    [
      "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['job_workflow_ref'] matches 'contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main'",
      ['sub matches repo:contoso/contoso-repo:ref:refs/heads/* [repo:contoso/contoso-repo:ref:refs/heads/*]', 'job_workflow_ref matches contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main [contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main]'],
    ],
    ["  claims [ 'repository_owner' ]  eq  'octo-org'  ", ['repository_owner eq octo-org [octo-org]']],
    ["claims['sub'] matches 'repo:*'", ['sub matches repo:* [repo:*]']],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
  it.each([
    ["claims['sub'] startswith 'repo:o/'", 'error@14: expected the operator matches or eq'],
    ["claims['sub'] matches 'repo:o/*' or claims['sub'] eq 'x'", "error@33: expected 'and' or the end of the expression"],
    ["claims['sub'] matches 'unterminated", 'error@22: expected a quoted comparand'],
    ["(claims['sub'] eq 'x')", "error@0: expected claims['<name>']"],
    ['', "error@0: expected claims['<name>']"],
  ])('refuses %j', (text, expected) => {
    expect(brief(text)).toBe(expected);
  });
});
