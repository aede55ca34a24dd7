/**
 * The real CLI, spawned as a process, on what a new user types first: a path inside `.github`, a
 * path holding nothing oidc-lint reads, a CDK app in another language, files it cannot parse or that
 * are too large, and the options of CI runs (issues 15 §8–9, 19 §3).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { trustPolicy, writeTree } from '../helpers/project.js';
import { pristineExample } from '../helpers/examples.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');

function run(args: string[], cwd: string) {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Findings of a JSON run as `file:line rule`. */
function found(stdout: string): string[] {
  return JSON.parse(stdout).findings.map((f: { ruleId: string; location: { file: string; start: { line: number } } }) => `${f.location.file}:${f.location.start.line} ${f.ruleId}`);
}

/** A workflow whose job assumes a role without `id-token: write` (an error on line 9) and a static key (line 14). */
const DEPLOY = `on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.KEY }}
          aws-secret-access-key: \${{ secrets.SECRET }}
          aws-region: eu-west-1
`;

describe('paths inside .github are linted as workflows', () => {
  const repo = () => writeTree({ '.github/workflows/deploy.yml': DEPLOY, '.github/dependabot.yml': 'version: 2\n', 'README.md': '# app\n' });
  const expected = ['require-id-token-permission', 'no-static-aws-credentials'];
  const rules = (stdout: string) => JSON.parse(stdout).findings.map((f: { ruleId: string }) => f.ruleId);

  it('oidc-lint .github/workflows, .github, and the workflow file itself', () => {
    const dir = repo();
    for (const target of ['.github/workflows', '.github', '.github/workflows/deploy.yml', '.github/workflows/']) {
      const r = run([target, '-f', 'json'], dir);
      expect(r.code, target).toBe(1);
      expect(rules(r.stdout), target).toEqual(expected);
    }
    const text = run(['.github/workflows', '--no-color'], dir);
    expect(text.stdout).toContain('.github/workflows/deploy.yml:8:15  error  ');
    expect(text.stdout).toMatch(/in 1 file checked/);
  });

  it('from inside .github/workflows, with no path or with a file name; paths in the report are from there', () => {
    const dir = repo();
    const inside = path.join(dir, '.github', 'workflows');
    for (const args of [[], ['.'], ['deploy.yml']]) {
      const r = run([...args, '--no-color'], inside);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toMatch(/^deploy\.yml:8:15  error  /m);
      expect(r.stdout).toMatch(/^deploy\.yml:14:11  error  /m);
    }
    // SARIF URIs stay relative to the repository.
    const sarif = JSON.parse(run(['-f', 'sarif'], inside).stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('.github/workflows/deploy.yml');
  });

  it('a repository named .github (an organisation profile repository) keeps its own root', () => {
    const dir = writeTree({ '.github/.git/HEAD': 'ref: refs/heads/main\n', '.github/.github/workflows/deploy.yml': DEPLOY });
    const r = run(['-f', 'json'], path.join(dir, '.github'));
    expect(found(r.stdout)).toEqual(['.github/workflows/deploy.yml:8 require-id-token-permission', '.github/workflows/deploy.yml:14 no-static-aws-credentials']);
  });
});

describe('no silent green', () => {
  it('a named path holding nothing oidc-lint reads is an error (exit 2), eslint-style', () => {
    const dir = writeTree({ 'src/app.py': 'print(1)\n', 'docs/notes.yml': 'title: notes\n', 'iam/trust.json': trustPolicy({}) });
    for (const target of ['src', 'docs', 'docs/']) {
      const r = run([target], dir);
      expect(r.code, target).toBe(2);
      expect(r.stderr).toBe(`oidc-lint: no files to check in ${target.replace(/\/$/, '')}: it holds no GitHub Actions workflows (.github/workflows/*.yml), IAM trust policies (JSON), CloudFormation/SAM templates, Terraform or AWS CDK in TypeScript or Python (ignored and .gitignore'd paths are skipped)\n`);
      expect(r.stdout).toBe('');
    }
    // One empty path among good ones is still an error: the user named it.
    expect(run(['iam', 'src'], dir).code).toBe(2);
    // A path whose every file the config ignores holds nothing to check either.
    const ignored = writeTree({ 'oidc-lint.config.yaml': 'ignore: [gen/]\n', 'gen/trust.json': trustPolicy({}) });
    expect(run(['gen'], ignored).code).toBe(2);
  });

  it('`oidc-lint .` (or no path) on a repository with nothing relevant passes, and says so', () => {
    const dir = writeTree({ 'src/app.py': 'print(1)\n', 'package.json': '{"name":"x"}\n' });
    for (const args of [[], ['.'], ['./']]) {
      const r = run([...args, '--no-color'], dir);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toBe('✓ no problems (0 files checked)\n');
      expect(r.stderr).toMatch(/^oidc-lint: nothing to check in \.\/?: no GitHub Actions workflows \(\.github\/workflows\/\*\.yml\), IAM trust policies \(JSON\), CloudFormation\/SAM templates, Terraform or AWS CDK in TypeScript or Python found\n$/);
    }
    // With something to check, no such line.
    const good = writeTree({ 'iam/trust.json': trustPolicy({}) });
    expect(run(['.'], good).stderr).toBe('');
  });

  it('CDK apps in Java, Go and C# that define IAM roles are named once per run (TypeScript and Python are read)', () => {
    const dir = writeTree({
      'java/cdk.json': '{ "app": "mvn -e -q compile exec:java" }\n',
      'java/src/main/java/com/x/DeployStack.java': 'import software.amazon.awscdk.services.iam.Role;\nimport software.amazon.awscdk.services.iam.WebIdentityPrincipal;\nRole.Builder.create(this, "R").assumedBy(new WebIdentityPrincipal(arn)).build();\n',
      'java/src/main/java/com/x/CiStack.java': 'import software.amazon.awscdk.services.iam.*;\nnew Role(this, "Ci", RoleProps.builder().build());\n',
      'java/src/main/java/com/x/Bucket.java': 'import software.amazon.awscdk.services.s3.Bucket;\nnew Bucket(this, "B");\n',
      'java/target/classes/com/x/Generated.java': 'import software.amazon.awscdk.services.iam.Role;\nnew Role(this, "R", null);\n',
      'go/cdk.json': '{ "app": "go mod download && go run app.go" }\n',
      'go/app.go': 'import "github.com/aws/aws-cdk-go/awscdk/v2/awsiam"\nawsiam.NewRole(stack, jsii.String("R"), nil)\n',
      'dotnet/cdk.json': '{ "app": "dotnet run -p src/App/App.csproj" }\n',
      'dotnet/src/App/Stack.cs': 'using Amazon.CDK.AWS.IAM;\nnew Role(this, "R", new RoleProps { });\n',
      // Java that defines roles outside a CDK app (no cdk.json) is not named.
      'tools/Other.java': 'import software.amazon.awscdk.services.iam.Role;\nnew Role(this, "R", null);\n',
      // A Python CDK app is read (cdk-python.ts): not named.
      'py/cdk.json': '{ "app": "python3 app.py" }\n',
      'py/stack.py': 'from aws_cdk import aws_iam as iam\niam.Role(self, "Deploy", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))\n',
      'iam/trust.json': trustPolicy({ Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:o/r:ref:refs/heads/main' } } }),
    });
    const r = run(['.', '--no-color'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        'oidc-lint: 2 CDK Java files defining IAM roles not analysed (java/src/main/java/com/x/CiStack.java, java/src/main/java/com/x/DeployStack.java): oidc-lint reads CDK TypeScript and Python only; lint `cdk.out` after `cdk synth`',
        'oidc-lint: 1 CDK Go file defining IAM roles not analysed (go/app.go): oidc-lint reads CDK TypeScript and Python only; lint `cdk.out` after `cdk synth`',
        'oidc-lint: 1 CDK C# file defining IAM roles not analysed (dotnet/src/App/Stack.cs): oidc-lint reads CDK TypeScript and Python only; lint `cdk.out` after `cdk synth`',
        '',
      ].join('\n'),
    );
    // Once the app is synthesised and its cdk.out is scanned, the Java app is checked through its template.
    mkdirSync(path.join(dir, 'java', 'cdk.out'));
    writeFileSync(path.join(dir, 'java', 'cdk.out', 'Deploy.template.json'), JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: JSON.parse(trustPolicy({})) } } } }));
    const synthesised = run(['.', '--no-color'], dir);
    expect(synthesised.stderr).not.toContain('CDK Java');
    expect(synthesised.stderr).toContain('CDK Go');
    expect(synthesised.stdout).toContain('java/cdk.out/Deploy.template.json');
  });
});

describe('parse errors only where they matter', () => {
  const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Conditions:
  HasVpc: !Not [!Equals [!Ref SubnetIds, '']]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      VpcConfig: !If [HasVpc, {
        SecurityGroupIds: [!Ref Sg],
        SubnetIds: !Split [',', !Ref SubnetIds]
      }, !Ref AWS::NoValue]
      Runtime: python3.12
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Federated: !Sub 'arn:aws:iam::\${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com' }
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              }
`;

  it('a SAM template whose flow map closes at its parent indentation is read, as PyYAML reads it', () => {
    const dir = writeTree({ 'template.yaml': SAM });
    const r = run(['.', '-f', 'json'], dir);
    // Read: the role in it is checked (no sub condition), and there is no parse error.
    expect(found(r.stdout)).toEqual(['template.yaml:21 require-subject-condition']);
  });

  it('a file that cannot be parsed and shows no sign of OIDC is a warning; one that does is an error', () => {
    const broken = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {\n  BucketName: x\n`;
    const dir = writeTree({ 'cfn/bucket.yaml': broken });
    const r = run(['.', '-f', 'json'], dir);
    const [f] = JSON.parse(r.stdout).findings;
    expect(f).toMatchObject({ ruleId: 'parse-error', messageId: 'syntaxUnrelated', level: 'warn', confidence: 'medium' });
    expect(r.code).toBe(0);
    const withTrust = writeTree({ 'cfn/role.yaml': broken + `  R:\n    Type: AWS::IAM::Role\n    # trusts arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com\n` });
    const e = run(['.', '-f', 'json'], withTrust);
    expect(JSON.parse(e.stdout).findings[0]).toMatchObject({ ruleId: 'parse-error', messageId: 'syntax', level: 'error' });
    expect(e.code).toBe(1);
    // A duplicate key in a template without GitHub OIDC (PyYAML keeps the last): a warning, not a
    // failed run — an OpenID Connect endpoint of another service in it is no sign of GitHub OIDC.
    const dup = writeTree({ 'cfn/ec2-role.yaml': `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /\n      AssumeRolePolicyDocument:\n        Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: "sts:AssumeRole" }]\n      Path: /\n  Auth:\n    Type: AWS::Cognito::UserPoolIdentityProvider\n    Properties:\n      ProviderDetails: { oidc_issuer: 'https://accounts.google.com', attributes_url: 'https://openidconnect.googleapis.com/v1/userinfo' }\n` });
    const d = run(['.', '-f', 'json'], dup);
    expect(JSON.parse(d.stdout).findings.map((x: { messageId: string; level: string }) => `${x.messageId} ${x.level}`)).toEqual(['syntaxUnrelated warn']);
    expect(d.code).toBe(0);
    // `!Split [ -, … ]`: read as PyYAML reads it, no finding at all.
    const dash = writeTree({ 'cfn/topic.yaml': `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Select [ 0, !Split [ -, !Ref AWS::StackName ] ]\n` });
    expect(run(['.', '-f', 'json'], dash).stdout).toContain('"findings": []');
    // A workflow is always ours: its parse error fails the run.
    const wf = writeTree({ '.github/workflows/ci.yml': 'on: push\njobs:\n  a: {\n b: 1\n' });
    expect(JSON.parse(run(['.', '-f', 'json'], wf).stdout).findings[0]).toMatchObject({ ruleId: 'parse-error', level: 'error' });
  });

  it('a file too large to read is reported only when it is a file oidc-lint would read', () => {
    const dir = writeTree({ 'iam/trust.json': trustPolicy({}) });
    const filler = '{"name":"x","lockfileVersion":3,"packages":{' + Array.from({ length: 2000 }, (_, i) => `"node_modules/p${i}":{"version":"1.0.${i}"}`).join(',') + '}}';
    writeFileSync(path.join(dir, 'package-lock.json'), filler);
    writeFileSync(path.join(dir, 'data.json'), filler.replace('"name"', '"Statements"'));
    writeFileSync(path.join(dir, 'iam', 'big-trust.json'), trustPolicy({}).replace(/\}$/, `, "padding": "${'x'.repeat(70 * 1024)}"}`));
    const limit = String(64 / 1024); // 64 KiB, in MiB
    const r = run(['.', '-f', 'json', '--max-file-size', limit], dir);
    const errors = JSON.parse(r.stdout).findings.filter((f: { ruleId: string }) => f.ruleId === 'parse-error');
    expect(errors.map((f: { location: { file: string }; messageId: string }) => `${f.location.file} ${f.messageId}`)).toEqual(['iam/big-trust.json limit']);
    // Named on the command line, a large file is reported whatever it is.
    const named = run(['package-lock.json', '-f', 'json', '--max-file-size', limit], dir);
    expect(found(named.stdout)).toEqual(['package-lock.json:1 parse-error']);
  });
});

describe('CI options', () => {
  const ONE_WARNING = `on: push\npermissions:\n  id-token: write\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n`;

  it('-q --max-warnings 0 with one warning says so and exits 1, never "✓ no problems"', () => {
    const dir = writeTree({ '.github/workflows/ci.yml': ONE_WARNING });
    const r = run(['-q', '--max-warnings', '0', '--no-color'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('no problems');
    expect(r.stdout).toBe('✖ no errors; 1 warning not shown (--quiet), more than --max-warnings 0 allows (1 file checked)\n');
    expect(r.stderr).toBe('oidc-lint: too many warnings (1; --max-warnings is 0)\n');
    const within = run(['-q', '--max-warnings', '1', '--no-color'], dir);
    expect(within.code).toBe(0);
    expect(within.stdout).toBe('✓ no errors; 1 warning not shown (--quiet) (1 file checked)\n');
    const github = run(['-q', '--max-warnings', '0', '-f', 'github'], dir);
    expect(github.stdout).toBe('oidc-lint: no errors; 1 warning not shown (--quiet), more than --max-warnings 0 allows (1 file checked).\n');
  });

  it('--fix-dry-run reports the files as they are on disk and says apart what would remain', () => {
    const dir = writeTree({ '.github/workflows/deploy.yml': `on: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n          aws-region: eu-west-1\n` });
    const before = readFileSync(path.join(dir, '.github/workflows/deploy.yml'), 'utf8');
    const r = run(['--fix-dry-run', '--no-color'], dir);
    expect(readFileSync(path.join(dir, '.github/workflows/deploy.yml'), 'utf8')).toBe(before);
    // Line 3 is `id-token: write` and line 15 the configure step — on disk, not in the fixed text.
    expect(r.stdout).toMatch(/^\.github\/workflows\/deploy\.yml:3:13  warn   /m);
    expect(r.stdout).toMatch(/^\.github\/workflows\/deploy\.yml:15:15  error  /m);
    expect(r.stdout).toMatch(/✖ 2 problems \(1 error, 1 warning\) in 1 file checked\n.*\n--fix would fix 2 problems in 1 file \(\.github\/workflows\/deploy\.yml\); after it, no problem would remain\n$/);
    expect(r.code).toBe(1);
    const json = run(['--fix-dry-run', '-f', 'json'], dir);
    expect(found(json.stdout)).toEqual(['.github/workflows/deploy.yml:3 no-excessive-id-token-permission', '.github/workflows/deploy.yml:15 require-id-token-permission']);
    expect(json.stderr).toMatch(/\noidc-lint: --fix would fix 2 problems in 1 file \(\.github\/workflows\/deploy\.yml\); after it, no problem would remain\n$/);
  });

  it('unknown options get our own message with a suggestion', () => {
    const dir = writeTree({ 'iam/trust.json': trustPolicy({}) });
    const cases: [string[], string][] = [
      [['--foramt', 'json'], "oidc-lint: unknown option '--foramt' (did you mean --format?)"],
      [['--max-warning', '0'], "oidc-lint: unknown option '--max-warning' (did you mean --max-warnings?)"],
      [['--colour'], "oidc-lint: unknown option '--colour' (did you mean --color?)"],
      [['-format', 'json'], "oidc-lint: unknown option '-format' (did you mean --format?)"],
      [['-x'], "oidc-lint: unknown option '-x'; a path that starts with '-' goes after '--' (oidc-lint -- -x)"],
      [['--format'], 'oidc-lint: option --format needs a value'],
      [['--fix=yes'], 'oidc-lint: option --fix takes no value'],
    ];
    for (const [args, message] of cases) {
      const r = run(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${message}\nRun 'oidc-lint --help' for usage.\n`);
    }
  });

  it('explain --help prints its help; flags explain does not use are refused', () => {
    const dir = writeTree({ 'iam/deploy.json': trustPolicy({}) });
    for (const args of [['explain', '--help'], ['explain', '-h'], ['explain', 'deploy', '--help']]) {
      const r = run(args, dir);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: oidc-lint explain <role ARN \| role name \| file:line> \[options\] \[paths\.\.\.\]\n/);
    }
    for (const flag of [['--fix'], ['--quiet'], ['--max-warnings', '0'], ['--baseline', 'b.json'], ['--rule', 'parse-error=off'], ['--sarif-category', 'x']]) {
      const r = run(['explain', 'deploy', ...flag, '.'], dir);
      expect(r.code, flag.join(' ')).toBe(2);
      expect(r.stderr).toBe(`oidc-lint: explain does not use ${flag[0]}\nRun 'oidc-lint explain --help' for usage.\n`);
    }
    const missing = run(['explain'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("oidc-lint: explain expects a role ARN, a role name or file:line first\nRun 'oidc-lint explain --help' for usage.\n");
    // What explain does use still works.
    const ok = run(['explain', 'iam/deploy.json:1', '--no-color', '-f', 'json', '.'], dir);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveLength(1);
    const toFile = run(['explain', 'iam/deploy.json:1', '-f', 'json', '-o', 'explained.json', '.'], dir);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(path.join(dir, 'explained.json'), 'utf8')).toBe(ok.stdout);
  });
});

describe('the examples the README has a newcomer --fix', () => {
  it('tests copy or lint examples/ only as committed (test/helpers/examples.ts), never the working copy', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => p.endsWith('.ts') && files.push(p))(path.join(dir, e.name));
    };
    walk(path.join(REPO_ROOT, 'test'));
    // The helper itself (its fallback outside git) and this test (its pattern) are the exceptions.
    const exempt = new Set([path.join(REPO_ROOT, 'test', 'helpers', 'examples.ts'), path.join(REPO_ROOT, 'test', 'e2e', 'scope.test.ts')]);
    const offenders = files.filter((f) => !exempt.has(f) && /REPO_ROOT, 'examples'|examples\/(broken|fixed)['/][^\n]*cwd: REPO_ROOT|cwd: REPO_ROOT[^\n]*examples\/(broken|fixed)/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('the pristine copy is the committed one: --fix on it in a copy changes the copy only', () => {
    const broken = pristineExample('broken');
    const committed = spawnSync('git', ['show', 'HEAD:examples/broken/.github/workflows/deploy.yml'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (committed.status === 0) expect(readFileSync(path.join(broken, '.github/workflows/deploy.yml'), 'utf8')).toBe(committed.stdout);
    expect(existsSync(path.join(broken, 'iam', 'github-actions-deploy-trust.json'))).toBe(true);
  });
});
