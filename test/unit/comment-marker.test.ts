import { describe, expect, it } from 'vitest';
import { commentMarker, hasMarker } from '../../src/github/comment-marker.js';

/** The hidden first line that ties a pull request comment to its git branch (src/github/comment-marker.ts). */
describe('the marker', () => {
  it('is the one docs and README name for an ordinary branch', () => {
    expect(commentMarker('feature/login')).toBe('<!-- neon-amplify-branch:feature/login -->');
  });

  it('encodes what would end the comment, and % so that no two branches share a marker', () => {
    expect(commentMarker('a-->b')).toBe('<!-- neon-amplify-branch:a--%3Eb -->');
    expect(commentMarker('a%3Eb')).not.toBe(commentMarker('a>b'));
  });

  it('matches only as the whole first line', () => {
    const marker = commentMarker('feat');
    expect(hasMarker(`${marker}\nbody`, marker)).toBe(true);
    expect(hasMarker(`${marker}\r\nbody`, marker)).toBe(true);
    expect(hasMarker(`${commentMarker('feat-2')}\nbody`, marker)).toBe(false);
    expect(hasMarker(`quote:\n${marker}`, marker)).toBe(false);
    expect(hasMarker(`${marker} trailing`, marker)).toBe(false);
  });
});
