// The fleet's certificate authority: it signs device client certificates (from a CSR, or from a
// key pair generated here and handed out once) and the TLS listener's server certificate, and
// its certificate is what the MQTT over TLS port trusts. Crypto only, through WebCrypto and
// @peculiar/x509; where the PEM files live is certificate-authority-files.ts.
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs it loaded first
import { createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Backdated so a device whose clock is a little behind still accepts a fresh certificate. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface CaFiles {
  certificatePem: string;
  privateKeyPem: string;
}

export interface IssuedCertificate {
  certificatePem: string;
  /** Hex, as in the certificate. */
  serial: string;
  /** Lowercase hex SHA-256 of the DER encoding: how the TLS listener finds it. */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateAuthority {
  /** PEM of the CA certificate: the trust anchor for devices (server) and the listener (clients). */
  certificatePem: string;
  issueClientCertificate(deviceId: string, publicKey: x509.PublicKey | CryptoKey, validityDays: number): Promise<IssuedCertificate>;
  issueServerCertificate(hostnames: string[], validityDays: number): Promise<IssuedCertificate & { privateKeyPem: string }>;
}

export type CsrCheck = { ok: true; publicKey: x509.PublicKey } | { ok: false; reason: string };

export function certificateFingerprint(der: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

/** The DNS names and IP addresses a certificate is valid for, lowercased. */
export function subjectAltNames(certificatePem: string): string[] {
  const extension = new x509.X509Certificate(certificatePem).getExtension(x509.SubjectAlternativeNameExtension);
  return (extension?.names.items ?? []).filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value.toLowerCase());
}

/** A new self-signed ECDSA P-256 CA, valid for 20 years. */
export async function createCaFiles(name = 'ANC fleet CA', now = new Date()): Promise<CaFiles> {
  const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [name] }],
    keys,
    serialNumber: newSerial(),
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY_MS),
    signingAlgorithm: P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPem: await privateKeyPem(keys.privateKey) };
}

/** Opens a CA from its PEM files (ECDSA P-256 or P-384, or RSA); throws with a reason if they do not fit. */
export async function openCertificateAuthority(files: CaFiles): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(files.certificatePem);
  const basic = caCert.getExtension(x509.BasicConstraintsExtension);
  if (!basic?.ca) throw new Error('the CA certificate is not a CA (basicConstraints cA is not set)');
  const { signingKey, signingAlgorithm } = await importSigningKey(files.privateKeyPem, Buffer.from(caCert.publicKey.rawData));
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(caCert, false);

  async function issue(subject: string, publicKey: x509.PublicKey | CryptoKey, validityDays: number, extensions: x509.Extension[]): Promise<IssuedCertificate> {
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: newSerial(),
      subject: [{ CN: [subject] }],
      issuer: caCert.subjectName,
      notBefore: new Date(now - CLOCK_SKEW_MS),
      notAfter: new Date(now + validityDays * DAY_MS),
      publicKey,
      signingKey,
      signingAlgorithm,
      extensions: [authorityKeyId, await x509.SubjectKeyIdentifierExtension.create(publicKey), ...extensions],
    });
    return {
      certificatePem: certificate.toString('pem'),
      serial: certificate.serialNumber,
      fingerprint: certificateFingerprint(certificate.rawData),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    };
  }

  return {
    certificatePem: caCert.toString('pem'),
    issueClientCertificate(deviceId, publicKey, validityDays) {
      return issue(deviceId, publicKey, validityDays, [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ]);
    },
    async issueServerCertificate(hostnames, validityDays) {
      const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
      const names = hostnames.map((value) => ({ type: /^[\d.]+$|:/.test(value) ? ('ip' as const) : ('dns' as const), value }));
      const issued = await issue(hostnames[0] ?? 'localhost', keys.publicKey, validityDays, [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
      ]);
      return { ...issued, privateKeyPem: await privateKeyPem(keys.privateKey) };
    },
  };
}

/**
 * Checks a PKCS#10 request (PEM) for `deviceId`: it must parse, its self-signature must verify
 * (the requester holds the private key), its key must be one TLS stacks on devices handle well
 * (ECDSA P-256/P-384, or RSA of 2048 bits or more), and a CN, if it has one, must be the device.
 */
export async function checkCsr(pem: string, deviceId: string): Promise<CsrCheck> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch (error) {
    return { ok: false, reason: `not a PKCS#10 certificate request in PEM: ${(error as Error).message}` };
  }
  const algorithm = csr.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (algorithm.name === 'ECDSA' || algorithm.name === 'ECDH') {
    if (algorithm.namedCurve !== 'P-256' && algorithm.namedCurve !== 'P-384') return { ok: false, reason: `EC curve ${algorithm.namedCurve ?? 'unknown'} is not accepted (use P-256 or P-384)` };
  } else if (algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'RSA-PSS') {
    if ((algorithm.modulusLength ?? 0) < 2048) return { ok: false, reason: `RSA key of ${algorithm.modulusLength} bits is too short (2048 or more)` };
  } else {
    return { ok: false, reason: `key algorithm ${algorithm.name} is not accepted (ECDSA P-256/P-384 or RSA)` };
  }
  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) return { ok: false, reason: 'the request signature does not verify (it was not signed with the key it carries)' };
  const commonNames = csr.subjectName.getField('CN');
  if (commonNames.some((cn) => cn !== deviceId)) return { ok: false, reason: `the request names CN=${commonNames.join(',')}, not this device (${deviceId})` };
  return { ok: true, publicKey: csr.publicKey };
}

/** A fresh ECDSA P-256 key pair for a device that cannot make its own; the private key is returned once. */
export async function generateDeviceKey(): Promise<{ publicKey: CryptoKey; privateKeyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { publicKey: keys.publicKey, privateKeyPem: await privateKeyPem(keys.privateKey) };
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Positive, 128 random bits, never a leading zero byte (RFC 5280: at most 20 octets, positive). */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/**
 * Any PEM private key node reads (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1) as a WebCrypto signing
 * key. It must be the key of the certificate (`spki`), or every issued certificate fails to verify.
 */
async function importSigningKey(pem: string, spki: Buffer): Promise<{ signingKey: CryptoKey; signingAlgorithm: EcdsaParams | RsaHashedImportParams }> {
  const keyObject = createPrivateKey(pem);
  if (!createPublicKey(keyObject).export({ format: 'der', type: 'spki' }).equals(spki)) throw new Error('the CA private key does not belong to the CA certificate');
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384' }[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`CA key curve ${keyObject.asymmetricKeyDetails?.namedCurve} is not supported (P-256 or P-384)`);
    const hash = curve === 'P-384' ? 'SHA-384' : 'SHA-256';
    const signingKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    return { signingKey, signingAlgorithm: { name: 'ECDSA', hash } };
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { signingKey: await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']), signingAlgorithm: algorithm };
  }
  throw new Error(`CA key type ${keyObject.asymmetricKeyType} is not supported (EC or RSA)`);
}
