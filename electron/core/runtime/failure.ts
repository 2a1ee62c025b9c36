/**
 * A failed install becomes one of three answers the user can act on. The tail of uv's output travels
 * with it, because "INSTALL_FAILED" alone never tells anyone what to do.
 */
import { HoneError, type ErrorCode } from '../../shared/errors';

export class InstallError extends HoneError {
  constructor(
    code: ErrorCode,
    message: string,
    hint: string,
    /** The last lines the failing command printed. */
    readonly tail: string,
  ) {
    super(code, message, hint);
  }
}

const NETWORK = [
  /error sending request/i,
  /tcp connect error/i,
  /dns error/i,
  /failed to lookup address/i,
  /Connection (refused|reset)/i,
  /operation timed out/i,
  /network (is )?unreachable/i,
  /network was disabled/i,
  /Could not connect/i,
  /certificate/i,
];
const DISK = [/No space left on device/i, /os error 28\b/, /disk quota exceeded/i, /not enough space on the disk/i, /os error 112\b/];
const PERMISSION = [/Permission denied/i, /os error 13\b/, /Read-only file system/i, /os error 30\b/, /Access is denied/i];

export function classifyFailure(tail: string, what: string, where: string): InstallError {
  if (DISK.some((r) => r.test(tail))) {
    return new InstallError('DISK_FULL', `${what} failed: the disk is full.`, `Free a few GB on the drive that holds ${where}, then press Install again: downloads made so far are kept.`, tail);
  }
  if (NETWORK.some((r) => r.test(tail))) {
    return new InstallError('NO_NETWORK', `${what} failed: PyPI could not be reached.`, 'Check the internet connection (or proxy settings: HTTPS_PROXY), then press Install again: it resumes where it stopped.', tail);
  }
  if (PERMISSION.some((r) => r.test(tail))) {
    return new InstallError('INSTALL_FAILED', `${what} failed: Hone may not write to ${where}.`, 'Make the folder writable, or choose another data folder in Settings, then try again.', tail);
  }
  return new InstallError('INSTALL_FAILED', `${what} failed.`, 'The lines below say which package failed. Try again; if it fails the same way, choose a Python of your own in Settings or report the output.', tail);
}
