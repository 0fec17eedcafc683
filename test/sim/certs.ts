import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl (EC keys: fast). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mcastctl-sim-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=mcastctl-sim-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
    openssl('req', '-new', '-key', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver-sim');
    writeFileSync(join(dir, 'ext.cnf'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt',
      '-days', '30', '-extfile', 'ext.cnf');
    return {
      caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      certPem: readFileSync(join(dir, 'server.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
