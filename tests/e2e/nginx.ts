// A real nginx in front of the sandbox, configured from docs/deployment.md.
//
// The reference configuration is read from the doc's first ```nginx block after the heading
// "Reference nginx configuration", and only its addresses, ports, paths and certificate
// files are replaced (each replacement must find its text, so a doc change that the test
// no longer matches fails loudly instead of testing something else). Around it the fixture
// adds what a server's nginx.conf and secrets file would hold, plus one `server` that
// stands in for Clover's https file host: TLS in front of the sandbox's second file origin,
// so that export file URLs are real https URLs, as the documented allow-list requires.
//
// nginx runs as an ordinary child process (`-p <tmpdir> -c <conf>`, pid, logs and temp
// files in a temporary folder, `daemon off`) on free loopback ports, with a throwaway
// self-signed certificate made by openssl. Reusable by any spec:
//
//   const nginx = await startNginx({ sandbox: BASE_URL, filesOrigin });
//   ... page.goto(`${nginx.baseUrl}/examples/portal.html`) ...
//   await nginx.stop();
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const MODULES = '/usr/lib/nginx/modules';

export type NginxOptions = {
  /** The sandbox's main origin, e.g. `http://127.0.0.1:8802`: the APIs' upstream. */
  sandbox: string;
  /** The sandbox's second origin for export files (`GET /__sandbox/files` → `files_origin`). */
  filesOrigin: string;
  /** The built app (default `dist/`, or DIST_DIR). */
  dist?: string;
};

export type Nginx = {
  /** The documented server: `https://127.0.0.1:PORT` (self-signed; use ignoreHTTPSErrors). */
  baseUrl: string;
  /** The https stand-in for Clover's file host; point the sandbox's file URLs here. */
  filesBase: string;
  /** The configuration nginx runs, for failure messages. */
  config: string;
  /** Stops nginx and removes its folder. */
  stop(): Promise<void>;
};

/** The doc's reference configuration, verbatim. */
export function documentedConfig(): string {
  const doc = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
  const section = doc.indexOf('## Reference nginx configuration');
  if (section < 0) throw new Error('docs/deployment.md has no "Reference nginx configuration" section');
  const start = doc.indexOf('```nginx\n', section);
  const end = doc.indexOf('\n```', start + 9);
  if (start < 0 || end < 0) throw new Error('no ```nginx block in the reference section of docs/deployment.md');
  return doc.slice(start + 9, end + 1);
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`docs/deployment.md's nginx block no longer contains ${JSON.stringify(from)}: update tests/e2e/nginx.ts`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Free loopback ports from NGINX_PORTS (`8820-8829` by default). */
async function freePorts(count: number): Promise<number[]> {
  const [from, to] = (process.env.NGINX_PORTS ?? '8820-8829').split('-').map(Number);
  const found: number[] = [];
  for (let p = from; p <= (to || from) && found.length < count; p++) if (await portFree(p)) found.push(p);
  if (found.length < count) throw new Error(`no ${count} free ports in ${from}-${to} for nginx`);
  return found;
}

/** Resolves once something accepts TLS on the port. */
async function waitForTls(port: number, child: ChildProcess, log: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${readFileSync(log, 'utf8')}`);
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => { socket.end(); done(true); });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not accept TLS on ${port}:\n${readFileSync(log, 'utf8')}`);
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: scripts/install.sh installs Debian's nginx`);
  if (!existsSync(join(MODULES, 'ngx_http_set_misc_module.so'))) {
    throw new Error('nginx lacks set-misc: scripts/install.sh installs libnginx-mod-http-set-misc');
  }
  const dist = resolve(ROOT, options.dist ?? process.env.DIST_DIR ?? 'dist');
  const [consolePort, filesPort] = await freePorts(2);
  const dir = mkdtempSync(join(tmpdir(), 'mc-nginx-'));
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'temp', 'www']) mkdirSync(join(dir, sub));
  // Debian's module snippets say `load_module modules/…`: relative to the prefix.
  symlinkSync(MODULES, join(dir, 'modules'));
  // The web root: the built app, and the example pages beside it (a portal serves its own).
  const www = join(dir, 'www');
  for (const entry of readdirSync(dist)) symlinkSync(join(dist, entry), join(www, entry));
  symlinkSync(join(ROOT, 'examples'), join(www, 'examples'));

  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  // nginx checks an upstream's name as a DNS name, so the IP is a DNS entry too.
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);

  const sandbox = new URL(options.sandbox);
  const files = new URL(options.filesOrigin);
  let server = documentedConfig();
  server = replaceOnce(server, 'listen 443 ssl http2;', `listen 127.0.0.1:${consolePort} ssl http2;`);
  server = replaceOnce(server, '/etc/ssl/certs/console.example.com.pem', cert);
  server = replaceOnce(server, '/etc/ssl/private/console.example.com.key', key);
  server = replaceOnce(server, '/srv/merchant-console/dist', www);
  server = replaceOnce(server, 'proxy_pass https://api.clover.com/;', `proxy_pass ${sandbox.origin}/clover/sandbox/;`);
  server = replaceOnce(server, 'proxy_set_header Host api.clover.com;', `proxy_set_header Host ${sandbox.host};`);
  server = replaceOnce(server, 'proxy_pass https://api.laterpay.net/;', `proxy_pass ${sandbox.origin}/laterpay/eu/;`);
  server = replaceOnce(server, 'proxy_set_header Host api.laterpay.net;', `proxy_set_header Host ${sandbox.host};`);
  // The allow-list names the file host, which is ours here.
  server = replaceOnce(server, '([a-z0-9-]+\\.)*clover\\.com', escapeRegex(`127.0.0.1:${filesPort}`));
  server = replaceOnce(server, 'resolver 127.0.0.53', 'resolver 127.0.0.1');
  server = replaceOnce(server, '/etc/ssl/certs/ca-certificates.crt', cert);

  const basic = Buffer.from('demo-merchant:demo-api-key').toString('base64');
  const config = `# Made by tests/e2e/nginx.ts: Debian's module snippets, then the doc's block.
include /etc/nginx/modules-enabled/*.conf;
${process.getuid?.() === 0 ? '# Workers run as root so they can read a checkout under /root; loopback only, stopped after the tests.\nuser root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${dir}/logs/access.log;
    client_body_temp_path ${dir}/temp/body;
    proxy_temp_path ${dir}/temp/proxy;
    fastcgi_temp_path ${dir}/temp/fastcgi;
    uwsgi_temp_path ${dir}/temp/uwsgi;
    scgi_temp_path ${dir}/temp/scgi;

    # The secrets file of the doc, with the sandbox's demo credentials.
    map $host $clover_token   { default "sandbox-token-1"; }
    map $host $laterpay_basic { default "${basic}"; }

    # ---- docs/deployment.md, reference configuration ----
${server}
    # ---- end of the doc's block ----

    # Stand-in for Clover's file host: https in front of the sandbox's second origin.
    server {
        listen 127.0.0.1:${filesPort} ssl;
        ssl_certificate     ${cert};
        ssl_certificate_key ${key};
        location /clover/files/ { proxy_pass ${files.origin}; }
    }
}
`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config);
  const log = join(dir, 'logs/error.log');
  const args = ['-p', `${dir}/`, '-c', conf, '-e', log];
  const check = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}\n${config}`);
  const child = spawn(NGINX, args, { stdio: 'ignore' });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await waitForTls(consolePort, child, log);
  return {
    baseUrl: `https://127.0.0.1:${consolePort}`,
    filesBase: `https://127.0.0.1:${filesPort}`,
    config,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT'); // graceful: finish open requests
        const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killed);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
