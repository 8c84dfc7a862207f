import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EMPTY_OUTPUTS } from '../../src/core/result.js';
import { INPUT_NAMES } from '../../src/core/setting-names.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
};

describe('action.yml', () => {
  it('runs dist/index.js on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the settings parser reads, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toMatch(/\w{3,}/);
    }
  });

  it('marks the three required inputs required and gives none of them a default', () => {
    const required = Object.entries(action.inputs)
      .filter(([, input]) => input.required)
      .map(([name]) => name);
    expect(required.sort()).toEqual(['amplify-app-id', 'neon-api-key', 'neon-project-id']);
    for (const name of required) expect(action.inputs[name]?.default).toBeUndefined();
  });

  it('declares exactly the outputs the executor produces', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(EMPTY_OUTPUTS).sort());
  });

  it('quotes every default as a string, as the runner passes them', () => {
    for (const input of Object.values(action.inputs)) {
      if (input.default !== undefined) expect(typeof input.default).toBe('string');
    }
  });
});
