/* Compiled prechecks of fix_mojibake and redact_pii (see mojibake.py and pii.py, which
 * hold the pure-Python twins).
 *
 * Most pages of a crawl need nothing from ftfy, and fix_mojibake spends most of its
 * time proving that: it finds the runs of consecutive non-ASCII characters of a text
 * and asks what each run may trigger (a question answered once per distinct run, by
 * Python, and remembered). line_marks() walks the text once and does the same: every
 * run is looked up (single characters in a per-code-point table, longer runs in a
 * dict keyed by the run), and the lines holding a run or an ASCII character that
 * matters are returned with what was found on them. It decides nothing by itself:
 * the meaning of each run is the Python answer (tests/stages/repair/
 * test_repairfast.py compares both paths on adversarial and real text).
 *
 * pii_scan() goes through a text once for redact_pii: the spans of its phone hint
 * ([\d(+][\d .()+-]{6,}, \d being what Py_UNICODE_ISDECIMAL holds of, as in the re
 * module) and whether an "@", an IPv4 core or an IPv6 hint occurs, as pii._scan()
 * computes them with bytes operations and patterns.
 *
 * opcodes() is difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() on
 * two strings, the same algorithm written out (no junk, no popular elements), so the
 * same blocks come out in the same order.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* bits of a run (mojibake.py holds the same values) */
#define R_SUSPECT 1
#define R_BAD 2
#define R_TRIGGER 4
#define R_NFC 8
#define R_ENDS_A 16
#define R_KNOWN 128 /* in the single-character table: the entry is filled */

/* bits of a line */
#define L_CHOSEN 1
#define L_NEED 2   /* ftfy must run on it */
#define L_MAYBE 4  /* ftfy runs on it if its detector says bad */

#define MAX_CP 0x110000

#if defined(__GNUC__) || defined(__clang__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

/* the bits of one run: from the table (one character) or the cache (longer runs),
 * else computed by the Python callable and remembered; -1 on error */
static int
run_bits(PyObject *text, Py_ssize_t a, Py_ssize_t b, Py_UCS4 first, unsigned char *single,
         PyObject *cache, PyObject *compute)
{
    if (b - a == 1 && single[first] & R_KNOWN)
        return single[first] & ~R_KNOWN;
    PyObject *run = PyUnicode_Substring(text, a, b);
    if (run == NULL)
        return -1;
    long bits;
    PyObject *hit = PyDict_GetItemWithError(cache, run); /* borrowed */
    if (hit != NULL) {
        bits = PyLong_AsLong(hit);
    }
    else if (PyErr_Occurred()) {
        Py_DECREF(run);
        return -1;
    }
    else {
        PyObject *res = PyObject_CallOneArg(compute, run);
        if (res == NULL) {
            Py_DECREF(run);
            return -1;
        }
        bits = PyLong_AsLong(res);
        Py_DECREF(res);
    }
    Py_DECREF(run);
    if (bits == -1 && PyErr_Occurred())
        return -1;
    bits &= 0x7f;
    if (b - a == 1)
        single[first] = (unsigned char)(bits | R_KNOWN);
    return (int)bits;
}

static int
emit(PyObject *out, Py_ssize_t a, Py_ssize_t b, int bits)
{
    if (bits & L_NEED)
        bits &= ~L_MAYBE; /* ftfy runs on it anyway */
    PyObject *t = Py_BuildValue("(nni)", a, b, bits);
    if (t == NULL)
        return -1;
    int rc = PyList_Append(out, t);
    Py_DECREF(t);
    return rc;
}

/* Skipping plain ASCII a word at a time: 8 one-byte or 4 two-byte characters, none
 * of them non-ASCII, below 0x20 (a newline or a control character) or DEL. Used only
 * when every ASCII trigger is one of those (the default: control characters and CR). */
#define ONES8 0x0101010101010101ULL
#define HIGH8 0x8080808080808080ULL
#define ONES16 0x0001000100010001ULL
#define HIGH16 0x8000800080008000ULL

INLINE int
plain8(uint64_t w)
{
    if (w & HIGH8)
        return 0;
    uint64_t lt = (w - ONES8 * 0x20) & ~w & HIGH8;
    uint64_t x = w ^ (ONES8 * 0x7f);
    uint64_t del = (x - ONES8) & ~x & HIGH8;
    return !(lt | del);
}

INLINE int
plain16(uint64_t w)
{
    if (w & (ONES16 * 0xff80))
        return 0;
    uint64_t lt = (w - ONES16 * 0x20) & ~w & HIGH16;
    uint64_t x = w ^ (ONES16 * 0x7f);
    uint64_t del = (x - ONES16) & ~x & HIGH16;
    return !(lt | del);
}

typedef struct {
    PyObject *text, *cache, *compute, *out;
    const unsigned char *trig;
    unsigned char *tab;
    int skip; /* the word skip is valid */
} Scan;

/* the bits of the run text[i:j], its first character c and the one after it (or -1) */
INLINE int
on_run(Scan *sc, Py_ssize_t i, Py_ssize_t j, Py_UCS4 c, long after, int *bits, int *any)
{
    int r = run_bits(sc->text, i, j, c, sc->tab, sc->cache, sc->compute);
    if (r < 0)
        return -1;
    *any |= r;
    if (r & R_TRIGGER)
        *bits |= L_CHOSEN | L_NEED;
    if (r & R_SUSPECT)
        *bits |= L_CHOSEN;
    if (r & R_BAD)
        *bits |= L_MAYBE;
    if ((r & R_ENDS_A) && after == ' ')
        *bits |= L_CHOSEN;
    return 0;
}

#define SCAN_FN(NAME, T, WORD_SKIP)                                                          \
    static int NAME(Scan *sc, const T *s, Py_ssize_t n, int *any_out)                         \
    {                                                                                         \
        Py_ssize_t line = 0, i = 0;                                                           \
        int bits = 0, any = 0;                                                                \
        while (i < n) {                                                                       \
            WORD_SKIP                                                                         \
            Py_UCS4 c = s[i];                                                                 \
            if (c < 128) {                                                                    \
                if (c == '\n') {                                                              \
                    if (bits && emit(sc->out, line, i + 1, bits) < 0)                         \
                        return -1;                                                            \
                    bits = 0;                                                                 \
                    line = i + 1;                                                             \
                }                                                                             \
                else if (sc->trig[c]) {                                                       \
                    bits |= L_CHOSEN | L_NEED;                                                \
                }                                                                             \
                i++;                                                                          \
                continue;                                                                     \
            }                                                                                 \
            Py_ssize_t j = i + 1;                                                             \
            while (j < n && s[j] >= 128)                                                      \
                j++;                                                                          \
            if (on_run(sc, i, j, c, j < n ? (long)s[j] : -1, &bits, &any) < 0)                \
                return -1;                                                                    \
            i = j;                                                                            \
        }                                                                                     \
        if (bits && emit(sc->out, line, n, bits) < 0)                                         \
            return -1;                                                                        \
        *any_out = any;                                                                       \
        return 0;                                                                             \
    }

SCAN_FN(scan1, Py_UCS1, if (sc->skip) {
    uint64_t w;
    while (i + 8 <= n && (memcpy(&w, s + i, 8), plain8(w)))
        i += 8;
    if (i >= n)
        break;
})
SCAN_FN(scan2, Py_UCS2, if (sc->skip) {
    uint64_t w;
    while (i + 4 <= n && (memcpy(&w, s + i, 8), plain16(w)))
        i += 4;
    if (i >= n)
        break;
})
SCAN_FN(scan4, Py_UCS4, )

/* line_marks(text, ascii, single, cache, compute) -> (marks, any_bits)
 *
 * ascii: bytes of 128, nonzero for an ASCII character a fixer acts on;
 * single: bytearray of 0x110000, the bits of each one-character run (R_KNOWN set when
 *   filled; filled here on first sight);
 * cache: dict run -> bits (read only here; compute fills it);
 * compute: callable run -> bits.
 * marks: [(start, end, line bits)] for each line (ending after its "\n") holding a
 *   trigger, a suspect run, a bad run, or a run ending in "Â"/"Ã" before a space;
 * any_bits: the bits of all runs, or-ed. */
static PyObject *
line_marks(PyObject *self, PyObject *args)
{
    PyObject *text, *cache, *compute;
    Py_buffer asc, single;
    if (!PyArg_ParseTuple(args, "Uy*w*O!O:line_marks", &text, &asc, &single, &PyDict_Type, &cache,
                          &compute))
        return NULL;
    PyObject *out = NULL;
    if (PyUnicode_READY(text) < 0)
        goto done;
    if (asc.len != 128 || single.len != MAX_CP) {
        PyErr_SetString(PyExc_ValueError, "line_marks: tables of 128 and 0x110000 bytes expected");
        goto done;
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    Scan sc = {text, cache, compute, out, (const unsigned char *)asc.buf, (unsigned char *)single.buf, 1};
    for (int c = 0x20; c < 0x7f; c++)
        if (sc.trig[c])
            sc.skip = 0;
    int any = 0, rc;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        rc = scan1(&sc, PyUnicode_1BYTE_DATA(text), n, &any);
        break;
    case PyUnicode_2BYTE_KIND:
        rc = scan2(&sc, PyUnicode_2BYTE_DATA(text), n, &any);
        break;
    default:
        rc = scan4(&sc, PyUnicode_4BYTE_DATA(text), n, &any);
        break;
    }
    if (rc < 0) {
        Py_CLEAR(out);
        goto done;
    }
    PyObject *res = Py_BuildValue("(Ni)", out, any);
    out = res;
done:
    PyBuffer_Release(&asc);
    PyBuffer_Release(&single);
    return out;
}

/* ---- redact_pii ---------------------------------------------------------------------- */

/* character classes of pii_scan (ASCII; a non-ASCII character is a phone digit when
 * Py_UNICODE_ISDECIMAL holds, which is what \d matches in a str pattern) */
#define P_PHONE 1  /* [\d .()+-]: a character of the phone hint */
#define P_START 2  /* [\d(+]: one it may start with */
#define P_D4 4     /* a digit of the IPv4 class string: [0-9?], any non-ASCII too */
#define P_HEX 8    /* [0-9A-Fa-f] */
#define P_ANY 16   /* a character pii_scan stops at: [\d(+] and "@", ".", ":" */

/* flags returned (pii.py holds the same values) */
#define S_AT 1    /* an "@" */
#define S_IPV4 2  /* "0.0{1,3}.0{1,3}.0" on the IPv4 class string */
#define S_IPV6 4  /* "h:h{0,4}:" on the IPv6 class string */

static unsigned char pii_class[128];

static void
pii_init(void)
{
    for (int c = '0'; c <= '9'; c++)
        pii_class[c] = P_PHONE | P_START | P_D4 | P_HEX;
    for (const char *p = " .)-"; *p; p++)
        pii_class[(unsigned char)*p] = P_PHONE;
    pii_class['('] = pii_class['+'] = P_PHONE | P_START;
    pii_class['?'] = P_D4;
    for (const char *p = "0123456789(+@.:"; *p; p++)
        pii_class[(unsigned char)*p] |= P_ANY;
    for (int c = 'a'; c <= 'f'; c++)
        pii_class[c] = pii_class[c - 32] = P_HEX;
}

#define PII_SCAN_FN(NAME, T)                                                                  \
    INLINE int NAME##_d4(const T *s, Py_ssize_t j)                                            \
    {                                                                                         \
        Py_UCS4 c = s[j];                                                                     \
        return c >= 128 || (pii_class[c] & P_D4);                                             \
    }                                                                                         \
    INLINE int NAME##_hex(const T *s, Py_ssize_t j)                                           \
    {                                                                                         \
        Py_UCS4 c = s[j];                                                                     \
        return c < 128 && (pii_class[c] & P_HEX);                                             \
    }                                                                                         \
    /* "0.0{1,3}.0{1,3}.0" with its first dot at p */                                         \
    static int NAME##_ipv4(const T *s, Py_ssize_t n, Py_ssize_t p)                            \
    {                                                                                         \
        if (p == 0 || !NAME##_d4(s, p - 1))                                                   \
            return 0;                                                                         \
        Py_ssize_t j = p + 1;                                                                 \
        for (int group = 0; group < 2; group++) {                                             \
            Py_ssize_t k = 0;                                                                 \
            while (j < n && k < 4 && NAME##_d4(s, j)) {                                       \
                j++;                                                                          \
                k++;                                                                          \
            }                                                                                 \
            if (k < 1 || k > 3 || j >= n || s[j] != '.')                                      \
                return 0;                                                                     \
            j++;                                                                              \
        }                                                                                     \
        return j < n && NAME##_d4(s, j);                                                      \
    }                                                                                         \
    /* "h:h{0,4}:" with its first colon at p */                                               \
    static int NAME##_ipv6(const T *s, Py_ssize_t n, Py_ssize_t p)                            \
    {                                                                                         \
        if (p == 0 || !NAME##_hex(s, p - 1))                                                  \
            return 0;                                                                         \
        Py_ssize_t j = p + 1, k = 0;                                                          \
        while (j < n && k < 5 && NAME##_hex(s, j)) {                                          \
            j++;                                                                              \
            k++;                                                                              \
        }                                                                                     \
        return k <= 4 && j < n && s[j] == ':';                                                \
    }                                                                                         \
    static int NAME(const T *s, Py_ssize_t n, PyObject *windows, int *flags_out)              \
    {                                                                                         \
        int flags = 0;                                                                        \
        Py_ssize_t i = 0;                                                                     \
        while (i < n) {                                                                       \
            /* most characters matter to nothing: letters, spaces, punctuation */             \
            while (i < n && s[i] < 128 && !(pii_class[s[i]] & P_ANY))                         \
                i++;                                                                          \
            if (i >= n)                                                                       \
                break;                                                                        \
            Py_UCS4 c = s[i];                                                                 \
            if (c < 128) {                                                                    \
                if (c == '@') {                                                               \
                    flags |= S_AT;                                                            \
                    i++;                                                                      \
                    continue;                                                                 \
                }                                                                             \
                if (c == ':') {                                                               \
                    if (!(flags & S_IPV6) && NAME##_ipv6(s, n, i))                            \
                        flags |= S_IPV6;                                                      \
                    i++;                                                                      \
                    continue;                                                                 \
                }                                                                             \
                if (c == '.') {                                                               \
                    if (!(flags & S_IPV4) && NAME##_ipv4(s, n, i))                            \
                        flags |= S_IPV4;                                                      \
                    i++;                                                                      \
                    continue;                                                                 \
                }                                                                             \
            }                                                                                 \
            else if (!Py_UNICODE_ISDECIMAL(c)) {                                              \
                i++;                                                                          \
                continue;                                                                     \
            }                                                                                 \
            /* a character the hint may start with, the first of its run of hint characters   \
             * (a run is gone through at once): the hint runs from here to the run's end */   \
            Py_ssize_t j = i + 1;                                                             \
            while (j < n) {                                                                   \
                Py_UCS4 d = s[j];                                                             \
                if (d < 128 ? !(pii_class[d] & P_PHONE) : !Py_UNICODE_ISDECIMAL(d))           \
                    break;                                                                    \
                if (d == '.' && !(flags & S_IPV4) && NAME##_ipv4(s, n, j))                    \
                    flags |= S_IPV4;                                                          \
                j++;                                                                          \
            }                                                                                 \
            if (windows != NULL && j - i >= 7) {                                              \
                PyObject *w = Py_BuildValue("(nn)", i, j);                                    \
                if (w == NULL || PyList_Append(windows, w) < 0) {                             \
                    Py_XDECREF(w);                                                            \
                    return -1;                                                                \
                }                                                                             \
                Py_DECREF(w);                                                                 \
            }                                                                                 \
            i = j;                                                                            \
        }                                                                                     \
        *flags_out = flags;                                                                   \
        return 0;                                                                             \
    }                                                                                         \

PII_SCAN_FN(pii1, Py_UCS1)
PII_SCAN_FN(pii2, Py_UCS2)
PII_SCAN_FN(pii4, Py_UCS4)

/* pii_scan(text, phones) -> (windows, flags)
 *
 * windows: the spans of _PHONE_HINT.finditer(text) when phones is true (else []);
 * flags: S_AT, S_IPV4, S_IPV6 as defined above. */
static PyObject *
pii_scan(PyObject *self, PyObject *args)
{
    PyObject *text;
    int phones;
    if (!PyArg_ParseTuple(args, "Up:pii_scan", &text, &phones))
        return NULL;
    if (PyUnicode_READY(text) < 0)
        return NULL;
    PyObject *windows = PyList_New(0);
    if (windows == NULL)
        return NULL;
    PyObject *target = phones ? windows : NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int flags = 0, rc;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        rc = pii1(PyUnicode_1BYTE_DATA(text), n, target, &flags);
        break;
    case PyUnicode_2BYTE_KIND:
        rc = pii2(PyUnicode_2BYTE_DATA(text), n, target, &flags);
        break;
    default:
        rc = pii4(PyUnicode_4BYTE_DATA(text), n, target, &flags);
        break;
    }
    if (rc < 0) {
        Py_DECREF(windows);
        return NULL;
    }
    return Py_BuildValue("(Ni)", windows, flags);
}

/* ---- difflib ------------------------------------------------------------------------ */

typedef struct {
    Py_ssize_t i, j, k;
} Block;

typedef struct {
    Block *v;
    Py_ssize_t n, cap;
} Blocks;

static int
push(Blocks *bl, Py_ssize_t i, Py_ssize_t j, Py_ssize_t k)
{
    if (bl->n == bl->cap) {
        Py_ssize_t cap = bl->cap ? bl->cap * 2 : 16;
        Block *v = PyMem_Realloc(bl->v, cap * sizeof(Block));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        bl->v = v;
        bl->cap = cap;
    }
    bl->v[bl->n].i = i;
    bl->v[bl->n].j = j;
    bl->v[bl->n].k = k;
    bl->n++;
    return 0;
}

typedef struct {
    const Py_UCS4 *a, *b;
    /* b2j: for each position of b, the next position holding the same character
     * (positions of one character in increasing order: difflib's b2j lists) */
    const Py_ssize_t *head_of; /* for each position of a: first position of b with a's char, or -1 */
    const Py_ssize_t *next;    /* next position in b with the same character, or -1 */
    Py_ssize_t *j2len, *newj2len; /* indexed by j + 1; 0 where absent */
    Py_ssize_t *touched, *newtouched;
} Matcher;

/* difflib's find_longest_match(alo, ahi, blo, bhi) with no junk: the longest block,
 * earliest in a, then earliest in b, among the longest */
static void
longest(Matcher *m, Py_ssize_t alo, Py_ssize_t ahi, Py_ssize_t blo, Py_ssize_t bhi, Py_ssize_t *bi,
        Py_ssize_t *bj, Py_ssize_t *bk)
{
    Py_ssize_t besti = alo, bestj = blo, bestsize = 0;
    Py_ssize_t nt = 0; /* entries set in j2len (indices into j2len) */
    for (Py_ssize_t i = alo; i < ahi; i++) {
        Py_ssize_t nnt = 0;
        for (Py_ssize_t j = m->head_of[i]; j >= 0; j = m->next[j]) {
            if (j < blo)
                continue;
            if (j >= bhi)
                break;
            Py_ssize_t k = m->j2len[j] + 1; /* j2len.get(j - 1, 0) + 1: index shifted by one */
            m->newj2len[j + 1] = k;
            m->newtouched[nnt++] = j + 1;
            if (k > bestsize) {
                besti = i - k + 1;
                bestj = j - k + 1;
                bestsize = k;
            }
        }
        /* j2len = newj2len: clear the old entries, swap */
        for (Py_ssize_t t = 0; t < nt; t++)
            m->j2len[m->touched[t]] = 0;
        Py_ssize_t *tmp = m->j2len;
        m->j2len = m->newj2len;
        m->newj2len = tmp;
        tmp = m->touched;
        m->touched = m->newtouched;
        m->newtouched = tmp;
        nt = nnt;
    }
    for (Py_ssize_t t = 0; t < nt; t++)
        m->j2len[m->touched[t]] = 0;
    /* the extensions difflib makes over junk-free equal elements */
    while (besti > alo && bestj > blo && m->a[besti - 1] == m->b[bestj - 1]) {
        besti--;
        bestj--;
        bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && m->a[besti + bestsize] == m->b[bestj + bestsize])
        bestsize++;
    *bi = besti;
    *bj = bestj;
    *bk = bestsize;
}

static int
cmp_block(const void *x, const void *y)
{
    const Block *p = x, *q = y;
    if (p->i != q->i)
        return p->i < q->i ? -1 : 1;
    if (p->j != q->j)
        return p->j < q->j ? -1 : 1;
    return p->k < q->k ? -1 : (p->k > q->k);
}

/* opcodes(a, b) -> [(tag, i1, i2, j1, j2)], as
 * difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() */
static PyObject *
opcodes(PyObject *self, PyObject *args)
{
    PyObject *sa, *sb;
    if (!PyArg_ParseTuple(args, "UU:opcodes", &sa, &sb))
        return NULL;
    Py_ssize_t la = PyUnicode_GET_LENGTH(sa), lb = PyUnicode_GET_LENGTH(sb);
    Py_UCS4 *a = PyUnicode_AsUCS4Copy(sa);
    Py_UCS4 *b = PyUnicode_AsUCS4Copy(sb);
    Py_ssize_t *head_of = PyMem_Malloc((la + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *next = PyMem_Malloc((lb + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *j2 = PyMem_Calloc(lb + 2, sizeof(Py_ssize_t));
    Py_ssize_t *nj2 = PyMem_Calloc(lb + 2, sizeof(Py_ssize_t));
    Py_ssize_t *t1 = PyMem_Malloc((lb + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *t2 = PyMem_Malloc((lb + 1) * sizeof(Py_ssize_t));
    Blocks blocks = {NULL, 0, 0}, queue = {NULL, 0, 0};
    PyObject *out = NULL, *chains = NULL;
    if (!a || !b || !head_of || !next || !j2 || !nj2 || !t1 || !t2) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    /* b2j as linked lists: position of b -> next position with the same character;
     * the first position per character comes from a dict char -> first position */
    chains = PyDict_New();
    if (chains == NULL)
        goto done;
    {
        /* build from the end so that each list is in increasing order */
        for (Py_ssize_t j = lb - 1; j >= 0; j--) {
            PyObject *key = PyLong_FromUnsignedLong(b[j]);
            if (key == NULL)
                goto done;
            PyObject *prev = PyDict_GetItemWithError(chains, key);
            if (prev == NULL && PyErr_Occurred()) {
                Py_DECREF(key);
                goto done;
            }
            next[j] = prev ? PyLong_AsSsize_t(prev) : -1;
            PyObject *pos = PyLong_FromSsize_t(j);
            if (pos == NULL || PyDict_SetItem(chains, key, pos) < 0) {
                Py_XDECREF(pos);
                Py_DECREF(key);
                goto done;
            }
            Py_DECREF(pos);
            Py_DECREF(key);
        }
        for (Py_ssize_t i = 0; i < la; i++) {
            PyObject *key = PyLong_FromUnsignedLong(a[i]);
            if (key == NULL)
                goto done;
            PyObject *first = PyDict_GetItemWithError(chains, key);
            Py_DECREF(key);
            if (first == NULL && PyErr_Occurred())
                goto done;
            head_of[i] = first ? PyLong_AsSsize_t(first) : -1;
        }
    }
    Matcher m = {a, b, head_of, next, j2, nj2, t1, t2};
    /* get_matching_blocks: a stack of ranges, as difflib's queue (used as a stack) */
    if (push(&queue, 0, la, 0) < 0 || push(&queue, 0, lb, 0) < 0)
        goto done;
    /* queue holds (alo, ahi) then (blo, bhi) pairs: two Blocks per entry */
    while (queue.n > 0) {
        Py_ssize_t blo = queue.v[queue.n - 1].i, bhi = queue.v[queue.n - 1].j;
        Py_ssize_t alo = queue.v[queue.n - 2].i, ahi = queue.v[queue.n - 2].j;
        queue.n -= 2;
        Py_ssize_t i, j, k;
        longest(&m, alo, ahi, blo, bhi, &i, &j, &k);
        if (k) {
            if (push(&blocks, i, j, k) < 0)
                goto done;
            if (alo < i && blo < j) {
                if (push(&queue, alo, i, 0) < 0 || push(&queue, blo, j, 0) < 0)
                    goto done;
            }
            if (i + k < ahi && j + k < bhi) {
                if (push(&queue, i + k, ahi, 0) < 0 || push(&queue, j + k, bhi, 0) < 0)
                    goto done;
            }
        }
    }
    qsort(blocks.v, blocks.n, sizeof(Block), cmp_block);
    /* collapse adjacent blocks, add the sentinel */
    Blocks merged = {NULL, 0, 0};
    {
        Py_ssize_t i1 = 0, j1 = 0, k1 = 0;
        for (Py_ssize_t t = 0; t < blocks.n; t++) {
            Block *q = &blocks.v[t];
            if (i1 + k1 == q->i && j1 + k1 == q->j) {
                k1 += q->k;
            }
            else {
                if (k1 && push(&merged, i1, j1, k1) < 0)
                    goto merged_fail;
                i1 = q->i;
                j1 = q->j;
                k1 = q->k;
            }
        }
        if (k1 && push(&merged, i1, j1, k1) < 0)
            goto merged_fail;
        if (push(&merged, la, lb, 0) < 0)
            goto merged_fail;
    }
    out = PyList_New(0);
    if (out == NULL)
        goto merged_fail;
    {
        Py_ssize_t i = 0, j = 0;
        for (Py_ssize_t t = 0; t < merged.n; t++) {
            Py_ssize_t ai = merged.v[t].i, bj = merged.v[t].j, size = merged.v[t].k;
            const char *tag = NULL;
            if (i < ai && j < bj)
                tag = "replace";
            else if (i < ai)
                tag = "delete";
            else if (j < bj)
                tag = "insert";
            if (tag) {
                PyObject *op = Py_BuildValue("(snnnn)", tag, i, ai, j, bj);
                if (op == NULL || PyList_Append(out, op) < 0) {
                    Py_XDECREF(op);
                    Py_CLEAR(out);
                    goto merged_fail;
                }
                Py_DECREF(op);
            }
            i = ai + size;
            j = bj + size;
            if (size) {
                PyObject *op = Py_BuildValue("(snnnn)", "equal", ai, i, bj, j);
                if (op == NULL || PyList_Append(out, op) < 0) {
                    Py_XDECREF(op);
                    Py_CLEAR(out);
                    goto merged_fail;
                }
                Py_DECREF(op);
            }
        }
    }
merged_fail:
    PyMem_Free(merged.v);
done:
    Py_XDECREF(chains);
    PyMem_Free(a);
    PyMem_Free(b);
    PyMem_Free(head_of);
    PyMem_Free(next);
    PyMem_Free(j2);
    PyMem_Free(nj2);
    PyMem_Free(t1);
    PyMem_Free(t2);
    PyMem_Free(blocks.v);
    PyMem_Free(queue.v);
    return out;
}

static PyMethodDef methods[] = {
    {"line_marks", line_marks, METH_VARARGS,
     "line_marks(text, ascii, single, cache, compute) -> (marks, any_bits): the lines holding "
     "something fix_mojibake must look at"},
    {"pii_scan", pii_scan, METH_VARARGS,
     "pii_scan(text, phones) -> (windows, flags): redact_pii's phone hint windows and which "
     "other kinds may be present"},
    {"opcodes", opcodes, METH_VARARGS,
     "opcodes(a, b) -> difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_repairfast", "Compiled prechecks of fix_mojibake and redact_pii.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__repairfast(void)
{
    pii_init();
    return PyModule_Create(&module);
}
