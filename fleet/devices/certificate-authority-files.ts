// Where the fleet CA and the TLS listener's certificate live. Given by configuration (paths to
// PEM files), or created on the first start under the data directory and reused after:
//   <dataDir>/mqtt-ca/ca.cert.pem, ca.key.pem      the CA (key readable by the owner only)
//   <dataDir>/mqtts/server.cert.pem, server.key.pem the listener's certificate, signed by the CA
// Several nodes sharing PostgreSQL do not share a data directory: give them the same CA files.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCaFiles, openCertificateAuthority, subjectAltNames, type CaFiles, type CertificateAuthority } from './certificate-authority.ts';

const SERVER_VALIDITY_DAYS = 397;
/** A generated server certificate is renewed at start when it has less than this left. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface CaLocation {
  dataDir: string;
  /** Both or neither: PEM files of an existing CA (e.g. shared by several nodes). */
  certFile?: string;
  keyFile?: string;
}

export async function loadOrCreateCertificateAuthority(location: CaLocation): Promise<CertificateAuthority> {
  if ((location.certFile === undefined) !== (location.keyFile === undefined)) throw new Error('give both the CA certificate and the CA key, or neither');
  if (location.certFile && location.keyFile) {
    return openCertificateAuthority({ certificatePem: readFileSync(location.certFile, 'utf8'), privateKeyPem: readFileSync(location.keyFile, 'utf8') });
  }
  const dir = join(location.dataDir, 'mqtt-ca');
  const files = readPair(join(dir, 'ca.cert.pem'), join(dir, 'ca.key.pem')) ?? (await createOnce(dir, location.dataDir));
  return openCertificateAuthority(files);
}

export interface ServerCertificateLocation {
  dataDir: string;
  /** Both or neither: the listener's own certificate and key (e.g. from a public CA). */
  certFile?: string;
  keyFile?: string;
  /** Names and addresses devices connect to; localhost and this host's name are always in. */
  hostnames?: string[];
}

/** The listener's certificate and key (PEM, as node:tls names them): given, or issued by `ca` for the host names and kept. */
export async function loadOrCreateServerCertificate(ca: CertificateAuthority, location: ServerCertificateLocation): Promise<{ cert: string; key: string }> {
  if ((location.certFile === undefined) !== (location.keyFile === undefined)) throw new Error('give both the TLS certificate and its key, or neither');
  if (location.certFile && location.keyFile) return { cert: readFileSync(location.certFile, 'utf8'), key: readFileSync(location.keyFile, 'utf8') };
  const names = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...(location.hostnames ?? [])])];
  const dir = join(location.dataDir, 'mqtts');
  const certFile = join(dir, 'server.cert.pem');
  const keyFile = join(dir, 'server.key.pem');
  const existing = readPair(certFile, keyFile);
  if (existing && stillFits(existing.certificatePem, ca, names)) return { cert: existing.certificatePem, key: existing.privateKeyPem };
  const issued = await ca.issueServerCertificate(names, SERVER_VALIDITY_DAYS);
  mkdirSync(dir, { recursive: true });
  // Key first, each through a rename: a crash never leaves a certificate without its key.
  writeAtomically(keyFile, issued.privateKeyPem, 0o600);
  writeAtomically(certFile, issued.certificatePem, 0o644);
  return { cert: issued.certificatePem, key: issued.privateKeyPem };
}

function readPair(certFile: string, keyFile: string): CaFiles | undefined {
  try {
    return { certificatePem: readFileSync(certFile, 'utf8'), privateKeyPem: readFileSync(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written in a private directory renamed into place, so two processes starting at once agree on one CA. */
async function createOnce(dir: string, dataDir: string): Promise<CaFiles> {
  const files = await createCaFiles();
  mkdirSync(dataDir, { recursive: true });
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { mode: 0o700 });
  writeFileSync(join(staging, 'ca.key.pem'), files.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(staging, 'ca.cert.pem'), files.certificatePem, { mode: 0o644 });
  try {
    renameSync(staging, dir);
    return files;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    return readPair(join(dir, 'ca.cert.pem'), join(dir, 'ca.key.pem')) ?? Promise.reject(new Error(`${dir} exists without a CA in it; remove it or configure the CA files`));
  }
}

function stillFits(certificatePem: string, ca: CertificateAuthority, names: string[]): boolean {
  try {
    const certificate = new X509Certificate(certificatePem);
    if (!certificate.verify(new X509Certificate(ca.certificatePem).publicKey)) return false;
    if (Date.parse(certificate.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    const altNames = subjectAltNames(certificatePem);
    return names.every((name) => altNames.includes(name.toLowerCase()));
  } catch {
    return false;
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, text, { mode });
  renameSync(staging, file);
}
