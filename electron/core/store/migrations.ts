/**
 * Versioned schema migrations, tracked with SQLite's `user_version`. Append new steps; never edit a
 * released one, because a user's database has already run it.
 */
import type Database from 'better-sqlite3';

type Migration = (db: Database.Database) => void;

export const MIGRATIONS: Migration[] = [
  // 1: the first schema.
  (db) => {
    db.exec(`
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        model       TEXT NOT NULL,
        dataset     TEXT NOT NULL,
        objective   TEXT NOT NULL,
        method      TEXT NOT NULL,
        config      TEXT NOT NULL,
        plan        TEXT NOT NULL,
        output_dir  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        started_at  TEXT,
        ended_at    TEXT,
        step        INTEGER NOT NULL DEFAULT 0,
        max_steps   INTEGER,
        final_loss  REAL,
        error       TEXT,
        -- The process that drives the run: start-up recovery leaves runs of a live process alone.
        owner_pid   INTEGER
      );
      CREATE INDEX runs_created ON runs(created_at);

      -- Every logged value, one row per (run, name, step); a resumed run overwrites re-run steps.
      CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        step   INTEGER NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      ) WITHOUT ROWID;

      -- The replay log: what the bus carried, numbered per run.
      CREATE TABLE events (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq    INTEGER NOT NULL,
        ts     TEXT NOT NULL,
        kind   TEXT NOT NULL,
        json   TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE logs (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        ts      TEXT NOT NULL,
        level   TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX logs_run ON logs(run_id, id);

      CREATE TABLE checkpoints (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step       INTEGER NOT NULL,
        path       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      );

      CREATE TABLE artifacts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        path       TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX artifacts_run ON artifacts(run_id);

      CREATE TABLE exports (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        quantize   TEXT NOT NULL,
        digest     TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX exports_run ON exports(run_id);
    `);
  },
  // 2: base-vs-tuned evaluation reports (electron/core/eval), newest last per run.
  (db) => {
    db.exec(`
      CREATE TABLE eval_reports (
        id          TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        status      TEXT NOT NULL,
        trigger     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        ended_at    TEXT,
        data_path   TEXT,
        data_source TEXT,
        -- The report as the sidecar produced it (JSON), plus what the app added (power, the Ollama leg).
        report      TEXT,
        error       TEXT,
        -- The process running the evaluation: start-up marks a dead owner's 'running' rows failed.
        owner_pid   INTEGER
      );
      CREATE INDEX eval_reports_run ON eval_reports(run_id, created_at);
    `);
  },
  // 3: planned and measured memory per run (issue #16): the memory check's readings and verdict, the
  // training peak, as JSON (shared/types/memory.ts RunMemory).
  (db) => {
    db.exec('ALTER TABLE runs ADD COLUMN memory TEXT');
  },
];

/** Brings the database to the newest version, each step in its own transaction. */
export function migrate(db: Database.Database): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`hone.db has schema version ${version}, newer than this Hone (${MIGRATIONS.length}).`);
  }
  while (version < MIGRATIONS.length) {
    const step = MIGRATIONS[version];
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
    version++;
  }
  return version;
}
