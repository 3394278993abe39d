// qmail-smtpd with each family of SMTP AUTH patches, emulated byte for byte
// (test/support/qmail-callers.ts), running the built programs as docs/qmail.md sets them up: the
// checkprogram after the host name (Dabrowski/Johnston) or first (Hoffmann, sagredo), /bin/true's
// place taken by the stand-in prog, qmail-smtpd running as qmaild (as vpopmail for
// checkpassword-vpopmail). Each test reads the result as the patch does (zero, non-zero, signal)
// and checks the exact bytes the SMTP client got: the patch's prompts and its reply, nothing else.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import {
  DABROWSKI,
  HOFFMANN,
  HOFFMANN_NO_CRAM,
  SAGREDO,
  SAGREDO_NO_CRAM,
  attempted,
  cramDigest,
  smtpdCram,
  smtpdLogin,
  smtpdPlain,
  type CallerRun,
  type NoAttempt,
  type Outcome,
  type SmtpdPatch,
} from '../support/qmail-callers';
import { ALICE, CLEAR, HASH_ONLY, QMAILD, RADIUS_USER, VPOPMAIL, buildStores, liveServer, radiusConf, type Stores } from '../support/qmail-stores';
import { IS_ROOT, bin } from '../support/run';
import { STAND_IN_PROG, newRecordFile, readRecord, type StandInRecord } from '../support/stand-in';
import { silentServer } from '../support/udp';

const OK = '235 ok, go ahead (#2.0.0)\r\n';
const CRASHED = "454 oops, problem with child and I can't auth (#4.3.0)\r\n";
const LOGIN_PROMPTS = '334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n';

let stores: Stores;
let radius: FreeRadius;
let radiusConfig: string;

beforeAll(async () => {
  stores = buildStores();
  radius = await startFreeRadius();
  // qmaild must read radius.conf.
  radiusConfig = radiusConf(stores.dir, [liveServer(radius)], QMAILD.uid);
});
afterAll(async () => {
  await radius?.stop();
});

/** Runs as `who` when the tests run as root (qmail-smtpd is never root). */
function as(who: { uid: number; gid: number }): Partial<CallerRun> {
  return IS_ROOT ? { uid: who.uid, gid: who.gid } : {};
}

/** The checkprogram and subprogram, after the host name where the patch wants one. */
function argv(patch: SmtpdPatch, checkprogram: string[], subprogram = STAND_IN_PROG): string[] {
  return [...(patch.hostnameFirst ? ['mail.example.org'] : []), ...checkprogram, subprogram];
}

/** The three backends as docs/qmail.md runs them under qmail-smtpd. */
const backends = {
  passwd: (patch: SmtpdPatch, record: string, env: Record<string, string> = {}): CallerRun => ({
    argv: argv(patch, [bin('checkpassword-passwd')]),
    env: { CHECKPASSWORD_PASSWD: stores.smtpPasswd, CHECKPASSWORD_SHADOW: 'none', STAND_IN_RECORD: record, ...env },
    ...as(QMAILD),
  }),
  vpopmail: (patch: SmtpdPatch, record: string, env: Record<string, string> = {}, who = VPOPMAIL): CallerRun => ({
    argv: argv(patch, [bin('checkpassword-vpopmail'), '--service', 'smtp']),
    env: { VPOPMAIL_HOME: stores.vpopmailHome, QMAILDIR: stores.qmailDir, STAND_IN_RECORD: record, ...env },
    ...as(who),
  }),
  radius: (patch: SmtpdPatch, record: string, env: Record<string, string> = {}): CallerRun => ({
    argv: argv(patch, [bin('checkpassword-radius')]),
    env: { RADIUS_CONF: radiusConfig, STAND_IN_RECORD: record, ...env },
    ...as(QMAILD),
  }),
};

function outcome(r: Outcome | NoAttempt): Outcome {
  if (!attempted(r)) throw new Error(`no attempt: ${r.reply}`);
  return r;
}

/** Accepted: 235 after the prompts and nothing else on the connection; the subprogram ran; no secret in it. */
function expectAccepted(r: Outcome, rec: StandInRecord, prompts: string, secret: string) {
  expect(r.child).toEqual({ exit: 0 });
  expect(r.client).toBe(prompts + OK);
  expect(rec.ran).toBe(true);
  expect(rec.raw.includes(Buffer.from(secret))).toBe(false);
  expect(r.log).toBe('');
}

/** Refused: the patch's 535 after the prompts, exit `status`, the subprogram never ran. */
function expectRefused(patch: SmtpdPatch, r: Outcome, rec: StandInRecord, prompts: string, status: number) {
  expect(r.child).toEqual({ exit: status });
  expect(r.reply).toBe(`${patch.refused}\r\n`);
  expect(r.client).toBe(prompts + `${patch.refused}\r\n`);
  expect(rec.ran).toBe(false);
  expect(r.log).toBe('');
}

/** LOGIN/PLAIN on fd 3: `user\0pass\0\0`, or `user\0pass\0` for a patch without the third field. */
function plainBytes(patch: SmtpdPatch, user: string, pass: string): string {
  return `${user}\0${pass}\0${patch.thirdField ? '\0' : ''}`;
}

const PATCHES = [DABROWSKI, HOFFMANN, HOFFMANN_NO_CRAM, SAGREDO, SAGREDO_NO_CRAM];
const CRAM_PATCHES = PATCHES.filter((p) => p.cram !== null);

describe.each(PATCHES)('$name', (patch: SmtpdPatch) => {
  const plainPrompt = `${patch.plainPrompt}\r\n`;

  describe('checkpassword-passwd (run as qmaild, a passwd-format file with inline hashes)', () => {
    it('LOGIN: the right password gets 235 and runs the subprogram, a wrong one the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdLogin(patch, backends.passwd(patch, record), ALICE.name, ALICE.password));
      expect(ok.fd3.toString('latin1')).toBe(plainBytes(patch, 'alice', ALICE.password));
      const rec = readRecord(record);
      expectAccepted(ok, rec, LOGIN_PROMPTS, ALICE.password);
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe(String(QMAILD.uid));
      if (patch.setsAuthMethod) expect(rec.env.get('SMTPAUTHMETHOD')).toBe('login');

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdLogin(patch, backends.passwd(patch, badRecord), ALICE.name, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), LOGIN_PROMPTS, 1);
    });

    it('PLAIN: the right password gets 235 (authzid ignored), a wrong one the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdPlain(patch, backends.passwd(patch, record), ALICE.name, ALICE.password, 'someone-else'));
      expect(ok.fd3.toString('latin1')).toBe(plainBytes(patch, 'alice', ALICE.password));
      const rec = readRecord(record);
      expectAccepted(ok, rec, plainPrompt, ALICE.password);
      if (patch.setsAuthMethod) expect(rec.env.get('SMTPAUTHMETHOD')).toBe('plain');

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdPlain(patch, backends.passwd(patch, badRecord), ALICE.name, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), plainPrompt, 1);
    });

    if (patch.cram !== null) {
      it('CRAM-MD5 is refused, even with the right digest: the patch\'s 535', async () => {
        const record = newRecordFile();
        const r = outcome(await smtpdCram(patch, backends.passwd(patch, record), (ch) => `alice ${cramDigest(ch, ALICE.password)}`));
        expectRefused(patch, r, readRecord(record), `334 ${Buffer.from(r.stamp).toString('base64')}\r\n`, 1);
      });
    }

    it('a store qmaild cannot read is exit 111, which the patch answers with 535 like a wrong password', async () => {
      const record = newRecordFile();
      const r = outcome(await smtpdLogin(patch, backends.passwd(patch, record, { CHECKPASSWORD_PASSWD: stores.unreadablePasswd }), ALICE.name, ALICE.password));
      expectRefused(patch, r, readRecord(record), LOGIN_PROMPTS, 111);
    });
  });

  describe('checkpassword-vpopmail (run as vpopmail, --service smtp)', () => {
    it('LOGIN: the right password gets 235, a wrong one the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdLogin(patch, backends.vpopmail(patch, record), CLEAR.login, CLEAR.password));
      expect(ok.fd3.toString('latin1')).toBe(plainBytes(patch, CLEAR.login, CLEAR.password));
      const rec = readRecord(record);
      expectAccepted(ok, rec, LOGIN_PROMPTS, CLEAR.password);
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe(String(VPOPMAIL.uid));

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdLogin(patch, backends.vpopmail(patch, badRecord), CLEAR.login, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), LOGIN_PROMPTS, 1);
    });

    it('PLAIN: the right password gets 235, a wrong one the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdPlain(patch, backends.vpopmail(patch, record), HASH_ONLY.login, HASH_ONLY.password));
      expectAccepted(ok, readRecord(record), plainPrompt, HASH_ONLY.password);

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdPlain(patch, backends.vpopmail(patch, badRecord), HASH_ONLY.login, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), plainPrompt, 1);
    });

    if (patch.cram !== null) {
      it(`CRAM-MD5 in this patch's field order: the HMAC of the clear-text password gets 235, a wrong one 535`, async () => {
        const record = newRecordFile();
        const ok = outcome(await smtpdCram(patch, backends.vpopmail(patch, record), (ch) => `${CLEAR.login} ${cramDigest(ch, CLEAR.password)}`));
        const digest = cramDigest(ok.stamp, CLEAR.password);
        const fields = patch.cram?.order === 'challenge-digest' ? [ok.stamp, digest] : [digest, ok.stamp];
        expect(ok.fd3.toString('latin1')).toBe(`${CLEAR.login}\0${fields[0]}\0${fields[1]}\0`);
        const prompt = `334 ${Buffer.from(ok.stamp).toString('base64')}\r\n`;
        const rec = readRecord(record);
        expectAccepted(ok, rec, prompt, CLEAR.password);
        if (patch.setsAuthMethod) expect(rec.env.get('SMTPAUTHMETHOD')).toBe('cram-md5');
  
        const badRecord = newRecordFile();
        const bad = outcome(await smtpdCram(patch, backends.vpopmail(patch, badRecord), (ch) => `${CLEAR.login} ${cramDigest(ch, 'wrong-secret')}`));
        expectRefused(patch, bad, readRecord(badRecord), `334 ${Buffer.from(bad.stamp).toString('base64')}\r\n`, 1);
      });
    }

    it.runIf(IS_ROOT)('run as qmaild instead of vpopmail, vpasswd.cdb cannot be read: exit 111, answered with 535', async () => {
      const record = newRecordFile();
      const r = outcome(await smtpdLogin(patch, backends.vpopmail(patch, record, {}, QMAILD), CLEAR.login, CLEAR.password));
      expectRefused(patch, r, readRecord(record), LOGIN_PROMPTS, 111);
    });
  });

  describe('checkpassword-radius (run as qmaild, against FreeRADIUS)', () => {
    it('LOGIN: an Access-Accept gets 235, an Access-Reject the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdLogin(patch, backends.radius(patch, record), RADIUS_USER.login, RADIUS_USER.password));
      expect(ok.fd3.toString('latin1')).toBe(plainBytes(patch, RADIUS_USER.login, RADIUS_USER.password));
      const rec = readRecord(record);
      expectAccepted(ok, rec, LOGIN_PROMPTS, RADIUS_USER.password);
      if (IS_ROOT) expect(rec.facts.get('uid')).toBe(String(QMAILD.uid));

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdLogin(patch, backends.radius(patch, badRecord), RADIUS_USER.login, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), LOGIN_PROMPTS, 1);
    });

    it('PLAIN: an Access-Accept gets 235, an Access-Reject the patch\'s 535', async () => {
      const record = newRecordFile();
      const ok = outcome(await smtpdPlain(patch, backends.radius(patch, record), RADIUS_USER.login, RADIUS_USER.password));
      expectAccepted(ok, readRecord(record), plainPrompt, RADIUS_USER.password);

      const badRecord = newRecordFile();
      const bad = outcome(await smtpdPlain(patch, backends.radius(patch, badRecord), RADIUS_USER.login, 'wrong-secret'));
      expectRefused(patch, bad, readRecord(badRecord), plainPrompt, 1);
    });

    if (patch.cram !== null) {
      it('CRAM-MD5 is refused (the digest would go to the server as the password): 535', async () => {
        const record = newRecordFile();
        const r = outcome(await smtpdCram(patch, backends.radius(patch, record), (ch) => `${RADIUS_USER.login} ${cramDigest(ch, RADIUS_USER.password)}`));
        expectRefused(patch, r, readRecord(record), `334 ${Buffer.from(r.stamp).toString('base64')}\r\n`, 1);
      });
    }

    it('a RADIUS server that never answers is exit 111, answered with 535 like a wrong password', async () => {
      const silent = await silentServer();
      try {
        const record = newRecordFile();
        const conf = radiusConf(stores.dir, [`127.0.0.1:${silent.port} secret 0.2 1`], QMAILD.uid);
        const r = outcome(await smtpdLogin(patch, backends.radius(patch, record, { RADIUS_CONF: conf }), RADIUS_USER.login, RADIUS_USER.password));
        expectRefused(patch, r, readRecord(record), LOGIN_PROMPTS, 111);
      } finally {
        silent.close();
      }
    });
  });

  it('a subprogram killed by a signal: 454, not 235 or 535', async () => {
    const record = newRecordFile();
    const r = outcome(await smtpdLogin(patch, backends.passwd(patch, record, { STAND_IN_SIGNAL: 'KILL' }), ALICE.name, ALICE.password));
    expect(r.child).toEqual({ signal: 9 });
    expect(r.client).toBe(LOGIN_PROMPTS + CRASHED);
  });
});

describe('the argument-order trap (docs/qmail.md, "Which patch, which command line")', () => {
  it('a Hoffmann-style line under a Dabrowski qmail-smtpd makes /bin/true the checkprogram: a wrong password gets 235', async () => {
    const run: CallerRun = { argv: [bin('checkpassword-passwd'), '/bin/true'], env: { CHECKPASSWORD_PASSWD: stores.smtpPasswd, CHECKPASSWORD_SHADOW: 'none' }, ...as(QMAILD) };
    const underHoffmann = outcome(await smtpdLogin(HOFFMANN, run, ALICE.name, 'wrong-secret'));
    expect(underHoffmann.reply).toBe('535 authentication failed (#5.7.1)\r\n');
    const underDabrowski = outcome(await smtpdLogin(DABROWSKI, run, ALICE.name, 'wrong-secret'));
    expect(underDabrowski.reply).toBe(OK);
    // The path of checkpassword-passwd became the host name of the CRAM-MD5 challenge.
    const cram = outcome(await smtpdCram(DABROWSKI, run, () => 'nobody 0123456789abcdef0123456789abcdef'));
    expect(cram.stamp).toMatch(new RegExp(`@${bin('checkpassword-passwd').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}>$`));
    expect(cram.reply).toBe(OK);
  });

  it('with `--` after the program\'s path the same mix-up fails closed: the checkprogram is "--", every AUTH gets 535', async () => {
    const run: CallerRun = { argv: [bin('checkpassword-passwd'), '--', '/bin/true'], env: { CHECKPASSWORD_PASSWD: stores.smtpPasswd, CHECKPASSWORD_SHADOW: 'none' }, ...as(QMAILD) };
    const underHoffmann = outcome(await smtpdLogin(HOFFMANN, run, ALICE.name, ALICE.password));
    expect(underHoffmann.reply).toBe(OK);
    const underDabrowski = outcome(await smtpdLogin(DABROWSKI, run, ALICE.name, ALICE.password));
    expect(underDabrowski.child).toEqual({ exit: 1 });
    expect(underDabrowski.reply).toBe('535 authorization failed (#5.7.0)\r\n');
  });

  it('checkpassword-vpopmail\'s `--service smtp` does the same: under the wrong patch the checkprogram is "--service", 535', async () => {
    const record = newRecordFile();
    const run = backends.vpopmail(HOFFMANN, record);
    const r = outcome(await smtpdLogin(DABROWSKI, run, CLEAR.login, CLEAR.password));
    expect(r.reply).toBe('535 authorization failed (#5.7.0)\r\n');
    expect(readRecord(record).ran).toBe(false);
  });

  it('a Dabrowski-style line under a Hoffmann or sagredo qmail-smtpd makes the host name the checkprogram: 535 even for the right password', async () => {
    const run: CallerRun = {
      argv: ['mail.example.org', bin('checkpassword-passwd'), '/bin/true'],
      env: { CHECKPASSWORD_PASSWD: stores.smtpPasswd, CHECKPASSWORD_SHADOW: 'none' },
      ...as(QMAILD),
    };
    for (const patch of [HOFFMANN, SAGREDO]) {
      const r = outcome(await smtpdLogin(patch, run, ALICE.name, ALICE.password));
      expect(r.child).toEqual({ exit: 1 });
      expect(r.reply).toBe('535 authentication failed (#5.7.1)\r\n');
    }
  });

  it('no checkprogram on the command line: 503 auth not available, nothing is run', async () => {
    for (const patch of [DABROWSKI, HOFFMANN]) {
      const r = await smtpdLogin(patch, { argv: patch.hostnameFirst ? ['mail.example.org'] : [] }, ALICE.name, ALICE.password);
      expect(attempted(r)).toBe(false);
      expect(r.reply).toBe('503 auth not available (#5.3.3)\r\n');
    }
  });
});

describe('the setups of the articles the project grew from (shared/seeds)', () => {
  it('"qmail SMTP Authentication Using RADIUS": `qmail-smtpd your.mail.domain radcheckpassword /bin/true` as qmaild, old radius.conf', async () => {
    const conf = radiusConf(stores.dir, ['#example radius.conf file', `127.0.0.1:${radius.port}\t${radius.secret}`], QMAILD.uid);
    const run: CallerRun = { argv: ['your.mail.domain', bin('radcheckpassword'), '/bin/true'], env: { RADIUS_CONF: conf }, ...as(QMAILD) };
    const ok = outcome(await smtpdLogin(DABROWSKI, run, 'loginonly', 'loginpass'));
    expect(ok.client).toBe(LOGIN_PROMPTS + OK);
    const bad = outcome(await smtpdLogin(DABROWSKI, run, 'loginonly', 'wrong-secret'));
    expect(bad.client).toBe(LOGIN_PROMPTS + '535 authorization failed (#5.7.0)\r\n');
  });

  it('"Installing SMTP AUTH with qmail" (Shupp\'s netqmail composite, Hoffmann family): checkpassword-passwd in /bin/checkpassword\'s place, no setuid', async () => {
    const run: CallerRun = {
      argv: [bin('checkpassword-passwd'), '/bin/true'],
      env: { CHECKPASSWORD_PASSWD: stores.smtpPasswd, CHECKPASSWORD_SHADOW: 'none' },
      ...as(QMAILD),
    };
    expect(outcome(await smtpdLogin(HOFFMANN, run, ALICE.name, ALICE.password)).client).toBe(LOGIN_PROMPTS + OK);
    expect(outcome(await smtpdPlain(HOFFMANN, run, ALICE.name, 'wrong-secret')).client).toBe('334 \r\n535 authentication failed (#5.7.1)\r\n');
  });

  it('the same article\'s next step, vpopmail: checkpassword-vpopmail in vchkpw\'s place, qmail-smtpd run as vpopmail', async () => {
    const run: CallerRun = {
      argv: [bin('checkpassword-vpopmail'), '/bin/true'],
      env: { VPOPMAIL_HOME: stores.vpopmailHome, QMAILDIR: stores.qmailDir },
      ...as(VPOPMAIL),
    };
    expect(outcome(await smtpdLogin(HOFFMANN, run, CLEAR.login, CLEAR.password)).client).toBe(LOGIN_PROMPTS + OK);
    expect(outcome(await smtpdLogin(HOFFMANN, run, CLEAR.login, 'wrong-secret')).client).toBe(LOGIN_PROMPTS + '535 authentication failed (#5.7.1)\r\n');
  });
});

describe('where a log line goes (--log stderr)', () => {
  it('under the Dabrowski patch the log line reaches the SMTP client (fd 2 is the connection)', async () => {
    const r = outcome(await smtpdLogin(DABROWSKI, backends.passwd(DABROWSKI, newRecordFile(), { CHECKPASSWORD_LOG: 'stderr' }), ALICE.name, 'wrong-secret'));
    expect(r.client).toMatch(/^334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\ncheckpassword-passwd\[\d+\]: reject reason=bad-password login="alice" .*\n535 authorization failed \(#5\.7\.0\)\r\n$/);
  });

  it.each(CRAM_PATCHES.filter((p) => p.stderr === 'keep'))('under $name it goes to the log, never to the client', async (patch) => {
    const r = outcome(await smtpdLogin(patch, backends.passwd(patch, newRecordFile(), { CHECKPASSWORD_LOG: 'stderr' }), ALICE.name, 'wrong-secret'));
    expect(r.client).toBe(LOGIN_PROMPTS + `${patch.refused}\r\n`);
    expect(r.log).toMatch(/^checkpassword-passwd\[\d+\]: reject reason=bad-password login="alice" /);
    expect(r.log).not.toContain('wrong-secret');
  });
});
