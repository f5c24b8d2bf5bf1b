// Turns any failure into one line a person can act on and an exit code a script can test.
import { BundleError } from '../bundle/bundle-error.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import { DeviceError, LinkError } from '../client/device-error.ts';
import { TransportError } from '../transport/transport.ts';
import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly code: string;
  constructor(exitCode: ExitCodeValue, code: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file: check the path',
  EACCES: 'permission denied: check the file permissions',
  EPERM: 'operation not permitted: check the file permissions',
  EEXIST: 'already exists: remove it or pass --force',
  EISDIR: 'is a directory: pass a file',
  ENOTDIR: 'a parent is not a directory: check the path',
  ENOSPC: 'no space left on the device: free some space',
  EROFS: 'read-only file system: write somewhere else',
};

export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof BundleError) return new CliError(ExitCode.invalid, e.code, e.message);
  if (e instanceof ProtocolError) return new CliError(ExitCode.device, e.code, e.message);
  if (e instanceof DeviceError) {
    // The device refused the bundle for a reason the bundle carries: same exit code as on the host.
    const invalid = ['bad-signature', 'unknown-key', 'wrong-hardware', 'downgrade', 'hash-mismatch'].includes(e.code);
    return new CliError(invalid ? ExitCode.invalid : ExitCode.device, e.code, `the device refused: ${e.message}`);
  }
  if (e instanceof LinkError || e instanceof TransportError) return new CliError(ExitCode.device, e.code, e.message);
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && errno.code in FILE_ERRORS) {
    return new CliError(ExitCode.file, errno.code, `${errno.path ?? 'file'}: ${FILE_ERRORS[errno.code]}`);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new CliError(ExitCode.internal, 'internal', `internal error: ${message}; please report this with the command you ran`);
}
