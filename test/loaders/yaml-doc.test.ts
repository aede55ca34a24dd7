/** The full YAML reader reads flow collections as PyYAML and libyaml/go-yaml do: indentation inside them does not matter. */
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/loaders/shared/yaml-doc.js';
import { CFN_YAML_TAGS } from '../../src/loaders/aws/cloudformation.js';
import { toPlain, type DocNode } from '../../src/loaders/shared/doc.js';

const SAM = `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      VpcConfig: !If [HasVpc, {
        SecurityGroupIds: [sg-1],
        SubnetIds: [subnet-1]
      }, !Ref AWS::NoValue]
      Runtime: python3.12
`;

function at(root: DocNode | undefined, ...keys: (string | number)[]): DocNode | undefined {
  let n = root;
  for (const k of keys) {
    if (!n) return undefined;
    if (n.kind === 'map') n = n.entries.find((e) => e.key.value === k)?.value;
    else if (n.kind === 'seq' && typeof k === 'number') n = n.items[k];
    else return undefined;
  }
  return n;
}

describe('flow collections closed at the parent indentation (PyYAML leniency)', () => {
  it('reads the SAM `!If [Cond, {…}, !Ref AWS::NoValue]` idiom with exact positions, and what follows it', () => {
    const r = parseYaml(SAM, 't.yaml', { customTags: CFN_YAML_TAGS, full: true });
    expect(r.errors).toEqual([]);
    const props = at(r.root, 'Resources', 'Fn', 'Properties');
    expect(toPlain(props!)).toEqual({ VpcConfig: ['HasVpc', { SecurityGroupIds: ['sg-1'], SubnetIds: ['subnet-1'] }, 'AWS::NoValue'], Runtime: 'python3.12' });
    const subnet = at(props, 'VpcConfig', 1, 'SubnetIds', 0)!;
    expect(subnet.loc.start).toEqual({ line: 7, column: 21 });
    const noValue = at(props, 'VpcConfig', 2)!;
    expect(noValue.loc.start).toEqual({ line: 8, column: 15 });
    expect(at(props, 'Runtime')!.loc.start).toEqual({ line: 9, column: 16 });
  });

  it('also when a nested sequence or the outer bracket closes at the parent indentation, or below it', () => {
    const text = `a:
  b: [1, [
    2,
  3], {
 c: 4
}]
  d: 5
`;
    const r = parseYaml(text, 'x.yml', { full: true });
    expect(r.errors).toEqual([]);
    expect(toPlain(r.root!)).toEqual({ a: { b: [1, [2, 3], { c: 4 }], d: 5 } });
  });

  it('reads a lone `-` before `,` or `]` in a flow collection as the scalar "-", as PyYAML does (`!Split [-, …]`)', () => {
    const text = `TopicName: !Select [ 0, !Split [ -, !Ref AWS::StackName ] ]\nList: [a, -]\nNumbers: [ -1, -x ]\n`;
    const r = parseYaml(text, 't.yaml', { customTags: CFN_YAML_TAGS, full: true });
    expect(r.errors).toEqual([]);
    expect(toPlain(r.root!)).toEqual({ TopicName: [0, ['-', 'AWS::StackName']], List: ['a', '-'], Numbers: [-1, '-x'] });
    expect(at(r.root, 'TopicName', 1, 0)!.loc.start).toEqual({ line: 1, column: 34 });
  });

  it('still reports a flow collection that never closes, and a document marker inside one', () => {
    expect(parseYaml('a: [1, 2\nb: 3\n', 'x.yml', { full: true }).errors.length).toBeGreaterThan(0);
    expect(parseYaml('a: [1,\n---\nb: 3\n', 'x.yml', { full: true }).errors.length).toBeGreaterThan(0);
  });
});
