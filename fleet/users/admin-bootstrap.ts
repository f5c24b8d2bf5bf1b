// The first admin: created by `anc-fleet create-admin`, or on the first start of a server
// with no users at all, with a random password printed once.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/password.ts';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/constraint-violation.ts';
import { countUsers, insertUser } from './user-repository.ts';

export interface AdminCredentials {
  username: string;
  password: string;
}

export class UserExistsError extends Error {
  constructor(username: string) {
    super(`user ${JSON.stringify(username)} already exists`);
    this.name = 'UserExistsError';
  }
}

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

export async function createAdmin(db: Kysely<Database>, username: string, password = randomPassword()): Promise<AdminCredentials> {
  try {
    await insertUser(db, { username, passwordHash: await hashPassword(password), role: 'admin' });
  } catch (error) {
    if (isUniqueViolation(error)) throw new UserExistsError(username);
    throw error;
  }
  return { username, password };
}

/**
 * Creates `admin` when there are no users. Returns the credentials when it did, undefined
 * otherwise (including when another node starting at the same time won the race).
 */
export async function ensureFirstAdmin(db: Kysely<Database>): Promise<AdminCredentials | undefined> {
  if ((await countUsers(db)) > 0) return undefined;
  try {
    return await createAdmin(db, 'admin');
  } catch (error) {
    if (error instanceof UserExistsError) return undefined;
    throw error;
  }
}
