import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { createRule } from '../src/engine/create-rule.js';
import { lintProject } from '../src/engine/linter.js';
import { ConfigError, parseRuleFlag } from '../src/engine/config.js';
import { rules } from '../src/rules/index.js';
import { loadTree, writeTree, trustPolicy, POLICY } from './helpers/project.js';

const crashing = createRule({
  id: 'no-crash-test',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'low',
    defaultLevel: 'error',
    docs: { description: 'test rule', rationale: 'test', remediation: 'test', references: [], recommended: true },
    messages: { x: 'x' },
    schema: [],
  },
  create() {
    return {
      Statement() {
        throw new Error('boom');
      },
    };
  },
});

describe('engine', () => {
  it('reports a crashing rule with its id and keeps the other findings', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    const { findings, crashes } = lintProject(project, [...rules, crashing], { rules: {}, settings: {} });
    expect(crashes).toEqual([expect.objectContaining({ ruleId: 'no-crash-test', message: 'boom' })]);
    expect(findings.map((f) => f.ruleId)).toEqual(['require-audience-condition', 'require-subject-condition']);
  });
  it('exits 2 from the CLI when a rule crashes, still printing the findings', async () => {
    const dir = writeTree({ [POLICY]: trustPolicy({}) });
    let out = '';
    let err = '';
    const code = await main([dir, '--no-color'], { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, rules: [...rules, crashing] });
    expect(code).toBe(2);
    expect(err).toContain('rule no-crash-test crashed: boom');
    expect(out).toContain('require-subject-condition');
  });
  it('applies --rule level overrides and rejects unknown rules and bad levels', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    const { findings } = lintProject(project, rules, { rules: { 'require-subject-condition': 'warn', 'require-audience-condition': 'off' }, settings: {} });
    expect(findings.map((f) => [f.ruleId, f.level])).toEqual([['require-subject-condition', 'warn']]);
    expect(() => lintProject(project, rules, { rules: { 'no-such-rule': 'error' }, settings: {} })).toThrow(ConfigError);
    expect(() => parseRuleFlag('require-subject-condition=loud')).toThrow(ConfigError);
    expect(parseRuleFlag('no-wildcard-subject=warning')).toEqual(['no-wildcard-subject', 'warn']);
  });
  it('validates rule options with the rule schema', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    expect(() => lintProject(project, rules, { rules: { 'require-audience-condition': ['error', { audiences: 'sts' }] }, settings: {} })).toThrow(/invalid options/);
    const { findings } = lintProject(project, rules, { rules: { 'require-audience-condition': ['error', { audiences: ['sts.amazonaws.com.cn'] }] }, settings: {} });
    expect(findings.find((f) => f.ruleId === 'require-audience-condition')?.message).toContain('sts.amazonaws.com.cn');
  });
  it('fingerprints do not depend on line numbers', async () => {
    const a = await loadTree({ [POLICY]: trustPolicy({}) });
    const b = await loadTree({ [POLICY]: '\n\n\n' + trustPolicy({}) });
    const fa = lintProject(a, rules, { rules: {}, settings: {} }).findings.map((f) => f.fingerprint);
    const fb = lintProject(b, rules, { rules: {}, settings: {} }).findings.map((f) => f.fingerprint);
    expect(fa).toEqual(fb);
    expect(new Set(fa).size).toBe(fa.length);
  });
});

describe('findings on possible values', () => {
  const reporter = (when: { text: string; isDefault: boolean } | undefined, confidence?: 'low') =>
    createRule({
      id: 'no-possible-test',
      meta: {
        kind: 'problem',
        appliesTo: ['trust-policy'],
        severity: 'low',
        defaultLevel: 'error',
        docs: { description: 'test rule', rationale: 'test', remediation: 'test', references: [], recommended: true },
        messages: { x: 'x' },
        schema: [],
      },
      create(context) {
        return {
          Statement(st) {
            context.report({ node: { ...st.effect, ...(when ? { when } : {}) }, messageId: 'x', confidence });
          },
        };
      },
    });
  const run = async (when: { text: string; isDefault: boolean } | undefined, confidence?: 'low') => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    const { findings } = lintProject(project, [reporter(when, confidence)], { rules: {}, settings: {} });
    return findings.map((f) => `${f.level}/${f.confidence}`);
  };
  it('a value taken only under some input is at most a warning of medium confidence', async () => {
    expect(await run(undefined)).toEqual(['error/high']);
    expect(await run({ text: 'var.all is true', isDefault: false })).toEqual(['warn/medium']);
    expect(await run({ text: 'var.all is true', isDefault: false }, 'low')).toEqual(['warn/low']);
  });
  it('a default (taken when the input is left out) keeps the rule level', async () => {
    expect(await run({ text: 'props.filter is not given', isDefault: true })).toEqual(['error/high']);
  });
});
