// From config entries to the addresses asked (src/radius/targets.ts).

import { describe, expect, it } from 'vitest';
import { MAX_TARGETS, resolveTargets } from '../../src/radius/targets';
import type { ServerEntry } from '../../src/radius/config';

const entry = (host: string, extra: Partial<ServerEntry> = {}): ServerEntry => ({
  host,
  port: 1812,
  secret: Buffer.from('s'),
  timeoutMs: 3000,
  tries: 3,
  requireMessageAuthenticator: false,
  where: 'f:1',
  ...extra,
});

describe('resolveTargets', () => {
  it('keeps file order, and every address of a name in the order the resolver gives', async () => {
    const lookup = async () => [
      { address: '192.0.2.2', family: 4 },
      { address: '2001:db8::2', family: 6 },
    ];
    const t = await resolveTargets([entry('192.0.2.1'), entry('radius.example'), entry('::1')], { requireMessageAuthenticator: false }, () => {}, lookup);
    expect(t.map((x) => x.label)).toEqual(['192.0.2.1:1812', '192.0.2.2:1812', '[2001:db8::2]:1812', '[::1]:1812']);
  });

  it('resolves each name once, however many lines name it', async () => {
    let calls = 0;
    const lookup = async () => {
      calls++;
      return [{ address: '192.0.2.9', family: 4 }];
    };
    await resolveTargets([entry('a.example'), entry('a.example', { port: 1645 })], { requireMessageAuthenticator: false }, () => {}, lookup);
    expect(calls).toBe(1);
  });

  it('a name that does not resolve is skipped with a note that does not hold the name', async () => {
    const notes: string[] = [];
    const lookup = async () => {
      throw Object.assign(new Error('x'), { code: 'ENOTFOUND' });
    };
    const t = await resolveTargets([entry('secret-looking.example'), entry('192.0.2.1')], { requireMessageAuthenticator: false }, (m) => notes.push(m), lookup);
    expect(t).toHaveLength(1);
    expect(notes.join()).toContain('cannot resolve the host: ENOTFOUND');
    expect(notes.join()).not.toContain('secret-looking');
  });

  it('--require-message-authenticator applies to every target; the line keyword to its own', async () => {
    const t = await resolveTargets([entry('192.0.2.1'), entry('192.0.2.2', { requireMessageAuthenticator: true })], { requireMessageAuthenticator: false }, () => {});
    expect(t.map((x) => x.requireMessageAuthenticator)).toEqual([false, true]);
    const all = await resolveTargets([entry('192.0.2.1')], { requireMessageAuthenticator: true }, () => {});
    expect(all[0]!.requireMessageAuthenticator).toBe(true);
  });

  it('--bind over the line, and addresses of the other family skipped', async () => {
    const notes: string[] = [];
    const t = await resolveTargets([entry('::1'), entry('192.0.2.1', { bind: '192.0.2.100' })], { requireMessageAuthenticator: false, bind: '127.0.0.1' }, (m) => notes.push(m));
    expect(t.map((x) => [x.address, x.bind])).toEqual([['192.0.2.1', '127.0.0.1']]);
    expect(notes.join()).toContain('skipped');
  });

  it(`at most ${MAX_TARGETS} addresses are asked, with a note`, async () => {
    const notes: string[] = [];
    const entries = Array.from({ length: MAX_TARGETS + 6 }, (_, i) => entry(`10.0.${i >> 8}.${i & 255}`));
    const t = await resolveTargets(entries, { requireMessageAuthenticator: false }, (m) => notes.push(m));
    expect(t).toHaveLength(MAX_TARGETS);
    expect(notes.join()).toContain(`first ${MAX_TARGETS} of ${MAX_TARGETS + 6}`);
  });
});
