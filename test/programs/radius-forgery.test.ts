// A forging RADIUS peer (test/support/radius-forger.ts) against the built bin/checkpassword-radius:
// no forged answer is ever taken, and the real answer that follows it still is.

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT, REJECT, answer, startForger, type Reply } from '../support/radius-forger';
import { RECORD_PROG, bin, request, runProgramAsync, scratchDir } from '../support/run';

const SECRET = 'forger-shared-secret';
let dir: string;
let n = 0;

beforeAll(() => {
  dir = scratchDir('forger');
});

/** The two transports: the native helper's sockets, and node:dgram (CHECKPASSWORD_NATIVE=off). */
const ENGINES: [string, Record<string, string>][] = [
  ['native sockets', {}],
  ['node:dgram fallback', { CHECKPASSWORD_NATIVE: 'off' }],
];
let engineEnv: Record<string, string> = {};

/** Runs a login against a forger that sends `plan(request)`; returns the run and the forger's requests. */
async function against(plan: (req: Buffer) => Reply[], opts: string[] = []) {
  const forger = await startForger(plan);
  try {
    const conf = join(dir, `radius-${n++}.conf`);
    writeFileSync(conf, `auth 127.0.0.1:${forger.port} "${SECRET}" 2 1\n`, { mode: 0o600 });
    chmodSync(conf, 0o600);
    const r = await runProgramAsync(bin('checkpassword-radius'), {
      args: ['--config', conf, '--log', 'stderr', '--min-uid', '0', ...opts, RECORD_PROG],
      input: request('victim', 'wrong-password'),
      env: { PATH: '/usr/bin:/bin', ...engineEnv },
    });
    return { ...r, requests: forger.requests };
  } finally {
    forger.close();
  }
}

const forgeries: [string, (req: Buffer, code: number) => Reply, string][] = [
  ['a bad Response Authenticator', (req, code) => ({ packet: answer(req, SECRET, code, { badResponseAuthenticator: true }) }), 'bad Response Authenticator'],
  ['a bad Message-Authenticator', (req, code) => ({ packet: answer(req, SECRET, code, { badMessageAuthenticator: true }) }), 'bad Message-Authenticator'],
  ['a wrong Identifier', (req, code) => ({ packet: answer(req, SECRET, code, { identifier: (req[1]! + 1) & 0xff }) }), 'wrong Identifier'],
  ['the wrong shared secret', (req, code) => ({ packet: answer(req, 'not-the-secret', code) }), 'bad Response Authenticator'],
];

describe.each(ENGINES)('a forging RADIUS peer (%s)', (_name, env) => {
  beforeAll(() => {
    engineEnv = env;
  });

  for (const [what, forge, why] of forgeries) {
    it(`a forged Access-Accept with ${what} is ignored, and the real Access-Reject after it gives exit 1`, async () => {
      const r = await against((req) => [forge(req, ACCEPT), { packet: answer(req, SECRET, REJECT) }]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`ignored an answer from 127.0.0.1:`);
      expect(r.stderr).toContain(why);
    });

    it(`a forged Access-Reject with ${what} is ignored, and the real Access-Accept after it gives exit 0`, async () => {
      const r = await against((req) => [forge(req, REJECT), { packet: answer(req, SECRET, ACCEPT) }]);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(why);
    });
  }

  it('a valid Access-Accept sent from another port is never taken; the real Access-Reject gives exit 1', async () => {
    const r = await against((req) => [{ packet: answer(req, SECRET, ACCEPT), fromOtherPort: true }, { packet: answer(req, SECRET, REJECT) }]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('under --require-message-authenticator an Accept without Message-Authenticator is ignored; the real Reject gives exit 1', async () => {
    const r = await against(
      (req) => [{ packet: answer(req, SECRET, ACCEPT, { messageAuthenticator: false }) }, { packet: answer(req, SECRET, REJECT) }],
      ['--require-message-authenticator'],
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no Message-Authenticator (required)');
  });

  it('without --require-message-authenticator the same Accept without Message-Authenticator is taken (why the option exists)', async () => {
    const r = await against((req) => [{ packet: answer(req, SECRET, ACCEPT, { messageAuthenticator: false }) }, { packet: answer(req, SECRET, REJECT) }]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/method=radius-legacy/);
  });

  it('garbage datagrams (short, bad length, overrunning attribute) are ignored; the real Accept gives exit 0', async () => {
    const r = await against((req) => {
      const overrun = answer(req, SECRET, ACCEPT, { replyMessage: 'hi' });
      overrun[overrun.length - 3] = 60; // Reply-Message's length byte: 60 bytes, 4 there
      const badLength = answer(req, SECRET, ACCEPT);
      badLength.writeUInt16BE(5000, 2);
      return [{ packet: Buffer.from([2, req[1]!, 0]) }, { packet: badLength }, { packet: overrun }, { packet: answer(req, SECRET, ACCEPT) }];
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('shorter than a RADIUS header');
    expect(r.stderr).toContain('bad Length 5000');
    expect(r.stderr).toContain('attribute past the end');
  });

  it('only forgeries until the timeout: exit 111, never 0 and never 1', async () => {
    const r = await against((req) => [
      { packet: answer(req, SECRET, ACCEPT, { badResponseAuthenticator: true }) },
      { packet: answer(req, SECRET, REJECT, { badMessageAuthenticator: true }) },
    ]);
    expect(r.status).toBe(111);
  });
});
