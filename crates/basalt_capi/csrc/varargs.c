/*
 * The variadic entry points of Basalt's libsqlite3 (Rust cannot define C varargs functions on
 * stable): sqlite3_mprintf, sqlite3_snprintf and their va_list forms, sqlite3_log,
 * sqlite3_config and sqlite3_db_config.
 *
 * Invariants:
 * - No formatting happens here. The format is walked only to learn the C type of each
 *   argument, which is read from the va_list into a typed array and handed to Rust
 *   (basalt_printf, src/printf.rs), whose printf engine is the one behind SQL's format().
 *   The walk must read the format exactly as that engine does (flags, `*` width and precision,
 *   `l` modifiers, conversion letter; an unknown conversion ends both). A `%n` gets the length
 *   of the output before it, which is the format's prefix formatted with the arguments before.
 * - Memory handed back to C comes from sqlite3_malloc; `%z` arguments are freed with
 *   sqlite3_free after formatting, as SQLite does.
 * - sqlite3_config and sqlite3_db_config only unpack their arguments per option; what each
 *   option means is decided in Rust (src/config.rs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
void sqlite3_free(void *);

/* One argument of a printf call, as src/printf.rs reads it. */
enum { ARG_INT = 0, ARG_REAL = 1, ARG_TEXT = 2, ARG_NULL = 3 };
struct basalt_printf_arg {
    int kind;
    long long i;
    double r;
    const char *s;
    size_t len;
};

char *basalt_printf(const char *fmt, const struct basalt_printf_arg *args, size_t n,
                    size_t *out_len);
int basalt_autoinit(void);
void basalt_log(int code, const char *message);
int basalt_config(int op, long long a, long long b, void *p, void *q);
int basalt_db_config_flag(sqlite3 *db, int op, int onoff, int *result);
int basalt_db_config_other(sqlite3 *db, int op);

/* Appends a UTF-8 character for `%c` (SQLite encodes code points above 0x7f). */
static size_t utf8(unsigned c, char *out) {
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xc0 | (c >> 6)); out[1] = (char)(0x80 | (c & 0x3f)); return 2; }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12)); out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f)); return 3;
    }
    out[0] = (char)(0xf0 | ((c >> 18) & 0x07)); out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f)); out[3] = (char)(0x80 | (c & 0x3f)); return 4;
}

/* The arguments of one call: the typed array plus storage for `%c` characters and the list of
 * `%z` strings to free afterwards. */
struct collected {
    struct basalt_printf_arg *args;
    size_t n;
    char *chars; /* 4 bytes per `%c` slot */
    char **to_free;
    size_t n_free;
    struct count_slot *counts; /* one per `%n` */
    size_t n_counts;
};

/* A `%n`: where to store the length of the output so far, which is the length of the format
 * before it formatted with the arguments before it. */
struct count_slot {
    int *target;
    size_t format_len;
    size_t args_before;
};

static void push_int(struct collected *c, long long v) {
    struct basalt_printf_arg *a = &c->args[c->n++];
    a->kind = ARG_INT;
    a->i = v;
}

/* Reads every argument `fmt` asks for from `ap`. The arrays are sized for the worst case: three
 * arguments (width, precision, value) per `%`. Returns 0 when out of memory. */
static int collect(const char *fmt, va_list ap, struct collected *c) {
    size_t percents = 0;
    for (const char *p = fmt; *p; p++) percents += (*p == '%');
    memset(c, 0, sizeof *c);
    c->args = calloc(percents * 3 + 1, sizeof *c->args);
    c->chars = calloc(percents + 1, 4);
    c->to_free = calloc(percents + 1, sizeof *c->to_free);
    c->counts = calloc(percents + 1, sizeof *c->counts);
    if (!c->args || !c->chars || !c->to_free || !c->counts) return 0;
    const char *p = fmt;
    size_t conversions = 0; /* `%c` characters go in slot `conversions` of c->chars */
    while ((p = strchr(p, '%')) != NULL) {
        const char *start = p;
        p++;
        if (*p == 0) break;
        while (*p && strchr("-+ 0#!,", *p)) p++;
        if (*p == '*') { push_int(c, va_arg(ap, int)); p++; }
        else while (*p >= '0' && *p <= '9') p++;
        long long precision = -1;
        if (*p == '.') {
            p++;
            if (*p == '*') { int v = va_arg(ap, int); push_int(c, v); precision = v < 0 ? -(long long)v : v; p++; }
            else { precision = 0; while (*p >= '0' && *p <= '9') precision = precision * 10 + (*p++ - '0'); }
        }
        int longs = 0;
        while (*p == 'l') { longs++; p++; }
        char conv = *p;
        if (conv == 0) break;
        p++;
        conversions++;
        struct basalt_printf_arg *a = &c->args[c->n];
        switch (conv) {
        case 'd': case 'i':
            push_int(c, longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int));
            break;
        case 'u': case 'x': case 'X': case 'o':
            push_int(c, longs >= 2 ? (long long)va_arg(ap, unsigned long long)
                        : longs ? (long long)va_arg(ap, unsigned long) : (long long)va_arg(ap, unsigned));
            break;
        case 'p':
            push_int(c, (long long)(uintptr_t)va_arg(ap, void *));
            break;
        case 'c': {
            char *buf = c->chars + 4 * conversions;
            a->kind = ARG_TEXT;
            a->s = buf;
            a->len = utf8((unsigned)va_arg(ap, int), buf);
            c->n++;
            break;
        }
        case 'f': case 'e': case 'E': case 'g': case 'G':
            a->kind = ARG_REAL;
            a->r = va_arg(ap, double);
            c->n++;
            break;
        case 's': case 'z': case 'q': case 'Q': case 'w': {
            char *s = va_arg(ap, char *);
            a->kind = s ? ARG_TEXT : ARG_NULL;
            a->s = s;
            /* Never read past the precision: the text need not be NUL-terminated there. */
            a->len = !s ? 0 : precision >= 0 && !strchr("qQw", conv) ? strnlen(s, (size_t)precision * 4) : strlen(s);
            c->n++;
            if (conv == 'z' && s) c->to_free[c->n_free++] = s;
            break;
        }
        case 'n': {
            struct count_slot *slot = &c->counts[c->n_counts++];
            slot->target = va_arg(ap, int *);
            slot->format_len = (size_t)(start - fmt);
            slot->args_before = c->n;
            a->kind = ARG_NULL;
            c->n++;
            break;
        }
        case '%':
            break;
        default:
            return 1; /* an unknown conversion ends the output: nothing after it is read */
        }
    }
    return 1;
}

/* Stores the output length before each `%n`, as SQLite does. */
static void store_counts(const char *fmt, struct collected *c) {
    for (size_t i = 0; i < c->n_counts; i++) {
        struct count_slot *slot = &c->counts[i];
        char *prefix = malloc(slot->format_len + 1);
        if (!prefix) return;
        memcpy(prefix, fmt, slot->format_len);
        prefix[slot->format_len] = 0;
        size_t len = 0;
        char *out = basalt_printf(prefix, c->args, slot->args_before, &len);
        free(prefix);
        if (out && slot->target) *slot->target = (int)len;
        sqlite3_free(out);
    }
}

static void release(struct collected *c) {
    for (size_t i = 0; i < c->n_free; i++) sqlite3_free(c->to_free[i]);
    free(c->args);
    free(c->chars);
    free(c->to_free);
    free(c->counts);
}

/* Formats into a block from sqlite3_malloc; NULL when out of memory or too big. */
static char *format(const char *fmt, va_list ap, size_t *len) {
    struct collected c;
    char *out = NULL;
    if (collect(fmt, ap, &c)) {
        out = basalt_printf(fmt, c.args, c.n, len);
        if (out) store_counts(fmt, &c);
    }
    release(&c);
    return out;
}

char *sqlite3_vmprintf(const char *fmt, va_list ap) {
    size_t len;
    if (fmt == NULL || basalt_autoinit() != 0) return NULL;
    va_list copy;
    va_copy(copy, ap);
    char *out = format(fmt, copy, &len);
    va_end(copy);
    return out;
}

char *sqlite3_mprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *out = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    return out;
}

char *sqlite3_vsnprintf(int n, char *buf, const char *fmt, va_list ap) {
    size_t len;
    if (n <= 0 || buf == NULL || fmt == NULL) return buf;
    va_list copy;
    va_copy(copy, ap);
    char *out = format(fmt, copy, &len);
    va_end(copy);
    if (out == NULL) {
        buf[0] = 0;
        return buf;
    }
    size_t keep = len < (size_t)n - 1 ? len : (size_t)n - 1;
    memcpy(buf, out, keep);
    buf[keep] = 0;
    sqlite3_free(out);
    return buf;
}

char *sqlite3_snprintf(int n, char *buf, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *out = sqlite3_vsnprintf(n, buf, fmt, ap);
    va_end(ap);
    return out;
}

void sqlite3_log(int code, const char *fmt, ...) {
    /* SQLite formats log messages into a fixed buffer of this size, cutting longer ones. */
    char message[210];
    va_list ap;
    va_start(ap, fmt);
    sqlite3_vsnprintf((int)sizeof message, message, fmt, ap);
    va_end(ap);
    basalt_log(code, message);
}

/* The options of sqlite3_config, with the argument types SQLite documents for each. */
int sqlite3_config(int op, ...) {
    va_list ap;
    long long a = 0, b = 0;
    void *p = NULL, *q = NULL;
    va_start(ap, op);
    switch (op) {
    case 4: case 5: case 10: case 11: case 14: case 15: case 18: case 19: case 24: case 30:
        p = va_arg(ap, void *); /* MALLOC, GETMALLOC, MUTEX, GETMUTEX, PCACHE(2), HDRSZ, ... */
        break;
    case 7: case 8: /* PAGECACHE, HEAP: buffer, size, count */
        p = va_arg(ap, void *);
        a = va_arg(ap, int);
        b = va_arg(ap, int);
        break;
    case 9: case 17: case 20: case 23: case 25: case 26: case 27: /* one int */
        a = va_arg(ap, int);
        break;
    case 13: /* LOOKASIDE: size, count */
        a = va_arg(ap, int);
        b = va_arg(ap, int);
        break;
    case 16: case 21: /* LOG, SQLLOG: callback, argument */
        p = va_arg(ap, void *);
        q = va_arg(ap, void *);
        break;
    case 22: /* MMAP_SIZE: two 64-bit sizes */
        a = va_arg(ap, long long);
        b = va_arg(ap, long long);
        break;
    case 28: case 29: /* SORTERREF_SIZE (int), MEMDB_MAXSIZE (64-bit) */
        a = op == 28 ? va_arg(ap, int) : va_arg(ap, long long);
        break;
    default:
        break;
    }
    va_end(ap);
    return basalt_config(op, a, b, p, q);
}

/* sqlite3_db_config: the on/off options take (int, int *); the others are decided in Rust. */
int sqlite3_db_config(sqlite3 *db, int op, ...) {
    va_list ap;
    int rc;
    va_start(ap, op);
    if (op >= 1002 && op <= 1022) {
        int onoff = va_arg(ap, int);
        int *result = va_arg(ap, int *);
        rc = basalt_db_config_flag(db, op, onoff, result);
    } else {
        rc = basalt_db_config_other(db, op);
    }
    va_end(ap);
    return rc;
}
