import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { JsonLogger } from '../../src/webhook/config/log.js';

function logger(redactor = new Redactor(), debug = false) {
  const lines: string[] = [];
  const log = new JsonLogger({ redactor, debug, write: (line) => lines.push(line), now: () => new Date(0) });
  return { log, lines };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with the context fields', () => {
    const { log, lines } = logger();
    log
      .with({ delivery: 'd-1', event: 'push', repository: 'o/r', branch: 'x' })
      .info('hello', { step: 'start' });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"hello","delivery":"d-1","event":"push","repository":"o/r","branch":"x","step":"start"}\n',
    ]);
  });

  it('leaves debug lines out unless asked', () => {
    const quiet = logger();
    quiet.log.debug('detail');
    expect(quiet.lines).toEqual([]);
    const loud = logger(new Redactor(), true);
    loud.log.debug('detail');
    expect(loud.lines).toHaveLength(1);
  });

  it('masks secrets in the message and in nested fields, before JSON escaping', () => {
    const redactor = new Redactor();
    redactor.add('pa"ss\\word');
    const { log, lines } = logger(redactor);
    log.info('got pa"ss\\word', { nested: { list: ['x pa"ss\\word y'] } });
    expect(lines[0]).not.toContain('ss\\\\word');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'got ***', nested: { list: ['x *** y'] } });
  });

  it("masks a whole URL before its password, and keeps a job's secrets to that job", () => {
    const root = new Redactor();
    root.add('napi_key_123');
    const job = root.child();
    job.add('npg_pw123');
    job.add('postgresql://u:npg_pw123@host/db');
    expect(job.redact('url postgresql://u:npg_pw123@host/db key napi_key_123 pw npg_pw123')).toBe(
      'url *** key *** pw ***',
    );
    expect(root.redact('pw npg_pw123 key napi_key_123')).toBe('pw npg_pw123 key ***');
  });

  it('ignores values too short to be secrets', () => {
    const redactor = new Redactor();
    redactor.add('');
    redactor.add('ab');
    expect(redactor.redact('a tab')).toBe('a tab');
  });

  it('gives the core a Logger whose lines carry the step', () => {
    const { log, lines } = logger();
    const core = log.with({ delivery: 'd' }).forCore('deploy');
    core.warning('careful');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'warning',
      msg: 'careful',
      step: 'deploy',
      delivery: 'd',
    });
  });
});
