/*
 * sqlite-demo: SQLite (Debian's libsqlite3, linked statically) on an
 * on-disk database: create a table, insert rows in a transaction, query,
 * close, reopen and query again, then update and delete in a second
 * transaction.  It exercises what a database needs of the file system:
 * creating and removing its journal, fsync, ftruncate, fcntl locks,
 * pread/pwrite.  Builds for the host too; the two outputs must be equal.
 *
 *   sqlite-demo DATABASE
 */
#include <sqlite3.h>
#include <stdio.h>

static int print_row(void *arg, int n, char **values, char **names)
{
	(void)arg;
	for (int i = 0; i < n; i++)
		printf("%s%s=%s", i ? " " : "", names[i], values[i] ? values[i] : "NULL");
	printf("\n");
	return 0;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	printf("> %s\n", sql);
	if (sqlite3_exec(db, sql, print_row, NULL, &msg) != SQLITE_OK) {
		printf("error: %s\n", msg);
		sqlite3_free(msg);
		return 1;
	}
	return 0;
}

static int open_db(const char *path, sqlite3 **db)
{
	if (sqlite3_open(path, db) != SQLITE_OK) {
		printf("cannot open %s: %s\n", path, sqlite3_errmsg(*db));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: sqlite-demo DATABASE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (open_db(argv[1], &db))
		return 1;
	err |= exec(db, "PRAGMA journal_mode");
	err |= exec(db, "CREATE TABLE pages (id INTEGER PRIMARY KEY, kind TEXT, frames INTEGER)");
	err |= exec(db, "BEGIN");
	for (int i = 1; i <= 200; i++) {
		char sql[128];
		char *msg = NULL;

		snprintf(sql, sizeof(sql), "INSERT INTO pages (kind, frames) VALUES ('%s', %d)",
			 i % 3 ? "anon" : "file", i * 7 % 101);
		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
			printf("error: %s\n", msg);
			sqlite3_free(msg);
			err = 1;
		}
	}
	err |= exec(db, "COMMIT");
	err |= exec(db, "SELECT kind, COUNT(*) AS n, SUM(frames) AS frames FROM pages GROUP BY kind");
	sqlite3_close(db);
	if (open_db(argv[1], &db))
		return 1;
	err |= exec(db, "SELECT COUNT(*) AS rows, MAX(frames) AS most FROM pages");
	err |= exec(db, "BEGIN");
	err |= exec(db, "UPDATE pages SET frames = frames + 1 WHERE kind = 'file'");
	err |= exec(db, "DELETE FROM pages WHERE id > 150");
	err |= exec(db, "COMMIT");
	err |= exec(db, "SELECT kind, COUNT(*) AS n, SUM(frames) AS frames FROM pages GROUP BY kind");
	err |= exec(db, "PRAGMA integrity_check");
	sqlite3_close(db);
	return err;
}
