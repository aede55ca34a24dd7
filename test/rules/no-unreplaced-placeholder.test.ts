/** no-unreplaced-placeholder (issue 16 item 5): where, and how sure. */
import { describe, expect, it } from 'vitest';
import { lintTree, POLICY, trustPolicy } from '../helpers/project.js';

const T = 'token.actions.githubusercontent.com';
const sub = (value: string) => trustPolicy({ Condition: { StringEquals: { [`${T}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${T}:sub`]: value } } });

describe('no-unreplaced-placeholder', () => {
  it.each([
    ['repo:<OWNER>/app:ref:refs/heads/main', 'high'],
    ['repo:YOUR_ORG/app:ref:refs/heads/main', 'high'],
    ['repo:owner/repo:ref:refs/heads/main', 'medium'],
  ])('%s: confidence %s', async (value, confidence) => {
    const fs = await lintTree({ [POLICY]: sub(value) }, 'no-unreplaced-placeholder');
    expect(fs.map((f) => [f.messageId, f.confidence])).toEqual([['placeholder', confidence]]);
  });
  it('is less sure of a placeholder in a parameter default, which a deployment may override', async () => {
    const cfn = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  GitHubOrg:
    Type: String
    Default: <your-github-org>
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub arn:aws:iam::\${AWS::AccountId}:oidc-provider/${T}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                ${T}:sub: !Sub repo:\${GitHubOrg}/app:ref:refs/heads/main
`;
    const fs = await lintTree({ 'template.yaml': cfn }, 'no-unreplaced-placeholder');
    expect(fs.map((f) => [f.messageId, f.confidence, f.location.start.line])).toEqual([['placeholder', 'medium', 18]]);
  });
  it('says nothing of unresolved references, IAM policy variables or real names', async () => {
    for (const value of ['repo:octo-org/${aws:username}:*', 'repo:my-org/my-app:ref:refs/heads/main', 'repo:alice/todo:environment:prod'])
      expect(await lintTree({ [POLICY]: sub(value) }, 'no-unreplaced-placeholder')).toEqual([]);
  });
});
