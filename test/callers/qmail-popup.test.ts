// qmail-popup, emulated byte for byte (test/support/qmail-callers.ts), running the built programs
// the way docs/qmail.md sets them up: `qmail-popup FQDN checkprogram qmail-pop3d Maildir` under
// tcpserver as root. Each test reads the result as qmail-popup does (zero or not, or a signal) and
// checks the exact bytes the POP3 client got: the greeting, `+OK ` for USER, and qmail-popup's reply,
// with nothing of ours in between. The stand-in prog takes qmail-pop3d's place.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { NOTQMAIL_POPUP, QMAIL_POPUP_103, apopDigest, popupApop, popupUserPass, type CallerRun, type Outcome, type Popup } from '../support/qmail-callers';
import { ALICE, CLEAR, HASH_ONLY, RADIUS_USER, VMAIL, buildStores, liveServer, radiusConf, type Stores } from '../support/qmail-stores';
import { IS_ROOT, bin } from '../support/run';
import { STAND_IN_PROG, newRecordFile, readRecord, type StandInRecord } from '../support/stand-in';
import { silentServer } from '../support/udp';

const REFUSED = '-ERR authorization failed\r\n';
const CRASHED = '-ERR aack, child crashed\r\n';

let stores: Stores;
let radius: FreeRadius;
let radiusConfig: string;

beforeAll(async () => {
  stores = buildStores();
  radius = await startFreeRadius();
  radiusConfig = radiusConf(stores.dir, [liveServer(radius)]);
});
afterAll(async () => {
  await radius?.stop();
});

/** The three backends, each on the command line docs/qmail.md gives for qmail-popup. */
const backends = {
  passwd: (record: string, env: Record<string, string> = {}): CallerRun => ({
    argv: ['mail.example.org', bin('checkpassword-passwd'), STAND_IN_PROG, 'Maildir'],
    env: { CHECKPASSWORD_PASSWD: stores.passwd, CHECKPASSWORD_SHADOW: stores.shadow, STAND_IN_RECORD: record, ...env },
  }),
  vpopmail: (record: string, env: Record<string, string> = {}): CallerRun => ({
    argv: ['mail.example.org', bin('checkpassword-vpopmail'), STAND_IN_PROG, 'Maildir'],
    env: { VPOPMAIL_HOME: stores.vpopmailHome, QMAILDIR: stores.qmailDir, STAND_IN_RECORD: record, ...env },
  }),
  radius: (record: string, env: Record<string, string> = {}): CallerRun => ({
    argv: [
      'mail.example.org',
      bin('checkpassword-radius'),
      '--uid',
      String(VMAIL.uid),
      '--gid',
      String(VMAIL.gid),
      '--home',
      `${stores.radiusHomes}/%u`,
      STAND_IN_PROG,
      'Maildir',
    ],
    env: { RADIUS_CONF: radiusConfig, STAND_IN_RECORD: record, ...env },
  }),
};

/** USER/PASS: the client saw the greeting, USER's `+OK `, then `reply`, and nothing else. */
function expectUserPassTranscript(r: Outcome, reply: string) {
  expect(r.reply).toBe(reply);
  expect(r.client).toBe(`+OK ${r.stamp}\r\n+OK \r\n${reply}`);
}

/** The login went through: the prog ran (qmail-popup then says nothing), and no secret reached it. */
function expectSession(r: Outcome, rec: StandInRecord, secret: string) {
  expect(r.child).toEqual({ exit: 0 });
  expect(rec.ran).toBe(true);
  expect(rec.facts.get('argv')).toBe(`${STAND_IN_PROG} Maildir`);
  expect(rec.raw.includes(Buffer.from(secret))).toBe(false);
  expect(r.log).toBe('');
}

/** Refused: exit `status`, the prog never ran, qmail-popup's one reply, nothing of ours anywhere. */
function expectRefused(r: Outcome, rec: StandInRecord, status: number) {
  expect(r.child).toEqual({ exit: status });
  expect(rec.ran).toBe(false);
  expect(r.log).toBe('');
}

describe.each([QMAIL_POPUP_103, NOTQMAIL_POPUP])('$name', (popup: Popup) => {
  describe('checkpassword-passwd', () => {
    it('USER/PASS: the right password runs qmail-pop3d as the user in his home, a wrong one gets "-ERR authorization failed"', async () => {
      const record = newRecordFile();
      const ok = await popupUserPass(popup, backends.passwd(record), ALICE.name, ALICE.password);
      expect(ok.fd3.toString('latin1')).toBe(`alice\0alice-secret\0${ok.stamp}\0`);
      expectUserPassTranscript(ok, '');
      const rec = readRecord(record);
      expectSession(ok, rec, ALICE.password);
      expect(rec.facts.get('cwd')).toBe(stores.aliceHome);
      expect(rec.env.get('USER')).toBe('alice');
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe(String(ALICE.uid));

      const badRecord = newRecordFile();
      const bad = await popupUserPass(popup, backends.passwd(badRecord), ALICE.name, 'wrong-secret');
      expectUserPassTranscript(bad, REFUSED);
      expectRefused(bad, readRecord(badRecord), 1);
    });

    it('APOP is refused (the digest is checked as a password): "-ERR authorization failed"', async () => {
      const record = newRecordFile();
      const r = await popupApop(popup, backends.passwd(record), (stamp) => `alice ${apopDigest(stamp, ALICE.password)}`);
      expect(r.reply).toBe(REFUSED);
      expect(r.client).toBe(`+OK ${r.stamp}\r\n${REFUSED}`);
      expectRefused(r, readRecord(record), 1);
    });

    it('a store that cannot be read is exit 111, and qmail-popup says "-ERR authorization failed" all the same', async () => {
      const record = newRecordFile();
      const r = await popupUserPass(popup, backends.passwd(record, { CHECKPASSWORD_SHADOW: `${stores.dir}/no-such-shadow` }), ALICE.name, ALICE.password);
      expectUserPassTranscript(r, REFUSED);
      expectRefused(r, readRecord(record), 111);
    });
  });

  describe('checkpassword-vpopmail', () => {
    it('USER/PASS: the right password runs qmail-pop3d as the domain owner in the user\'s directory, a wrong one is refused', async () => {
      const record = newRecordFile();
      const ok = await popupUserPass(popup, backends.vpopmail(record), CLEAR.login, CLEAR.password);
      expectUserPassTranscript(ok, '');
      const rec = readRecord(record);
      expectSession(ok, rec, CLEAR.password);
      expect(rec.facts.get('cwd')).toBe(`${stores.vpopmailHome}/domains/example.com/clear`);
      expect(rec.env.get('VPOPUSER')).toBe(CLEAR.login);
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe('45903');

      const badRecord = newRecordFile();
      const bad = await popupUserPass(popup, backends.vpopmail(badRecord), CLEAR.login, 'wrong-secret');
      expectUserPassTranscript(bad, REFUSED);
      expectRefused(bad, readRecord(badRecord), 1);
    });

    it('APOP: md5(timestamp + clear-text password) runs qmail-pop3d, a digest of a wrong password is refused', async () => {
      const record = newRecordFile();
      const ok = await popupApop(popup, backends.vpopmail(record), (stamp) => `${CLEAR.login} ${apopDigest(stamp, CLEAR.password)}`);
      expect(ok.fd3.toString('latin1')).toBe(`${CLEAR.login}\0${apopDigest(ok.stamp, CLEAR.password)}\0${ok.stamp}\0`);
      expect(ok.reply).toBe('');
      expect(ok.client).toBe(`+OK ${ok.stamp}\r\n`);
      expectSession(ok, readRecord(record), CLEAR.password);

      const badRecord = newRecordFile();
      const bad = await popupApop(popup, backends.vpopmail(badRecord), (stamp) => `${CLEAR.login} ${apopDigest(stamp, 'wrong-secret')}`);
      expect(bad.client).toBe(`+OK ${bad.stamp}\r\n${REFUSED}`);
      expectRefused(bad, readRecord(badRecord), 1);
    });

    it('APOP for a user without a clear-text password is refused', async () => {
      const record = newRecordFile();
      const r = await popupApop(popup, backends.vpopmail(record), (stamp) => `${HASH_ONLY.login} ${apopDigest(stamp, HASH_ONLY.password)}`);
      expect(r.client).toBe(`+OK ${r.stamp}\r\n${REFUSED}`);
      expectRefused(r, readRecord(record), 1);
    });

    it('no users/cdb (nor users/assign) is exit 111: "-ERR authorization failed"', async () => {
      const record = newRecordFile();
      const r = await popupUserPass(popup, backends.vpopmail(record, { QMAILDIR: stores.emptyQmailDir }), CLEAR.login, CLEAR.password);
      expectUserPassTranscript(r, REFUSED);
      expectRefused(r, readRecord(record), 111);
    });
  });

  describe('checkpassword-radius', () => {
    it('USER/PASS against FreeRADIUS: an Access-Accept runs qmail-pop3d as --uid in --home, a reject is refused', async () => {
      const record = newRecordFile();
      const ok = await popupUserPass(popup, backends.radius(record), RADIUS_USER.login, RADIUS_USER.password);
      expectUserPassTranscript(ok, '');
      const rec = readRecord(record);
      expectSession(ok, rec, RADIUS_USER.password);
      expect(rec.facts.get('cwd')).toBe(`${stores.radiusHomes}/anyuser`);
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe(String(VMAIL.uid));

      const badRecord = newRecordFile();
      const bad = await popupUserPass(popup, backends.radius(badRecord), RADIUS_USER.login, 'wrong-secret');
      expectUserPassTranscript(bad, REFUSED);
      expectRefused(bad, readRecord(badRecord), 1);
    });

    it('APOP is refused (the digest would go to the server as the password)', async () => {
      const record = newRecordFile();
      const r = await popupApop(popup, backends.radius(record), (stamp) => `${RADIUS_USER.login} ${apopDigest(stamp, RADIUS_USER.password)}`);
      expect(r.client).toBe(`+OK ${r.stamp}\r\n${REFUSED}`);
      expectRefused(r, readRecord(record), 1);
    });

    it('a RADIUS server that never answers is exit 111: "-ERR authorization failed"', async () => {
      const silent = await silentServer();
      try {
        const record = newRecordFile();
        const conf = radiusConf(stores.dir, [`127.0.0.1:${silent.port} secret 0.2 1`]);
        const r = await popupUserPass(popup, backends.radius(record, { RADIUS_CONF: conf }), RADIUS_USER.login, RADIUS_USER.password);
        expectUserPassTranscript(r, REFUSED);
        expectRefused(r, readRecord(record), 111);
      } finally {
        silent.close();
      }
    });
  });

  it('a prog killed by a signal: "-ERR aack, child crashed" (the native exec leaves no Node parent to turn it into an exit)', async () => {
    const record = newRecordFile();
    const r = await popupUserPass(popup, backends.passwd(record, { STAND_IN_SIGNAL: 'KILL' }), ALICE.name, ALICE.password);
    expect(r.child).toEqual({ signal: 9 });
    expectUserPassTranscript(r, CRASHED);
    expect(readRecord(record).ran).toBe(true);
  });
});

describe('where a log line goes (--log stderr)', () => {
  it("under qmail 1.03's qmail-popup the log line reaches the POP3 client (fd 2 is the connection)", async () => {
    const record = newRecordFile();
    const r = await popupUserPass(QMAIL_POPUP_103, backends.passwd(record, { CHECKPASSWORD_LOG: 'stderr' }), ALICE.name, 'wrong-secret');
    expect(r.client).toMatch(/^\+OK <[^>]+>\r\n\+OK \r\ncheckpassword-passwd\[\d+\]: reject reason=bad-password login="alice" remote=192\.0\.2\.25 .*\n-ERR authorization failed\r\n$/);
    expect(r.client).not.toContain('wrong-secret');
  });

  it("under notqmail's qmail-popup the log line goes to the service's log, the client sees only qmail-popup", async () => {
    const record = newRecordFile();
    const r = await popupUserPass(NOTQMAIL_POPUP, backends.passwd(record, { CHECKPASSWORD_LOG: 'stderr' }), ALICE.name, 'wrong-secret');
    expectUserPassTranscript(r, REFUSED);
    expect(r.log).toMatch(/^checkpassword-passwd\[\d+\]: reject reason=bad-password login="alice" /);
    expect(r.log).not.toContain('wrong-secret');
  });
});

describe('resource limits from the run script (softlimit)', () => {
  it('`softlimit -m 1000000000` (data, stack and address space alike) keeps Node from starting: "-ERR aack, child crashed"', async () => {
    // -m also sets locked memory, which this test may not raise and which does not matter here.
    const limits = ['data', 'stack', 'as'].map((r) => `--${r}=1000000000`);
    const record = newRecordFile();
    const r = await popupUserPass(QMAIL_POPUP_103, { ...backends.passwd(record), limits }, ALICE.name, ALICE.password);
    expect(r.child).toHaveProperty('signal');
    expect(r.reply).toBe(CRASHED);
    expect(readRecord(record).ran).toBe(false);
    // Node's own abort report (each thread's stack is as large as the stack limit) goes to fd 2:
    // under qmail 1.03's qmail-popup, to the client.
    expect(r.client.startsWith(`+OK ${r.stamp}\r\n+OK \r\n`)).toBe(true);
    expect(r.client).toContain('uv_thread_create');
    expect(r.client.endsWith(CRASHED)).toBe(true);
  });

  it('`softlimit -d 300000000` (the data segment only) leaves it room: the login goes through', async () => {
    const record = newRecordFile();
    const r = await popupUserPass(QMAIL_POPUP_103, { ...backends.passwd(record), limits: ['--data=300000000'] }, ALICE.name, ALICE.password);
    expectUserPassTranscript(r, '');
    expectSession(r, readRecord(record), ALICE.password);
  });
});
