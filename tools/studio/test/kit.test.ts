import { describe, expect, it } from 'vitest';
import { FaultBook } from '../src/index.js';

describe('FaultBook', () => {
  const book = () => new FaultBook(['list', 'one'] as const, ['500', 'delay'] as const);

  it('fails the matching requests `times` times, once by default', () => {
    const faults = book();
    faults.inject({ route: 'list', kind: '500', times: 2 });
    expect(faults.take({ route: 'one' })).toBeNull();
    expect(faults.take({ route: 'list' })?.kind).toBe('500');
    expect(faults.take({ route: 'list' })?.kind).toBe('500');
    expect(faults.take({ route: 'list' })).toBeNull();
  });

  it('lets `skip` requests through first, to fail a run at a chosen batch', () => {
    const faults = book();
    faults.inject({ route: '*', kind: 'delay', skip: 2 });
    expect(faults.take({ route: 'list' })).toBeNull();
    expect(faults.take({ route: 'one' })).toBeNull();
    expect(faults.take({ route: 'list' })?.kind).toBe('delay');
  });

  it('matches on request facts and refuses unknown routes and kinds', () => {
    const faults = book();
    faults.inject({ route: 'list', kind: '500', match: { offset: 500 } });
    expect(faults.take({ route: 'list', offset: 0 })).toBeNull();
    expect(faults.take({ route: 'list', offset: 500 })?.kind).toBe('500');
    expect(() => faults.inject({ route: 'nope' as 'list', kind: '500' })).toThrow(/route/);
    expect(() => faults.inject({ route: 'list', kind: 'teapot' as '500' })).toThrow(/kind/);
    expect(() => faults.inject({ route: 'list', kind: '500', times: -1 })).toThrow(/times/);
  });
});
