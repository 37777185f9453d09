/*
 * A timing program for a SQLite library, in the spirit of SQLite's speedtest1 (written from its
 * description, not its code): a sequence of phases — bulk inserts, indexes, indexed and
 * unindexed selects, aggregates, sorting, a join, updates, deletes, many small WAL
 * transactions, an integrity check — each timed and each printing a checksum of what it read.
 *
 * It uses the public C API only, so the same file builds unchanged against Basalt's
 * libsqlite3 and against real SQLite (scripts/c_speedtest.sh times both;
 * tests/speedtest.rs requires equal checksums). Data comes from a PRNG of its own, seeded per
 * phase, so every run and every library sees the same data whatever ran before. Reals stay
 * multiples of 1/32 below 2^17, so their sums are exact in any summation order and checksums
 * may hash a double's bits.
 *
 * Usage: speedtest [--size N] [--dir DIR]
 *   --size N  rows in the main table; every phase's work scales with it (default 300000:
 *             0.1 to 0.5 s per phase on SQLite built with -O2)
 *   --dir DIR where the WAL phase creates its database file (default: .)
 * Output: "sourceid: ...", "size: N", then one line per phase:
 *   phase NAME wall_ms W cpu_ms C checksum HEX
 * The main database is in memory; any error prints a message and exits with status 1.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef unsigned long long u64;

/* What a phase works on; every phase runs against the same connection in turn. */
struct bench {
    sqlite3 *db;  /* the main (in-memory) database */
    int size;     /* rows inserted into t1 */
    const char *dir;
    u64 rng;      /* the PRNG state, reseeded before each phase */
};

/* ---- errors and small wrappers: any failure ends the program ---- */

static void fail(sqlite3 *db, const char *what) {
    fprintf(stderr, "speedtest: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static void check(sqlite3 *db, int rc, const char *what) {
    if (rc != SQLITE_OK) fail(db, what);
}

static void exec_sql(sqlite3 *db, const char *sql) {
    char *err = 0;
    if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK) {
        fprintf(stderr, "speedtest: %s: %s\n", sql, err ? err : "(no message)");
        exit(1);
    }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = 0;
    check(db, sqlite3_prepare_v2(db, sql, -1, &stmt, 0), sql);
    return stmt;
}

/* One step: 1 for a row, 0 when done. */
static int step(sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    fail(sqlite3_db_handle(stmt), sqlite3_sql(stmt));
    return 0;
}

static void reset(sqlite3_stmt *stmt) {
    check(sqlite3_db_handle(stmt), sqlite3_reset(stmt), "reset");
}

static void finalize(sqlite3_stmt *stmt) {
    sqlite3 *db = sqlite3_db_handle(stmt);
    check(db, sqlite3_finalize(stmt), "finalize");
}

static void bind_int64(sqlite3_stmt *stmt, int i, sqlite3_int64 v) {
    check(sqlite3_db_handle(stmt), sqlite3_bind_int64(stmt, i, v), "bind_int64");
}

static void bind_double(sqlite3_stmt *stmt, int i, double v) {
    check(sqlite3_db_handle(stmt), sqlite3_bind_double(stmt, i, v), "bind_double");
}

/* Binds text the caller keeps alive until the statement is reset. */
static void bind_text(sqlite3_stmt *stmt, int i, const char *text) {
    check(sqlite3_db_handle(stmt), sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC),
          "bind_text");
}

/* ---- data: a deterministic PRNG (xorshift64*) and the words made from it ---- */

static u64 next_random(struct bench *b) {
    b->rng ^= b->rng >> 12;
    b->rng ^= b->rng << 25;
    b->rng ^= b->rng >> 27;
    return b->rng * 0x2545F4914F6CDD1DULL;
}

static sqlite3_int64 random_below(struct bench *b, sqlite3_int64 n) {
    return (sqlite3_int64)(next_random(b) % (u64)n);
}

/* A made-up word of 2 to 7 syllables followed by a number: LIKE patterns find syllables. */
static char *random_text(struct bench *b) {
    static const char *syllables[16] = {"ka", "lo", "mi", "nu", "pe", "ri", "so", "ta",
                                        "ve", "wo", "xi", "yu", "ze", "bra", "cho", "dri"};
    char word[32] = "";
    int count = 2 + (int)random_below(b, 6);
    for (int i = 0; i < count; i++) strcat(word, syllables[random_below(b, 16)]);
    char *text = sqlite3_mprintf("%s %lld", word, random_below(b, 1000000));
    if (!text) fail(0, "mprintf");
    return text;
}

/* A real with an exact binary form: a multiple of 1/16 below 2^16. */
static double random_real(struct bench *b) {
    return (double)random_below(b, 1 << 20) / 16.0;
}

/* ---- checksums of what a phase reads ---- */

static u64 mix(u64 h, u64 v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9ULL;
}

/* A hash of the current row: each column's type and exact value. `position` is 0 for rows
 * whose order the query leaves open, so that the sum of row hashes ignores their order. */
static u64 row_hash(sqlite3_stmt *stmt, u64 position) {
    u64 h = mix(0, position);
    int n = sqlite3_data_count(stmt);
    for (int i = 0; i < n; i++) {
        int type = sqlite3_column_type(stmt, i);
        h = mix(h, (u64)type);
        if (type == SQLITE_INTEGER) {
            h = mix(h, (u64)sqlite3_column_int64(stmt, i));
        } else if (type == SQLITE_FLOAT) {
            double d = sqlite3_column_double(stmt, i);
            u64 bits;
            memcpy(&bits, &d, sizeof bits);
            h = mix(h, bits);
        } else if (type != SQLITE_NULL) {
            const unsigned char *p = sqlite3_column_text(stmt, i);
            int len = sqlite3_column_bytes(stmt, i);
            for (int k = 0; k < len; k++) h = mix(h, p[k]);
        }
    }
    return h;
}

/* Runs a bound statement to the end; the sum of its row hashes (order ignored). */
static u64 sum_rows(sqlite3_stmt *stmt) {
    u64 sum = 0;
    while (step(stmt)) sum += row_hash(stmt, 0);
    reset(stmt);
    return sum;
}

static u64 query_sum(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = prepare(db, sql);
    u64 sum = sum_rows(stmt);
    finalize(stmt);
    return sum;
}

/* Runs a bound write statement; what it changed, as a checksum term. */
static u64 run_write(sqlite3_stmt *stmt) {
    while (step(stmt)) {
    }
    reset(stmt);
    return (u64)sqlite3_changes(sqlite3_db_handle(stmt));
}

/* ---- the phases ---- */

/* t1 gets `size` rows, t2 a quarter as many, in one transaction through prepared statements. */
static u64 phase_insert(struct bench *b) {
    exec_sql(b->db, "CREATE TABLE t1(a INTEGER PRIMARY KEY, b INTEGER, c TEXT, d REAL);"
                    "CREATE TABLE t2(x INTEGER PRIMARY KEY, y INTEGER, z TEXT);"
                    "BEGIN");
    sqlite3_stmt *ins1 = prepare(b->db, "INSERT INTO t1(a, b, c, d) VALUES(?1, ?2, ?3, ?4)");
    for (int i = 1; i <= b->size; i++) {
        char *text = random_text(b);
        bind_int64(ins1, 1, i);
        bind_int64(ins1, 2, random_below(b, b->size));
        bind_text(ins1, 3, text);
        bind_double(ins1, 4, random_real(b));
        run_write(ins1);
        sqlite3_free(text);
    }
    finalize(ins1);
    sqlite3_stmt *ins2 = prepare(b->db, "INSERT INTO t2(y, z) VALUES(?1, ?2)");
    for (int i = 0; i < b->size / 4; i++) {
        char *text = random_text(b);
        bind_int64(ins2, 1, random_below(b, b->size));
        bind_text(ins2, 2, text);
        run_write(ins2);
        sqlite3_free(text);
    }
    finalize(ins2);
    exec_sql(b->db, "COMMIT");
    return mix((u64)sqlite3_total_changes(b->db), (u64)sqlite3_last_insert_rowid(b->db));
}

static u64 phase_create_index(struct bench *b) {
    exec_sql(b->db, "CREATE INDEX t1_b ON t1(b);"
                    "CREATE INDEX t1_c ON t1(c);"
                    "CREATE INDEX t2_y ON t2(y)");
    return query_sum(b->db, "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index'");
}

/* Equality lookups through t1_b (about one row each). */
static u64 phase_select_point(struct bench *b) {
    sqlite3_stmt *stmt = prepare(b->db, "SELECT a, c, d FROM t1 WHERE b = ?1");
    u64 sum = 0;
    for (int i = 0; i < b->size; i++) {
        bind_int64(stmt, 1, random_below(b, b->size));
        sum += sum_rows(stmt);
    }
    finalize(stmt);
    return sum;
}

/* Aggregates over ranges of about 100 rows, through t1_b and through t1_c. */
static u64 phase_select_range(struct bench *b) {
    sqlite3_stmt *by_b = prepare(b->db, "SELECT count(*), sum(d), max(c) FROM t1 "
                                        "WHERE b BETWEEN ?1 AND ?1 + 99");
    sqlite3_stmt *by_c = prepare(b->db, "SELECT count(*), min(a), sum(b) FROM t1 "
                                        "WHERE c >= ?1 AND c < ?2");
    static const char *prefixes[8] = {"kaka", "lomi", "nupe", "riso", "tave", "woxi", "yuze",
                                      "brach"};
    u64 sum = 0;
    for (int i = 0; i < b->size / 100; i++) {
        bind_int64(by_b, 1, random_below(b, b->size));
        sum += sum_rows(by_b);
    }
    for (int i = 0; i < b->size / 1000; i++) {
        char *low = sqlite3_mprintf("%s%s", prefixes[i % 8], prefixes[random_below(b, 8)]);
        char *high = sqlite3_mprintf("%s~", low);
        if (!low || !high) fail(0, "mprintf");
        bind_text(by_c, 1, low);
        bind_text(by_c, 2, high);
        sum += sum_rows(by_c);
        sqlite3_free(low);
        sqlite3_free(high);
    }
    finalize(by_b);
    finalize(by_c);
    return sum;
}

/* Full scans: LIKE on the text column and an arithmetic filter, neither indexable. */
static u64 phase_select_scan(struct bench *b) {
    static const char *patterns[6] = {"%kalo%", "%drive%", "mi%ta%", "%ze 1%", "%chobra%",
                                      "%xi%yu%"};
    sqlite3_stmt *like = prepare(b->db, "SELECT count(*), sum(b), min(a) FROM t1 "
                                        "WHERE c LIKE ?1");
    sqlite3_stmt *arith = prepare(b->db, "SELECT count(*), sum(d), max(c) FROM t1 "
                                         "WHERE (b * 3 + a) % ?1 = 1 AND d > ?2");
    u64 sum = 0;
    for (int i = 0; i < 6; i++) {
        bind_text(like, 1, patterns[i]);
        sum += sum_rows(like);
        bind_int64(arith, 1, 7 + i);
        bind_double(arith, 2, 1000.0 * i);
        sum += sum_rows(arith);
    }
    finalize(like);
    finalize(arith);
    return sum;
}

static u64 phase_group_by(struct bench *b) {
    return query_sum(b->db, "SELECT b % 1000, count(*), sum(d), max(c) FROM t1 GROUP BY 1") +
           query_sum(b->db, "SELECT length(c), count(*), avg(d), min(b) FROM t1 GROUP BY 1");
}

/* Every row of t1 in an order no index gives; the order is total, so it is hashed too. */
static u64 phase_order_by(struct bench *b) {
    sqlite3_stmt *stmt = prepare(b->db, "SELECT a, b, c, d FROM t1 ORDER BY d DESC, a");
    u64 sum = 0, position = 0;
    while (step(stmt)) sum += row_hash(stmt, ++position);
    finalize(stmt);
    return sum;
}

static u64 phase_join(struct bench *b) {
    return query_sum(b->db, "SELECT count(*), sum(t1.d), max(t2.z), min(t1.c) "
                            "FROM t2 JOIN t1 ON t1.b = t2.y") +
           query_sum(b->db, "SELECT t2.x % 100, count(t1.a), sum(t1.b) "
                            "FROM t2 LEFT JOIN t1 ON t1.b = t2.y AND t1.d < 30000 GROUP BY 1");
}

/* Updates of about 50 rows each through t1_b, rewriting an indexed column, in one
 * transaction. */
static u64 phase_update_range(struct bench *b) {
    sqlite3_stmt *stmt = prepare(b->db, "UPDATE t1 SET d = d + 0.5, c = c || '!' "
                                        "WHERE b BETWEEN ?1 AND ?1 + 49");
    u64 sum = 0;
    exec_sql(b->db, "BEGIN");
    for (int i = 0; i < b->size / 100; i++) {
        bind_int64(stmt, 1, random_below(b, b->size));
        sum = mix(sum, run_write(stmt));
    }
    exec_sql(b->db, "COMMIT");
    finalize(stmt);
    return sum;
}

/* Every row, an indexed column included. */
static u64 phase_update_all(struct bench *b) {
    sqlite3_stmt *stmt = prepare(b->db, "UPDATE t1 SET b = b + 1, d = d * 0.5 + b % 7");
    u64 sum = run_write(stmt);
    finalize(stmt);
    return sum + query_sum(b->db, "SELECT sum(d), count(*) FROM t1");
}

/* Deletes by rowid range and by index range in one transaction, then reads what is left. */
static u64 phase_delete(struct bench *b) {
    sqlite3_stmt *by_a = prepare(b->db, "DELETE FROM t1 WHERE a BETWEEN ?1 AND ?1 + 49");
    sqlite3_stmt *by_b = prepare(b->db, "DELETE FROM t1 WHERE b BETWEEN ?1 AND ?1 + 9");
    u64 sum = 0;
    exec_sql(b->db, "BEGIN");
    for (int i = 0; i < b->size / 200; i++) {
        bind_int64(by_a, 1, random_below(b, b->size));
        sum = mix(sum, run_write(by_a));
        bind_int64(by_b, 1, random_below(b, b->size));
        sum = mix(sum, run_write(by_b));
    }
    exec_sql(b->db, "COMMIT");
    finalize(by_a);
    finalize(by_b);
    return sum + query_sum(b->db, "SELECT count(*), sum(b), sum(d), max(c) FROM t1");
}

static char *wal_path(struct bench *b) {
    char *path = sqlite3_mprintf("%s/speedtest-wal.db", b->dir);
    if (!path) fail(0, "mprintf");
    return path;
}

static sqlite3 *open_file(const char *path) {
    sqlite3 *db = 0;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
    if (rc != SQLITE_OK) fail(db, path);
    return db;
}

/* Many small transactions on a file: autocommit inserts and updates in WAL mode with
 * synchronous=NORMAL, then a few multi-statement transactions. */
static u64 phase_wal_txn(struct bench *b) {
    char *path = wal_path(b);
    static const char *suffixes[3] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char *file = sqlite3_mprintf("%s%s", path, suffixes[i]);
        if (!file) fail(0, "mprintf");
        remove(file);
        sqlite3_free(file);
    }
    sqlite3 *db = open_file(path);
    u64 sum = query_sum(db, "PRAGMA journal_mode=WAL");
    exec_sql(db, "PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE w(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);"
                 "CREATE INDEX w_k ON w(k)");
    sqlite3_stmt *ins = prepare(db, "INSERT INTO w(k, v) VALUES(?1, ?2)");
    sqlite3_stmt *upd = prepare(db, "UPDATE w SET k = k + 1, v = v || '+' WHERE id = ?1");
    int count = b->size / 25;
    for (int i = 0; i < count; i++) {
        char *text = random_text(b);
        bind_int64(ins, 1, random_below(b, 1000));
        bind_text(ins, 2, text);
        run_write(ins);
        sqlite3_free(text);
        if (i % 4 == 3) {
            bind_int64(upd, 1, 1 + random_below(b, i + 1));
            sum = mix(sum, run_write(upd));
        }
    }
    for (int i = 0; i < count / 20; i++) {
        exec_sql(db, "BEGIN");
        bind_int64(upd, 1, 1 + random_below(b, count));
        sum = mix(sum, run_write(upd));
        char *text = random_text(b);
        bind_int64(ins, 1, random_below(b, 1000));
        bind_text(ins, 2, text);
        run_write(ins);
        sqlite3_free(text);
        exec_sql(db, "COMMIT");
    }
    finalize(ins);
    finalize(upd);
    sum += query_sum(db, "SELECT count(*), sum(k), max(v), min(v) FROM w");
    check(db, sqlite3_close(db), "close");
    sqlite3_free(path);
    return sum;
}

/* PRAGMA integrity_check on the main database and on the WAL phase's file, reopened. */
static u64 phase_integrity(struct bench *b) {
    u64 sum = query_sum(b->db, "PRAGMA integrity_check");
    char *path = wal_path(b);
    sqlite3 *db = open_file(path);
    sum = mix(sum, query_sum(db, "PRAGMA integrity_check"));
    check(db, sqlite3_close(db), "close");
    sqlite3_free(path);
    return sum;
}

/* ---- timing and the driver ---- */

static double now_ms(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const struct {
    const char *name;
    u64 (*run)(struct bench *);
} phases[] = {
    {"insert", phase_insert},
    {"create_index", phase_create_index},
    {"select_point", phase_select_point},
    {"select_range", phase_select_range},
    {"select_scan", phase_select_scan},
    {"group_by", phase_group_by},
    {"order_by", phase_order_by},
    {"join", phase_join},
    {"update_range", phase_update_range},
    {"update_all", phase_update_all},
    {"delete", phase_delete},
    {"wal_txn", phase_wal_txn},
    {"integrity_check", phase_integrity},
};

static void usage(void) {
    fprintf(stderr, "usage: speedtest [--size N] [--dir DIR]\n");
    exit(2);
}

int main(int argc, char **argv) {
    struct bench b = {0, 300000, ".", 0};
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--size") == 0) {
            b.size = atoi(argv[++i]);
            if (b.size < 1000) usage();
        } else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
            b.dir = argv[++i];
        } else {
            usage();
        }
    }
    printf("sourceid: %s\nsize: %d\n", sqlite3_sourceid(), b.size);
    if (sqlite3_open_v2(":memory:", &b.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0) !=
        SQLITE_OK)
        fail(b.db, "open :memory:");
    double wall_total = 0, cpu_total = 0;
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        b.rng = 0x5DEECE66DULL * (i + 1);
        double wall = now_ms(CLOCK_MONOTONIC), cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        u64 checksum = phases[i].run(&b);
        wall = now_ms(CLOCK_MONOTONIC) - wall;
        cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu;
        wall_total += wall;
        cpu_total += cpu;
        printf("phase %s wall_ms %.1f cpu_ms %.1f checksum %016llx\n", phases[i].name, wall, cpu,
               checksum);
        fflush(stdout);
    }
    printf("total wall_ms %.1f cpu_ms %.1f\n", wall_total, cpu_total);
    check(b.db, sqlite3_close(b.db), "close");
    return 0;
}
