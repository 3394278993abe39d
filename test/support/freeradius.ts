// A real FreeRADIUS 3.2 for the tests: a private config directory, loopback only, random ports,
// started as a child of the test process and stopped by its PID. The config is written from
// scratch (nothing under /etc/freeradius is used): one port whose replies always carry
// Message-Authenticator (as FreeRADIUS 3.2.5+ and BlastRADIUS-fixed servers do), one "legacy"
// port whose replies never do (Debian 12's 3.2.1 as shipped), and the first port on ::1 too.

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FREERADIUS = '/usr/sbin/freeradius';

export interface FreeRadius {
  dir: string;
  /** Replies carry Message-Authenticator; on 127.0.0.1 and ::1. */
  port: number;
  /** Replies carry no Message-Authenticator; 127.0.0.1 only. */
  legacyPort: number;
  secret: string;
  pid: number;
  /** The server's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** The users of every test server (rlm_files): one per rule the tests check. */
export const USERS = String.raw`
anyuser		Cleartext-Password := "anypass"
		Reply-Message := "hello anyuser"

loginonly	Cleartext-Password := "loginpass", Service-Type == Login-User
		Reply-Message := "login ok"

framedonly	Cleartext-Password := "framedpass", Service-Type == Framed-User
		Reply-Message := "framed ok"

rejectme	Auth-Type := Reject
		Reply-Message := "go away"

challengeme	Cleartext-Password := "challpass", Response-Packet-Type := Access-Challenge
		Reply-Message := "enter token", State := 0x01

len16		Cleartext-Password := "0123456789abcdef"
len17		Cleartext-Password := "0123456789abcdefX"
len128		Cleartext-Password := "${'p'.repeat(128)}"
utf8user	Cleartext-Password := "pässwörd€"
"unicodé@exämple.org"	Cleartext-Password := "ünïcode"
"user@example.org"	Cleartext-Password := "domainpass"
`;

function radiusdConf(): string {
  const replyMa = `update reply {
				Message-Authenticator := 0x00
			}`;
  return `# Private FreeRADIUS config for checkpassword-radius tests (test/support/freeradius.ts).
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
raddbdir = $ENV{RADTEST_DIR}
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
logdir = \${confdir}/log
radacctdir = \${logdir}/radacct
run_dir = \${confdir}/run
db_dir = \${confdir}
libdir = /usr/lib/freeradius
name = freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = files
	file = \${logdir}/radius.log
	colourise = no
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}
proxy_requests = no
client localhost {
	ipaddr = 127.0.0.1
	proto = udp
	secret = $ENV{RADTEST_SECRET}
	require_message_authenticator = yes
	nas_type = other
}
client localhost6 {
	ipv6addr = ::1
	proto = udp
	secret = $ENV{RADTEST_SECRET}
	require_message_authenticator = yes
	nas_type = other
}
thread pool {
	start_servers = 1
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
	auto_limit_acct = no
}
modules {
	pap {
		normalise = yes
	}
	files {
		filename = \${confdir}/users
	}
	always ok {
		rcode = ok
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $ENV{RADTEST_PORT}
	}
	listen {
		type = auth
		ipv6addr = ::1
		port = $ENV{RADTEST_PORT}
	}
	authorize {
		files
		pap
		Autz-Type Status-Server {
			${replyMa}
			ok
		}
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	post-auth {
		${replyMa}
		Post-Auth-Type REJECT {
			${replyMa}
		}
		Post-Auth-Type Challenge {
			${replyMa}
		}
	}
}
server legacy {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $ENV{RADTEST_LEGACY_PORT}
	}
	authorize {
		files
		pap
		Autz-Type Status-Server {
			ok
		}
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
}
`;
}

/** A UDP port that was free on both 127.0.0.1 and ::1 a moment ago. */
export async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const s4 = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      s4.once('error', reject);
      s4.bind({ address: '127.0.0.1', port: 0 }, () => resolve(s4.address().port));
    });
    const s6 = createSocket({ type: 'udp6', ipv6Only: true });
    const ok = await new Promise<boolean>((resolve) => {
      s6.once('error', () => resolve(false));
      s6.bind({ address: '::1', port }, () => resolve(true));
    });
    s4.close();
    if (ok) s6.close();
    if (ok) return port;
  }
  throw new Error('no free UDP port on 127.0.0.1 and ::1');
}

/** Starts a FreeRADIUS with USERS; resolves once it says it is ready (at most 10 s). */
export async function startFreeRadius(secret = 'testing123-shared-secret'): Promise<FreeRadius> {
  const dir = mkdtempSync(join(tmpdir(), 'cpw-freeradius-'));
  chmodSync(dir, 0o700);
  for (const sub of ['log', 'run']) mkdirSync(join(dir, sub), { mode: 0o700 });
  writeFileSync(join(dir, 'radiusd.conf'), radiusdConf(), { mode: 0o644 });
  writeFileSync(join(dir, 'users'), USERS, { mode: 0o644 });
  const port = await freeUdpPort();
  let legacyPort = await freeUdpPort();
  while (legacyPort === port) legacyPort = await freeUdpPort();
  const env = { PATH: '/usr/sbin:/usr/bin:/bin', RADTEST_DIR: dir, RADTEST_PORT: String(port), RADTEST_LEGACY_PORT: String(legacyPort), RADTEST_SECRET: secret };
  const child: ChildProcess = spawn(FREERADIUS, ['-f', '-l', 'stdout', '-d', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail('not ready after 10 s'), 10_000);
    const poll = setInterval(() => {
      if (output.includes('Ready to process requests')) done();
    }, 10);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.once('error', (e) => fail(e.message));
    function done() {
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    }
    function fail(why: string) {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`freeradius ${why}:\n${output}`));
    }
  });
  return {
    dir,
    port,
    legacyPort,
    secret,
    pid: child.pid!,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
