/** Own file: vitest gives each test file a fresh module graph, so nothing else has imported the parser. */
import { describe, expect, it } from 'vitest';
import { cdkParserLoaded } from '../../src/loaders/aws/cdk.js';
import { loadTree } from '../helpers/project.js';

describe('CDK loader lazy loading', () => {
  it('imports typescript-estree only when a .ts file may hold CDK IAM code', async () => {
    const project = await loadTree({
      '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
      'src/app.ts': 'export const answer = 42;\n',
      'types/iam.d.ts': "import * as iam from 'aws-cdk-lib/aws-iam';\nexport declare const r: iam.Role;\n",
      'test/app.test.ts': "import { answer } from '../src/app';\nit('works', () => expect(answer).toBe(42));\n",
      'node_modules/lib/index.ts': "import * as iam from 'aws-cdk-lib/aws-iam';\n",
    });
    expect(project.workflows).toHaveLength(1);
    expect(cdkParserLoaded()).toBe(false);
    await loadTree({ 'lib/stack.ts': "import * as iam from 'aws-cdk-lib/aws-iam';\nnew iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });\n" });
    expect(cdkParserLoaded()).toBe(true);
  });
});
