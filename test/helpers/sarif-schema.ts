/**
 * Validates SARIF against the official OASIS 2.1.0 schema (../shared/schemas). Where the schema is
 * absent (a user's clone without ../shared) the callers skip with the reason — except when
 * OIDC_LINT_REQUIRE_SARIF_SCHEMA=1 (set by .ci/run), where absence is a failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO_ROOT } from '../../scripts/fixtures.js';

export const SARIF_SCHEMA_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'schemas', 'sarif-schema-2.1.0.json');
export const schemaAvailable = existsSync(SARIF_SCHEMA_PATH);
export const schemaRequired = process.env.OIDC_LINT_REQUIRE_SARIF_SCHEMA === '1';
export const SKIP_REASON = `SARIF schema not found at ${SARIF_SCHEMA_PATH} (set OIDC_LINT_REQUIRE_SARIF_SCHEMA=1 to make this a failure)`;

let validate: ((data: unknown) => boolean) & { errors?: unknown } | undefined;

export function sarifValidator() {
  if (!validate) {
    const require = createRequire(import.meta.url);
    const Ajv4 = require('ajv-draft-04') as new (o: object) => { compile: (s: object) => typeof validate };
    const addFormats = require('ajv-formats') as (a: unknown) => void;
    const ajv = new Ajv4({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_PATH, 'utf8')));
  }
  return validate!;
}

/** GitHub code scanning's extra requirements (ecosystem.md §1) that the schema does not enforce. */
export function githubProblems(log: any): string[] {
  const problems: string[] = [];
  if (log.runs?.length !== 1) problems.push('exactly one run expected');
  const run = log.runs[0];
  const rules = run.tool.driver.rules ?? [];
  for (const r of rules) {
    if (!r.shortDescription?.text) problems.push(`${r.id}: shortDescription.text`);
    if (!r.fullDescription?.text) problems.push(`${r.id}: fullDescription.text`);
    if (!r.help?.text) problems.push(`${r.id}: help.text`);
    const tags = r.properties?.tags ?? [];
    if (tags.length >= 10) problems.push(`${r.id}: too many tags`);
    if (typeof r.properties?.['security-severity'] !== 'string') problems.push(`${r.id}: security-severity must be a string`);
  }
  for (const res of run.results) {
    if (rules[res.ruleIndex]?.id !== res.ruleId) problems.push(`ruleIndex mismatch for ${res.ruleId}`);
    if (!res.message?.text) problems.push('result without message');
    if (res.locations?.length !== 1) problems.push('result must have exactly one location');
    const pl = res.locations?.[0]?.physicalLocation;
    if (pl) {
      const r = pl.region;
      for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) if (!(r?.[k] >= 1)) problems.push(`${res.ruleId}: region.${k} must be >= 1`);
      if (/^[a-z]+:/i.test(pl.artifactLocation.uri) || pl.artifactLocation.uri.startsWith('/')) problems.push(`absolute uri ${pl.artifactLocation.uri}`);
    }
  }
  return problems;
}
