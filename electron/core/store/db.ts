import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HoneError } from '../../shared/errors';
import { migrate } from './migrations';
import { makePrivate } from '../private';

/** Opens (creating if needed) <dataDir>/hone.db in WAL mode and migrates it. */
export function openDatabase(dataDir: string): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'hone.db');
  // SQLite creates -wal and -shm with the database file's mode, so that one must be private first.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) makePrivate(f);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new HoneError('INTERNAL', `Could not open the run database ${file}: ${String(err)}`, 'Check that the data folder is writable.');
  }
  // WAL: readers (the CLI, a second window) never block the training writer, and a killed process
  // loses at most the last uncommitted batch, never the file.
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}
