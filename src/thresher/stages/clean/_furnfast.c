/* Compiled gates of clean_furniture (see furniture.py and rules.py, which hold the
 * pure-Python twins).
 *
 * Most lines of a page cannot be furniture, and the Python path spends most of its time
 * proving that: it lower-cases and splits every line to look its words up among the
 * trigger tokens, and runs a handful of substring tests on it. scan() walks the lines
 * of a text once and returns only the lines the Python rules must see, with the facts
 * it established about them; units() does the same for the sentences of the lines that
 * are segmented; hits() finds the lexical rules whose trigger words a unit holds. The
 * sentence gate, gate(), answers for one sentence (or one-sentence line) with the rules
 * that may match it, each by a necessary condition of its own: the lexical rules whose
 * triggers are there and one of whose literals is (rules.Lexicon.requirements, read
 * from their patterns), the structural rules by what each needs (G_*); the Python rules
 * then run only those (rules.classify_gated). line_may() answers whether any sentence
 * of a short line may be furniture before the line is segmented. None of them decides
 * anything the Python path would decide differently: every test here is the Python test
 * written out, or a necessary condition of it (the tests in
 * tests/stages/clean/test_furnfast.py compare both on adversarial and real text, rule
 * by rule).
 * Lower-casing uses CPython's own full case mapping, character by character; the one
 * mapping that depends on its neighbours (the capital sigma) is left to str.lower().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* flags of a returned line; furniture.py holds the same values */
#define F_SHORT 1       /* at most SHORT_LINE characters */
#define F_MULTI 2       /* short, with a sentence stop inside: segment it */
#define F_ADMIT 4       /* short, one sentence, could_be_furniture() holds and unit_rules_may() too */
#define F_TOKHIT 8      /* short, one sentence, a trigger token among its words */
#define F_NAV 16        /* member of a navigation run */
#define F_QCAND 32      /* ends with '?', under 150 characters, next to another such line */
#define F_WORTH 64      /* long, worth_inspecting() holds */
#define F_MAYBE 128     /* long, worth_inspecting() must be asked */
#define F_NONE 256      /* short, with a sentence stop inside (F_MULTI), but no sentence of it can be furniture */
#define F_GLUE 512      /* at most GLUED_MAX_CHARS characters, with a glue point (rules.GLUE_POINT) */

#define SHORT_LINE 80
#define GLUED_MAX_CHARS 200 /* rules.GLUED_MAX_CHARS */

/* ---- lower-casing ------------------------------------------------------------------- */

/* forced inlining lets the compiler specialise every helper for the character width
 * that scan() and units() dispatch on */
#if defined(__GNUC__) || defined(__clang__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

/* str.lower() of one character, as CPython computes it: the full mapping (one to three
 * characters). The capital sigma depends on its neighbours (final or not): the callers
 * hand any text holding one to Python. Returns the number of characters written, or 0
 * where this build cannot lower in C (the mapping function is private to CPython and
 * may be absent from later versions). */
#if PY_VERSION_HEX < 0x030D0000
INLINE int
lower_full(Py_UCS4 c, Py_UCS4 *out)
{
    if (c < 128) {
        out[0] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return 1;
    }
    if (c == 0x3a3)
        return 0;
    return _PyUnicode_ToLowerFull(c, out);
}
#else
INLINE int
lower_full(Py_UCS4 c, Py_UCS4 *out)
{
    if (c < 128) {
        out[0] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        return 1;
    }
    return 0;
}
#endif

/* ---- token sets -------------------------------------------------------------------- */

typedef struct {
    uint64_t hash;
    Py_ssize_t len;
    Py_UCS4 *s;        /* NULL: empty slot */
    PyObject *extra;   /* borrowed from TokenSet.extras: the triggers of a strong token */
} Slot;

typedef struct {
    Slot *slots;
    size_t mask;
    Py_ssize_t max_len; /* longest member, in code points */
    PyObject *set;      /* the set itself, for tokens lower-cased by Python */
    PyObject *extras;   /* dict member -> triggers, or NULL */
    /* (first, last) characters of the members, each as min(code point, 127): a token
     * whose lower-cased ends are not a pair of the set is no member (no hashing) */
    uint8_t ends[128][16];
    /* one bit per member hash: the slots are too large for the cache, and most tokens
     * that pass the test of their ends are still not members */
    uint64_t *bits;
    size_t bits_mask;
} TokenSet;

INLINE int
bucket(Py_UCS4 c)
{
    return c < 127 ? (int)c : 127;
}

enum { SET_SHORT, SET_LONG, SET_STRONG, SET_SITE_WORDS, SET_INDEX, SET_SMALL, N_SETS };
static TokenSet sets[N_SETS];
static int configured = 0;
static PyObject *str_lower = NULL;

#define FNV_START 1469598103934665603ULL
#define FNV_STEP(h, c) (((h) ^ (uint64_t)(c)) * 1099511628211ULL)

static void
free_set(TokenSet *ts)
{
    if (ts->slots != NULL) {
        for (size_t i = 0; i <= ts->mask; i++)
            PyMem_Free(ts->slots[i].s);
        PyMem_Free(ts->slots);
    }
    PyMem_Free(ts->bits);
    Py_CLEAR(ts->set);
    Py_CLEAR(ts->extras);
    memset(ts, 0, sizeof(*ts));
}

static int
build_set(TokenSet *ts, PyObject *set, PyObject *extras)
{
    if (!PyAnySet_Check(set) || (extras != NULL && !PyDict_Check(extras))) {
        PyErr_SetString(PyExc_TypeError, "token sets must be sets of str (and triggers a dict)");
        return -1;
    }
    Py_ssize_t n = PySet_GET_SIZE(set);
    size_t size = 16;
    while (size < (size_t)n * 4)
        size <<= 1;
    ts->slots = PyMem_Calloc(size, sizeof(Slot));
    if (ts->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    ts->mask = size - 1;
    size_t nbits = 4096;
    while (nbits < (size_t)n * 16)
        nbits <<= 1;
    ts->bits = PyMem_Calloc(nbits / 64, sizeof(uint64_t));
    if (ts->bits == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    ts->bits_mask = nbits - 1;
    Py_INCREF(set);
    ts->set = set;
    Py_XINCREF(extras);
    ts->extras = extras;
    PyObject *it = PyObject_GetIter(set), *item;
    if (it == NULL)
        return -1;
    while ((item = PyIter_Next(it)) != NULL) {
        if (!PyUnicode_Check(item)) {
            Py_DECREF(item);
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "token sets must be sets of str");
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(item);
        if (len > ts->max_len)
            ts->max_len = len;
        if (len > 64) { /* token_member() lower-cases into 64 characters */
            Py_DECREF(item);
            Py_DECREF(it);
            PyErr_SetString(PyExc_ValueError, "a token longer than 64 characters");
            return -1;
        }
        Py_UCS4 *s = PyUnicode_AsUCS4Copy(item);
        if (s == NULL) {
            Py_DECREF(item);
            Py_DECREF(it);
            return -1;
        }
        uint64_t h = FNV_START;
        for (Py_ssize_t i = 0; i < len; i++)
            h = FNV_STEP(h, s[i]);
        size_t k = (size_t)h & ts->mask;
        while (ts->slots[k].s != NULL)
            k = (k + 1) & ts->mask;
        if (len > 0)
            ts->ends[bucket(s[0])][bucket(s[len - 1]) >> 3] |= (uint8_t)(1u << (bucket(s[len - 1]) & 7));
        size_t bit = (size_t)(h >> 24) & ts->bits_mask;
        ts->bits[bit >> 6] |= (uint64_t)1 << (bit & 63);
        ts->slots[k].s = s;
        ts->slots[k].len = len;
        ts->slots[k].hash = h;
        if (extras != NULL) {
            ts->slots[k].extra = PyDict_GetItemWithError(extras, item);
            if (ts->slots[k].extra == NULL) {
                Py_DECREF(item);
                Py_DECREF(it);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_KeyError, "a strong token without triggers");
                return -1;
            }
        }
        Py_DECREF(item);
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

INLINE const Slot *
lookup(const TokenSet *ts, const Py_UCS4 *s, Py_ssize_t n, uint64_t h)
{
    size_t bit = (size_t)(h >> 24) & ts->bits_mask;
    if (!(ts->bits[bit >> 6] & ((uint64_t)1 << (bit & 63))))
        return NULL;
    size_t k = (size_t)h & ts->mask;
    while (ts->slots[k].s != NULL) {
        if (ts->slots[k].hash == h && ts->slots[k].len == n && memcmp(ts->slots[k].s, s, n * sizeof(Py_UCS4)) == 0)
            return &ts->slots[k];
        k = (k + 1) & ts->mask;
    }
    return NULL;
}

/* Whether str.lower() of the token text[a:b] (a split() token: no whitespace in it) is
 * in the set: 1 (*found is its slot, or NULL when Python answered), 0, or -1 on error.
 * Lower-casing never shortens a string (every character maps to one or more), so a
 * token longer than the longest member cannot be one. The lower-case of a token equals
 * that token's part of the lower-cased line: lower-casing maps no character to or from
 * whitespace, and the one context-dependent mapping (the final sigma) never looks past
 * whitespace; tests/stages/clean/test_furnfast.py checks both facts on every character. */
INLINE int
token_member(const TokenSet *ts, PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b,
             const Slot **found)
{
    *found = NULL;
    if (b - a > ts->max_len)
        return 0;
    {
        Py_UCS4 first[3], last[3];
        int kf = lower_full(PyUnicode_READ(kind, data, a), first);
        int kl = lower_full(PyUnicode_READ(kind, data, b - 1), last);
        if (kf == 0 || kl == 0)
            goto python;
        int f = bucket(first[0]), l = bucket(last[kl - 1]);
        if (!(ts->ends[f][l >> 3] & (1u << (l & 7))))
            return 0;
    }
    Py_UCS4 buf[64 + 4];
    Py_ssize_t n = 0;
    uint64_t h = FNV_START;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 m[3];
        int k = lower_full(PyUnicode_READ(kind, data, i), m);
        if (k == 0)
            goto python;
        for (int x = 0; x < k; x++) {
            if (n >= ts->max_len || n >= 64)
                return 0; /* longer than any member */
            buf[n++] = m[x];
            h = FNV_STEP(h, m[x]);
        }
    }
    *found = lookup(ts, buf, n, h);
    return *found != NULL;
python:;
    PyObject *tok = PyUnicode_Substring(text, a, b);
    if (tok == NULL)
        return -1;
    PyObject *low = PyObject_CallMethodNoArgs(tok, str_lower);
    Py_DECREF(tok);
    if (low == NULL)
        return -1;
    int r = PySet_Contains(ts->set, low);
    Py_DECREF(low);
    return r;
}

/* The next token of text[*pos:b] (split() tokens) whose lower-case is in the set:
 * 1 with *pos after it (*found its slot, or NULL when Python answered), 0 when none is
 * left, -1 on error. One pass over each token: ASCII characters are lower-cased and
 * hashed as they are read; a token holding any other goes to token_member(). */
INLINE int
next_hit(const TokenSet *ts, PyObject *text, const int kind, const void *data, Py_ssize_t *pos, Py_ssize_t b,
         const Slot **found)
{
    Py_ssize_t i = *pos;
    while (i < b) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        Py_ssize_t start = i, n = 0;
        uint64_t h = FNV_START;
        int other = 0;
        Py_UCS4 buf[64];
        for (; i < b; i++) {
            c = PyUnicode_READ(kind, data, i);
            if (c < 128) {
                if (Py_UNICODE_ISSPACE(c))
                    break;
                if (c >= 'A' && c <= 'Z')
                    c += 32;
                if (n < 64)
                    buf[n] = c;
                n++;
                h = FNV_STEP(h, c);
            }
            else if (Py_UNICODE_ISSPACE(c))
                break;
            else
                other = 1;
        }
        int r;
        if (other)
            r = token_member(ts, text, kind, data, start, i, found);
        else if (n > ts->max_len)
            r = 0;
        else {
            *found = lookup(ts, buf, n, h);
            r = *found != NULL;
        }
        if (r != 0) {
            *pos = i;
            return r;
        }
    }
    *pos = i;
    return 0;
}

/* ---- rules.worth_inspecting's trigger test --------------------------------------- */

/* Whether every word of one of the triggers of a strong token is a substring of the
 * lower-cased line low[0:n]. */
static int
trigger_present(PyObject *triggers, const Py_UCS4 *low, Py_ssize_t n)
{
    if (!PyTuple_Check(triggers))
        return -1;
    for (Py_ssize_t t = 0; t < PyTuple_GET_SIZE(triggers); t++) {
        PyObject *trigger = PyTuple_GET_ITEM(triggers, t), *it = PyObject_GetIter(trigger), *w;
        if (it == NULL)
            return -1;
        int all = 1;
        while (all && (w = PyIter_Next(it)) != NULL) {
            int wk = PyUnicode_KIND(w);
            const void *wd = PyUnicode_DATA(w);
            Py_ssize_t m = PyUnicode_GET_LENGTH(w), i, j;
            int in = m == 0;
            for (i = 0; !in && i + m <= n; i++) {
                for (j = 0; j < m && low[i + j] == PyUnicode_READ(wk, wd, j); j++)
                    ;
                in = j == m;
            }
            all = in;
            Py_DECREF(w);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return -1;
        if (all)
            return 1;
    }
    return 0;
}

/* rules.worth_inspecting's token test on a long line: 1 (worth), 0 (not), 2 (Python
 * must answer: a character this build cannot lower), -1 on error */
INLINE int
strong_test(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    const TokenSet *ts = &sets[SET_STRONG];
    Py_UCS4 *low = NULL;
    Py_ssize_t n = 0;
    int result = 0;
    Py_ssize_t i = a;
    for (;;) {
        const Slot *slot;
        int r = next_hit(ts, text, kind, data, &i, b, &slot);
        if (r == 0)
            break;
        if (r < 0 || slot == NULL) {
            result = r < 0 ? -1 : 2;
            break;
        }
        if (low == NULL) { /* the line lower-cased, once: its length first */
            Py_UCS4 m[3];
            Py_ssize_t size = 0;
            for (Py_ssize_t x = a; x < b; x++) {
                int k = lower_full(PyUnicode_READ(kind, data, x), m);
                if (k == 0)
                    return 2;
                size += k;
            }
            low = PyMem_Malloc((size + 1) * sizeof(Py_UCS4));
            if (low == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            for (Py_ssize_t x = a; x < b; x++)
                n += lower_full(PyUnicode_READ(kind, data, x), low + n);
        }
        r = trigger_present(slot->extra, low, n);
        if (r != 0) {
            result = r;
            break;
        }
    }
    PyMem_Free(low);
    return result;
}

/* not set.isdisjoint(text[a:b].lower().split()): 1, 0, or -1 on error */
INLINE int
any_token(const TokenSet *ts, PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    const Slot *slot;
    return next_hit(ts, text, kind, data, &a, b, &slot);
}

/* Whether a site name or a domain may start after a title separator at text[pos:b]
 * (rules._has_site_after_separator, a necessary condition): a domain holds a '.'
 * before the next whitespace, and a site name's first word is the whole token there. */
INLINE int
site_may_follow(PyObject *text, const int kind, const void *data, Py_ssize_t pos, Py_ssize_t b)
{
    Py_ssize_t j = pos;
    while (j < b && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j))) {
        Py_UCS4 c = PyUnicode_READ(kind, data, j);
        if (c == '.' || c >= 128)
            return 1; /* a domain, or a character case-insensitive matching may fold */
        j++;
    }
    if (j == pos)
        return 0;
    const Slot *slot;
    return token_member(&sets[SET_SITE_WORDS], text, kind, data, pos, j, &slot);
}

/* ---- character tests --------------------------------------------------------------- */

/* re's \w on str patterns */
INLINE int
is_word(Py_UCS4 c)
{
    return Py_UNICODE_ISALNUM(c) || c == '_';
}

/* [\w'\u2019-] of the title-question pattern */
INLINE int
is_title_char(Py_UCS4 c)
{
    return is_word(c) || c == '\'' || c == 0x2019 || c == '-';
}

INLINE int
matches_at(const int kind, const void *data, Py_ssize_t i, Py_ssize_t end, const char *pat)
{
    for (; *pat; pat++, i++) {
        if (i >= end || PyUnicode_READ(kind, data, i) != (Py_UCS4)(unsigned char)*pat)
            return 0;
    }
    return 1;
}

static const char *const SMALL_WORDS[] = {"a", "an", "the", "of", "in", "on", "to", "for", "and", "or", "with", NULL};

/* rules._TITLE_QUESTION_BODY matched at p (written out: a capitalised word, then two to
 * fifteen words each a capitalised word, a number or a small word, the last followed by
 * '?'; words are the longest runs of [\w'\u2019-], so the pattern never backtracks) */
INLINE int
title_question_at(const int kind, const void *data, Py_ssize_t p, Py_ssize_t end)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, p);
    if (!(c >= 'A' && c <= 'Z'))
        return 0;
    Py_ssize_t pos = p + 1;
    while (pos < end && is_title_char(PyUnicode_READ(kind, data, pos)))
        pos++;
    for (int k = 0;; k++) {
        if (pos >= end)
            return 0;
        c = PyUnicode_READ(kind, data, pos);
        if (c == '?')
            return k >= 2;
        if (c != ' ' || k == 15 || pos + 1 >= end)
            return 0;
        pos++;
        c = PyUnicode_READ(kind, data, pos);
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            pos++;
            while (pos < end && is_title_char(PyUnicode_READ(kind, data, pos)))
                pos++;
            continue;
        }
        int found = 0;
        for (const char *const *w = SMALL_WORDS; *w != NULL; w++) {
            Py_ssize_t n = (Py_ssize_t)strlen(*w);
            if (matches_at(kind, data, pos, end, *w) && pos + n < end) {
                Py_UCS4 after = PyUnicode_READ(kind, data, pos + n);
                if (after == ' ' || after == '?') {
                    pos += n;
                    found = 1;
                    break;
                }
            }
        }
        if (!found)
            return 0;
    }
}

/* rules._has_title_question on text[a:b] */
INLINE int
has_title_question(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    if (title_question_at(kind, data, a, b))
        return 1;
    for (Py_ssize_t p = a + 2; p < b; p++) {
        if (PyUnicode_READ(kind, data, p - 1) != ' ')
            continue;
        Py_UCS4 s = PyUnicode_READ(kind, data, p - 2);
        if ((s == '.' || s == '!' || s == '?') && title_question_at(kind, data, p, b))
            return 1;
    }
    return 0;
}

/* features of one line, found in one pass */
#define X_SP_DOT 1       /* " ." */
#define X_HTTP 2         /* "http" */
#define X_WWW 4          /* "www." */
#define X_SP_BAR_SP 8    /* " | " */
#define X_COPY 16        /* U+00A9 */
#define X_QMARK 32       /* "?" */
#define X_SP_COLON_SP 64 /* " : " */
#define X_DASH_SEP 128   /* " - ", " \u2013 " or " \u2014 " */
#define X_HYPHEN_SEP 256 /* " - " */
#define X_HINT_CHAR 512  /* rules._HINT_CHARS */
#define X_HINT_VERB 1024 /* rules._HINT_VERB */
#define X_INNER_STOP 2048 /* rules.INNER_STOP */

static const char *const HINT_VERBS[] = {
    " is ", " serves as ", " works as ", " has been ", " writes ", " covers ", " teaches ", " lives ", NULL};

INLINE int
is_stop(Py_UCS4 c)
{
    return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x061f || c == 0x0964 || c == 0x3002 ||
           c == 0xff01 || c == 0xff1f;
}

INLINE int
is_closer(Py_UCS4 c)
{
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201d || c == 0x2019;
}

/* the characters below 256 that features() looks at (the others it skips) */
static uint8_t interesting[256];

/* the characters below 256 that long_features() looks at */
static uint8_t interesting_long[256];

static void
init_interesting(void)
{
    const char *ascii = " hw?|>/@.!";
    for (const char *p = ascii; *p; p++)
        interesting[(unsigned char)*p] = 1;
    interesting[0xa9] = interesting[0xbb] = interesting[0xb7] = 1;
    interesting_long[' '] = interesting_long['h'] = interesting_long['w'] = interesting_long['?'] = 1;
    interesting_long[0xa9] = 1;
}

/* features() of a long line, where only these matter: X_SP_DOT, X_HTTP, X_WWW,
 * X_SP_BAR_SP and X_COPY (any of them makes the line worth inspecting: the walk stops at
 * the first), X_QMARK, X_SP_COLON_SP and X_DASH_SEP */
INLINE int
long_features(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    int x = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 256 && !interesting_long[c])
            continue;
        switch (c) {
        case ' ':
            if (i + 1 < b) {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                if (d == '.')
                    return x | X_SP_DOT;
                if (i + 2 < b && PyUnicode_READ(kind, data, i + 2) == ' ') {
                    if (d == '|')
                        return x | X_SP_BAR_SP;
                    if (d == ':')
                        x |= X_SP_COLON_SP;
                    else if (d == '-' || d == 0x2013 || d == 0x2014)
                        x |= X_DASH_SEP;
                }
            }
            break;
        case 'h':
            if (matches_at(kind, data, i, b, "http"))
                return x | X_HTTP;
            break;
        case 'w':
            if (matches_at(kind, data, i, b, "www."))
                return x | X_WWW;
            break;
        case '?':
            x |= X_QMARK;
            break;
        case 0xa9:
            return x | X_COPY;
        default:
            break;
        }
    }
    return x;
}

INLINE int
features(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int short_line, Py_ssize_t *spaces)
{
    if (!short_line) {
        *spaces = 0; /* not counted: only short lines use it */
        return long_features(kind, data, a, b);
    }
    int x = 0;
    Py_ssize_t sp = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 256 && !interesting[c])
            continue;
        switch (c) {
        case ' ':
            sp++;
            if (i + 1 < b) {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                if (d == '.')
                    x |= X_SP_DOT;
                else if (i + 2 < b && PyUnicode_READ(kind, data, i + 2) == ' ') {
                    if (d == '|')
                        x |= X_SP_BAR_SP;
                    else if (d == ':')
                        x |= X_SP_COLON_SP;
                    else if (d == '-')
                        x |= X_DASH_SEP | X_HYPHEN_SEP;
                    else if (d == 0x2013 || d == 0x2014)
                        x |= X_DASH_SEP;
                }
                if (!(x & X_HINT_VERB) && (d == 'i' || d == 's' || d == 'w' || d == 'h' || d == 'c' || d == 't' ||
                                           d == 'l')) {
                    for (const char *const *v = HINT_VERBS; *v != NULL; v++) {
                        if (matches_at(kind, data, i, b, *v)) {
                            x |= X_HINT_VERB;
                            break;
                        }
                    }
                }
            }
            break;
        case 'h':
            if (matches_at(kind, data, i, b, "http"))
                x |= X_HTTP;
            break;
        case 'w':
            if (matches_at(kind, data, i, b, "www."))
                x |= X_WWW;
            break;
        case '?':
            x |= X_QMARK | X_HINT_CHAR;
            break;
        case 0xa9:
            x |= X_COPY | X_HINT_CHAR;
            break;
        case '|': case '>': case 0xbb: case 0x203a: case '/': case '@': case 0x2013: case 0x2014: case 0xb7:
            x |= X_HINT_CHAR;
            break;
        default:
            break;
        }
        if (is_stop(c) && !(x & X_INNER_STOP)) {
            Py_ssize_t j = i + 1;
            while (j < b && is_closer(PyUnicode_READ(kind, data, j)))
                j++;
            /* \s after the stop: the line's own characters only, as the line is searched
             * on its own (the character after the line is a line break or whitespace) */
            if (j < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
                x |= X_INNER_STOP;
        }
    }
    *spaces = sp;
    return x;
}

/* rules.LIST_BULLETS and furniture._TERMINAL */
INLINE int
is_bullet(Py_UCS4 c)
{
    return c == 0x2022 || c == 0xb7 || c == '*' || c == 0x25aa || c == 0x25cf || c == 0x2013 || c == '-' ||
           c == ' ' || c == '\t';
}

INLINE int
is_terminal(Py_UCS4 c)
{
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == ',' || c == 0x3002 || c == 0xff01 ||
           c == 0xff1f;
}

/* CleanFurniture._link_like on text[a:b].lstrip(LIST_BULLETS), for lines of at most 32 */
INLINE int
link_like(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, long max_words)
{
    while (a < b && is_bullet(PyUnicode_READ(kind, data, a)))
        a++;
    Py_ssize_t n = b - a;
    if (n <= 0 || n > 30)
        return 0;
    long sp = 0;
    for (Py_ssize_t i = a; i < b; i++)
        sp += PyUnicode_READ(kind, data, i) == ' ';
    if (sp >= max_words)
        return 0;
    if (is_terminal(PyUnicode_READ(kind, data, b - 1)))
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, a);
    return Py_UNICODE_ISALPHA(c) && Py_UNICODE_ISUPPER(c);
}

/* rules.GLUE_POINT: a lower-case letter, '!', '?' or ')' directly before a capital, in the
 * regex's ranges ([a-z\u00df-\u00ff] before [A-Z\u00c0-\u00de]) */
INLINE int
has_glue_point(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = a + 1; i < b; i++) {
        Py_UCS4 d = PyUnicode_READ(kind, data, i);
        if (!((d >= 'A' && d <= 'Z') || (d >= 0xc0 && d <= 0xde)))
            continue;
        Py_UCS4 c = PyUnicode_READ(kind, data, i - 1);
        if ((c >= 'a' && c <= 'z') || (c >= 0xdf && c <= 0xff) || c == '!' || c == '?' || c == ')')
            return 1;
    }
    return 0;
}

/* ---- the line gate ------------------------------------------------------------------ */

typedef struct {
    Py_ssize_t start, end;
    int flags;
    char nav, qcand;
} Line;

INLINE int
is_line_break(Py_UCS4 c)
{
    return c == '\r' || c == '\n' || c == 0x2028 || c == 0x2029;
}

INLINE void
mark_runs(Line *lines, Py_ssize_t n, int which, long min_len, int flag)
{
    Py_ssize_t k = 0;
    while (k < n) {
        int on = which ? lines[k].qcand : lines[k].nav;
        if (!on) {
            k++;
            continue;
        }
        Py_ssize_t m = k;
        while (m < n && (which ? lines[m].qcand : lines[m].nav))
            m++;
        if (m - k >= min_len)
            for (Py_ssize_t x = k; x < m; x++)
                lines[x].flags |= flag;
        k = m;
    }
}

/* rules._PUNCT: the characters read as space by the lexical rules' word split */
static uint8_t punct_low[256];
static Py_UCS4 punct_high[64];
static int n_punct_high = 0;

INLINE int
is_punct(Py_UCS4 c)
{
    if (c < 256)
        return punct_low[c];
    for (int k = 0; k < n_punct_high; k++)
        if (punct_high[k] == c)
            return 1;
    return 0;
}

/* a title separator (" - ", " \u2013 ", " \u2014 ") with a possible site name after it */
INLINE int
dash_site_may(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = a; i + 2 < b; i++) {
        if (PyUnicode_READ(kind, data, i) != ' ' || PyUnicode_READ(kind, data, i + 2) != ' ')
            continue;
        Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
        if (d == '-' || d == 0x2013 || d == 0x2014) {
            int r = site_may_follow(text, kind, data, i + 3, b);
            if (r != 0)
                return r;
        }
    }
    return 0;
}

INLINE int gate(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int token_hit,
                long long *mask_out, int *bits_out);
INLINE int line_may(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b);

INLINE PyObject *
scan(PyObject *text, const int kind, long nav_max_words, long nav_run)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);

    /* segment.line_bounds: runs between line breaks, stripped of whitespace */
    Py_ssize_t cap = 64, n = 0;
    Line *lines = PyMem_Malloc(cap * sizeof(Line));
    if (lines == NULL)
        return PyErr_NoMemory();
    Py_ssize_t i = 0;
    int any_q = 0;
    while (i < len) {
        Py_ssize_t j = i;
        while (j < len && !is_line_break(PyUnicode_READ(kind, data, j)))
            j++;
        Py_ssize_t s = i, e = j;
        while (s < e && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s)))
            s++;
        while (e > s && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, e - 1)))
            e--;
        if (e > s) {
            if (n == cap) {
                cap *= 2;
                Line *grown = PyMem_Realloc(lines, cap * sizeof(Line));
                if (grown == NULL) {
                    PyMem_Free(lines);
                    return PyErr_NoMemory();
                }
                lines = grown;
            }
            Line *L = &lines[n++];
            L->start = s;
            L->end = e;
            L->flags = 0;
            L->nav = e - s <= 32 && link_like(kind, data, s, e, nav_max_words);
            L->qcand = PyUnicode_READ(kind, data, e - 1) == '?' && e - s < 150;
            any_q |= L->qcand;
        }
        i = j + 1;
    }
    mark_runs(lines, n, 0, nav_run, F_NAV);
    if (any_q) /* a question line matters only next to another (runs of two or more) */
        mark_runs(lines, n, 1, 2, F_QCAND);

    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto error;
    for (Py_ssize_t li = 0; li < n; li++) {
        Line *L = &lines[li];
        Py_ssize_t a = L->start, b = L->end, spaces;
        int f = L->flags;
        long long mask = 0;
        int bits = 0;
        if (b - a <= SHORT_LINE) {
            int x = features(kind, data, a, b, 1, &spaces);
            f |= F_SHORT;
            if (x & X_INNER_STOP) {
                f |= F_MULTI;
                if (!(f & (F_NAV | F_QCAND))) { /* may any of its sentences be furniture? */
                    int r = line_may(text, kind, data, a, b);
                    if (r < 0)
                        goto error;
                    if (!r)
                        f |= F_NONE;
                }
            }
            else {
                int hit = any_token(&sets[spaces < 15 ? SET_SHORT : SET_LONG], text, kind, data, a, b);
                if (hit < 0)
                    goto error;
                if (hit)
                    f |= F_TOKHIT;
                /* could_be_furniture() */
                int admitted = hit || (x & (X_HINT_CHAR | X_HTTP | X_WWW | X_HYPHEN_SEP | X_SP_COLON_SP | X_HINT_VERB)) ||
                               (b - a >= 2 && PyUnicode_READ(kind, data, b - 1) == '.' &&
                                PyUnicode_READ(kind, data, b - 2) == ' ');
                if (admitted || (f & (F_NAV | F_QCAND))) {
                    /* the sentence gate's answer: a line it leaves out gets no verdict of
                     * its own (the Python rules see it if its neighbours give it one: F_NAV,
                     * F_QCAND, and judge it by the rules the answer names) */
                    int r = gate(text, kind, data, a, b, hit, &mask, &bits);
                    if (r < 0)
                        goto error;
                    if (r && admitted)
                        f |= F_ADMIT;
                }
            }
        }
        else {
            int x = features(kind, data, a, b, 0, &spaces);
            if (x & (X_SP_DOT | X_HTTP | X_WWW | X_SP_BAR_SP | X_COPY))
                f |= F_WORTH;
            else if ((x & X_QMARK) && ((x & X_SP_COLON_SP) || has_title_question(kind, data, a, b)))
                f |= F_WORTH;
            else {
                int r = strong_test(text, kind, data, a, b);
                if (r == 0 && (x & X_DASH_SEP))
                    r = dash_site_may(text, kind, data, a, b) ? 2 : 0; /* sites: the Python rules */
                if (r < 0)
                    goto error;
                f |= r == 1 ? F_WORTH : r == 2 ? F_MAYBE : 0;
            }
        }
        if (b - a <= GLUED_MAX_CHARS && has_glue_point(kind, data, a, b))
            f |= F_GLUE;
        if (!(f & (F_MULTI | F_ADMIT | F_NAV | F_QCAND | F_WORTH | F_MAYBE | F_GLUE)))
            continue;
        PyObject *t = Py_BuildValue("(nnniLi)", li, a, b, f, mask, bits);
        if (t == NULL || PyList_Append(out, t) < 0) {
            Py_XDECREF(t);
            goto error;
        }
        Py_DECREF(t);
    }
    PyMem_Free(lines);
    PyObject *res = Py_BuildValue("(nN)", n, out);
    return res;
error:
    PyMem_Free(lines);
    Py_XDECREF(out);
    return NULL;
}

/* ---- the sentence gate --------------------------------------------------------------- */

/* The structural rules that may match a unit: bits of gate()'s answer (rules.py holds
 * the same values as G_*) */
#define G_CRUMB_DOT 1 /* rules._BREADCRUMB_DOT */
#define G_CRUMB_SEP 2 /* rules._BREADCRUMB_SEP */
#define G_BIO 4       /* rules._BIO */
#define G_QUESTION 8  /* a title-case question (related_question) */
#define G_REFLIST 16  /* rules.is_reference_list */
#define G_TITLE 32    /* rules.whole_title, rules.glued_title */
#define G_TOKHIT 64   /* not a rule: a trigger token of the unit's length is among its words */

/* ---- case folding as the regex engine compares characters under IGNORECASE --------- */

/* The engine lower-cases a character with the simple mapping and treats a few lower-case
 * characters as equal (re._casefix._EXTRA_CASES: "ı" and "i", "ſ" and "s", ...): fold()
 * maps each of those to the smallest of its class, so that a character the engine matches
 * against a pattern character folds to what that character folds to
 * (tests/stages/clean/test_furnfast.py checks it for every character of every literal). */
static Py_UCS4 fix_from[256], fix_to[256];
static Py_ssize_t n_fixes = 0;
static int fold_beyond_ascii = 0; /* whether fold() is known for characters above U+007F */

INLINE Py_UCS4
fold(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
#if PY_VERSION_HEX < 0x030D0000
    Py_UCS4 lo = _PyUnicode_ToLowercase(c);
    Py_ssize_t l = 0, h = n_fixes;
    while (l < h) { /* fix_from is sorted */
        Py_ssize_t m = (l + h) / 2;
        if (fix_from[m] < lo)
            l = m + 1;
        else
            h = m;
    }
    return l < n_fixes && fix_from[l] == lo ? fix_to[l] : lo;
#else
    return c; /* unused: fold_beyond_ascii stays 0 */
#endif
}

/* ---- the literals a lexical rule needs (rules.Lexicon.requirements) ------------------ */

typedef struct {
    Py_UCS4 *s;
    Py_ssize_t len;
} Lit;

typedef struct {
    int none;            /* no condition: the rule is run whenever its triggers are there */
    Lit *anchored;       /* one of these starts the unit ... */
    Py_ssize_t n_anchored;
    Lit *floating;       /* ... or one of these is in it; sorted by the bucket of their first */
    Py_ssize_t n_floating;
    int32_t first[129];  /* floating[first[k]:first[k + 1]]: those whose first character is in bucket k */
    Lit *any;            /* all of them, anchored or not (the same strings), sorted the same way */
    Py_ssize_t n_any;
    int32_t any_first[129];
} Req;

static Req reqs[64];
static int n_reqs = 0;

static void
free_reqs(void)
{
    for (int i = 0; i < n_reqs; i++) {
        for (Py_ssize_t k = 0; k < reqs[i].n_anchored; k++)
            PyMem_Free(reqs[i].anchored[k].s);
        for (Py_ssize_t k = 0; k < reqs[i].n_floating; k++)
            PyMem_Free(reqs[i].floating[k].s);
        PyMem_Free(reqs[i].anchored);
        PyMem_Free(reqs[i].floating);
        PyMem_Free(reqs[i].any); /* its strings are those above */
    }
    memset(reqs, 0, sizeof(reqs));
    n_reqs = 0;
}

static int
lit_bucket_cmp(const void *x, const void *y)
{
    int a = bucket(((const Lit *)x)->s[0]), b = bucket(((const Lit *)y)->s[0]);
    return a - b;
}

/* requirements: per rule, None or a tuple of (anchored, string) pairs; the strings are
 * folded here */
static int
build_reqs(PyObject *requirements)
{
    if (!PyTuple_Check(requirements) || PyTuple_GET_SIZE(requirements) > 64) {
        PyErr_SetString(PyExc_TypeError, "requirements must be a tuple of at most 64 entries");
        return -1;
    }
    n_reqs = (int)PyTuple_GET_SIZE(requirements);
    for (int i = 0; i < n_reqs; i++) {
        PyObject *r = PyTuple_GET_ITEM(requirements, i);
        Req *q = &reqs[i];
        if (r == Py_None) {
            q->none = 1;
            continue;
        }
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) == 0) {
            PyErr_SetString(PyExc_TypeError, "a requirement must be None or a non-empty tuple");
            return -1;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(r);
        q->anchored = PyMem_Calloc(n, sizeof(Lit));
        q->floating = PyMem_Calloc(n, sizeof(Lit));
        if (q->anchored == NULL || q->floating == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *pair = PyTuple_GET_ITEM(r, k), *s;
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
                !PyUnicode_Check(s = PyTuple_GET_ITEM(pair, 1)) || PyUnicode_GET_LENGTH(s) == 0) {
                PyErr_SetString(PyExc_TypeError, "a requirement is (anchored, non-empty str) pairs");
                return -1;
            }
            int anchored = PyObject_IsTrue(PyTuple_GET_ITEM(pair, 0));
            if (anchored < 0)
                return -1;
            Lit *L = anchored ? &q->anchored[q->n_anchored++] : &q->floating[q->n_floating++];
            L->len = PyUnicode_GET_LENGTH(s);
            L->s = PyMem_Malloc(L->len * sizeof(Py_UCS4));
            if (L->s == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            for (Py_ssize_t x = 0; x < L->len; x++) {
                Py_UCS4 c = PyUnicode_READ_CHAR(s, x);
                if (c >= 128 && !fold_beyond_ascii) {
                    /* a literal this build cannot fold: the rule gets no condition */
                    q->none = 1;
                }
                L->s[x] = fold(c);
            }
        }
        qsort(q->floating, q->n_floating, sizeof(Lit), lit_bucket_cmp);
        Py_ssize_t k = 0;
        for (int bk = 0; bk <= 128; bk++) {
            while (k < q->n_floating && bucket(q->floating[k].s[0]) < bk)
                k++;
            q->first[bk] = (int32_t)k;
        }
        q->n_any = n;
        q->any = PyMem_Calloc(n, sizeof(Lit));
        if (q->any == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(q->any, q->anchored, q->n_anchored * sizeof(Lit));
        memcpy(q->any + q->n_anchored, q->floating, q->n_floating * sizeof(Lit));
        qsort(q->any, q->n_any, sizeof(Lit), lit_bucket_cmp);
        k = 0;
        for (int bk = 0; bk <= 128; bk++) {
            while (k < q->n_any && bucket(q->any[k].s[0]) < bk)
                k++;
            q->any_first[bk] = (int32_t)k;
        }
    }
    return 0;
}

/* whether one of the literals lits, bucketed by first character (those of bucket k are
 * lits[first[k]:first[k + 1]]), starts somewhere in F[0:n] */
INLINE int
literal_in(const Lit *lits, const int32_t *first, const Py_UCS4 *F, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int bk = bucket(F[i]);
        for (int32_t k = first[bk]; k < first[bk + 1]; k++) {
            const Lit *L = &lits[k];
            if (L->s[0] == F[i] && L->len <= n - i && memcmp(F + i, L->s, L->len * sizeof(Py_UCS4)) == 0)
                return 1;
        }
    }
    return 0;
}

/* whether one of the rule's literals is where it must be in the folded unit F[0:n] */
static int
req_holds(const Req *q, const Py_UCS4 *F, Py_ssize_t n)
{
    if (q->none)
        return 1;
    for (Py_ssize_t k = 0; k < q->n_anchored; k++) {
        const Lit *L = &q->anchored[k];
        if (L->len <= n && memcmp(F, L->s, L->len * sizeof(Py_UCS4)) == 0)
            return 1;
    }
    return q->n_floating != 0 && literal_in(q->floating, q->first, F, n);
}

/* whether one of the rule's literals, anchored or not, is anywhere in F[0:n] (a sentence
 * of a line starts anywhere in it) */
static int
req_anywhere(const Req *q, const Py_UCS4 *F, Py_ssize_t n)
{
    return q->none || literal_in(q->any, q->any_first, F, n);
}

/* ---- rules._lexical's trigger test ------------------------------------------------- */

typedef struct {
    const Py_UCS4 *s;
    Py_ssize_t len;
} Word;

/* buffers reused from call to call (the GIL is held throughout) */
static Py_UCS4 *buf_low = NULL, *buf_fold = NULL;
static Word *buf_words = NULL;
static Py_ssize_t cap_low = 0, cap_fold = 0, cap_words = 0;

static int
grow(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    Py_ssize_t n = need < 256 ? 256 : need * 2;
    void *p = PyMem_Realloc(*buf, n * size);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = p;
    *cap = n;
    return 0;
}

/* whether str w is one of the words */
static int
word_in(PyObject *w, const Word *words, Py_ssize_t n)
{
    Py_ssize_t m = PyUnicode_GET_LENGTH(w);
    int wk = PyUnicode_KIND(w);
    const void *wd = PyUnicode_DATA(w);
    for (Py_ssize_t k = 0; k < n; k++) {
        if (words[k].len != m)
            continue;
        Py_ssize_t j = 0;
        while (j < m && words[k].s[j] == PyUnicode_READ(wk, wd, j))
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

/* The rules (bit i: rule i) one of whose triggers is all among the words of the unit
 * text[a:b], the words being its lower-case with rules._PUNCT read as space, split, plus
 * "@" and U+00A9 where the unit holds them; only rules allowing n_words words. -1 where
 * Python must answer (a capital sigma, a build that cannot lower in C, a unit over 4,096
 * characters), -2 on error. */
static long long
hits_range(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t n_words)
{
    Py_ssize_t len = b - a;
    if (len > 4096) /* units are sentences; a longer one is rare enough to leave to Python */
        return -1;
    if (grow((void **)&buf_low, &cap_low, 3 * len + 4, sizeof(Py_UCS4)) < 0 ||
        grow((void **)&buf_words, &cap_words, len + 2, sizeof(Word)) < 0) /* a word per character, plus two */
        return -2;
    Py_UCS4 *low = buf_low;
    Word *words = buf_words;
    Py_ssize_t n = 0, nw = 0;
    int has_at = 0, has_copy = 0;
    long long result = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        has_at |= c == '@';
        has_copy |= c == 0xa9;
        int k = lower_full(c, low + n);
        if (k == 0)
            return -1;
        n += k;
    }
    for (Py_ssize_t j = 0; j < n; j++)
        if (is_punct(low[j]))
            low[j] = ' ';
    for (Py_ssize_t j = 0; j < n;) {
        if (Py_UNICODE_ISSPACE(low[j])) {
            j++;
            continue;
        }
        Py_ssize_t start = j;
        while (j < n && !Py_UNICODE_ISSPACE(low[j]))
            j++;
        words[nw].s = low + start;
        words[nw].len = j - start;
        nw++;
    }
    static const Py_UCS4 at_sign = '@', copy_sign = 0xa9;
    if (has_at) {
        words[nw].s = &at_sign;
        words[nw].len = 1;
        nw++;
    }
    if (has_copy) {
        words[nw].s = &copy_sign;
        words[nw].len = 1;
        nw++;
    }
    const TokenSet *ts = &sets[SET_INDEX];
    for (Py_ssize_t k = 0; k < nw; k++) {
        if (words[k].len > ts->max_len)
            continue;
        uint64_t h = FNV_START;
        for (Py_ssize_t j = 0; j < words[k].len; j++)
            h = FNV_STEP(h, words[k].s[j]);
        const Slot *slot = lookup(ts, words[k].s, words[k].len, h);
        if (slot == NULL)
            continue;
        PyObject *entries = slot->extra; /* ((rule index, trigger words, max_words), ...) */
        for (Py_ssize_t e = 0; e < PyTuple_GET_SIZE(entries); e++) {
            PyObject *entry = PyTuple_GET_ITEM(entries, e);
            long rule = PyLong_AsLong(PyTuple_GET_ITEM(entry, 0));
            Py_ssize_t max_words = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 2));
            if (PyErr_Occurred())
                return -2;
            if (n_words > max_words || (result >> rule) & 1)
                continue;
            PyObject *trigger = PyTuple_GET_ITEM(entry, 1);
            int all = 1;
            for (Py_ssize_t t = 0; all && t < PyTuple_GET_SIZE(trigger); t++)
                all = word_in(PyTuple_GET_ITEM(trigger, t), words, nw);
            if (all)
                result |= 1LL << rule;
        }
    }
    return result;
}

/* 1 when configure() has been called, else 0 with a RuntimeError set: the check every
 * entry point that reads the tables makes first */
static int
require_configured(void)
{
    if (!configured)
        PyErr_SetString(PyExc_RuntimeError, "_furnfast.configure() has not been called");
    return configured != 0;
}

static PyObject *
ff_hits(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t n_words;
    if (!PyArg_ParseTuple(args, "Un", &text, &n_words))
        return NULL;
    if (!require_configured())
        return NULL;
    long long r = hits_range(PyUnicode_KIND(text), PyUnicode_DATA(text), 0, PyUnicode_GET_LENGTH(text), n_words);
    if (r == -2)
        return NULL;
    return PyLong_FromLongLong(r);
}

/* ---- the structural rules' necessary conditions --------------------------------------- */

INLINE int
ci_at(const int kind, const void *data, Py_ssize_t i, Py_ssize_t end, const char *pat)
{
    for (; *pat; pat++, i++) {
        if (i >= end)
            return 0;
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != (Py_UCS4)(unsigned char)*pat)
            return 0;
    }
    return 1;
}

static const char *const BIO_VERBS[] = {"is", "serves as", "works as", "has been", "writes", "covers", "teaches",
                                        "lives", NULL};

/* rules._BIO can match text[a:b] only if, splitting it at single spaces, two or more
 * words open it that start with a capital A-Z (the name, then any degrees: all of them
 * start so) and the first word that does not is a bio verb followed by a non-word
 * character or the end (the pattern's "\b") */
INLINE int
bio_may(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a;
    int words = 0;
    for (;;) {
        if (i >= b)
            return 0;
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 'A' && c <= 'Z') {
            while (i < b && PyUnicode_READ(kind, data, i) != ' ')
                i++;
            i++;
            words++;
            continue;
        }
        if (words < 2)
            return 0;
        for (const char *const *v = BIO_VERBS; *v != NULL; v++) {
            if (matches_at(kind, data, i, b, *v)) {
                Py_ssize_t e = i + (Py_ssize_t)strlen(*v);
                if (e >= b || !is_word(PyUnicode_READ(kind, data, e)))
                    return 1;
            }
        }
        return 0;
    }
}

/* the characters is_title_case() strips from its words */
INLINE int
title_strip(Py_UCS4 c)
{
    return c == '"' || c == '\'' || c == '(' || c == ')' || c == 0x201c || c == 0x201d || c == '?' || c == '!' ||
           c == '.' || c == ',' || c == ':' || c == ';';
}

/* rules.is_title_case(text[a:b]) can hold only if it has four words or more and no word
 * (stripped) starts with a character that is neither upper case nor a digit unless it
 * may be a small word (an ASCII word whose lower case is one, or any word with another
 * character: left to Python) */
INLINE int
title_case_may(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i = a, words = 0;
    while (i < b) {
        while (i < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i >= b)
            break;
        Py_ssize_t s = i;
        while (i < b && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        Py_ssize_t e = i;
        words++;
        while (s < e && title_strip(PyUnicode_READ(kind, data, s)))
            s++;
        while (e > s && title_strip(PyUnicode_READ(kind, data, e - 1)))
            e--;
        if (s == e)
            continue;
        Py_UCS4 c0 = PyUnicode_READ(kind, data, s);
        if (Py_UNICODE_ISUPPER(c0) || Py_UNICODE_ISDIGIT(c0))
            continue;
        if (e - s > sets[SET_SMALL].max_len)
            return 0; /* longer than any small word (lower-casing never shortens) */
        Py_UCS4 buf[16];
        uint64_t h = FNV_START;
        for (Py_ssize_t x = s; x < e; x++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, x);
            if (c >= 128)
                goto next_word; /* may lower-case to a small word: Python decides */
            c = (c >= 'A' && c <= 'Z') ? c + 32 : c;
            buf[x - s] = c;
            h = FNV_STEP(h, c);
        }
        if (lookup(&sets[SET_SMALL], buf, e - s, h) == NULL)
            return 0;
    next_word:;
    }
    return words >= 4;
}

/* Whether a site name or a domain may start at text[q:b] after a title separator
 * (rules._site_at, rules.whole_title), or, where ``unknown`` (the title ends with "?" or
 * the separator is "|"), any capitalised word (rules._SITE_TOKEN): a subforum ("r/");
 * a domain holds a '.' before the next whitespace; a site name's first word is the
 * token there, compared as the case-insensitive site pattern compares (the site words
 * are ASCII, and the only other characters it matches to ASCII letters are the Kelvin
 * sign, the long s and the dotted and dotless i: test_furnfast.py checks every
 * character) */
INLINE int
site_or_word_at(const int kind, const void *data, Py_ssize_t q, Py_ssize_t b, int unknown)
{
    if (q >= b)
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, q);
    if (unknown && c >= 'A' && c <= 'Z')
        return 1;
    if (c == 'r' && q + 1 < b && PyUnicode_READ(kind, data, q + 1) == '/')
        return 1;
    const TokenSet *ts = &sets[SET_SITE_WORDS];
    Py_UCS4 buf[64];
    Py_ssize_t n = 0;
    uint64_t h = FNV_START;
    int fits = 1;
    for (Py_ssize_t j = q; j < b; j++) {
        c = PyUnicode_READ(kind, data, j);
        if (Py_UNICODE_ISSPACE(c))
            break;
        if (c == '.')
            return 1;
        if (c < 128)
            c = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        else if (c == 0x212a)
            c = 'k';
        else if (c == 0x17f)
            c = 's';
        else if (c == 0x130 || c == 0x131)
            c = 'i';
        else
            fits = 0; /* no site word holds it; read on for a '.' */
        if (n < 64)
            buf[n] = c;
        n++;
        h = FNV_STEP(h, c);
    }
    if (!fits || n == 0 || n > ts->max_len || n > 64)
        return 0;
    return lookup(ts, buf, n, h) != NULL;
}

INLINE int
title_sep_char(Py_UCS4 d)
{
    return d == '-' || d == '|' || d == ':' || d == 0x2013 || d == 0x2014 || d == 0xb7;
}

/* rules.whole_title() or rules.glued_title() can find a title in text[a:b] only if it
 * holds a separator of rules._TITLE_SEP followed by a site (see site_or_word_at) */
INLINE int
title_may(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    Py_UCS4 last = 0; /* the last character before i that is not whitespace */
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == '|' && site_or_word_at(kind, data, i + 1, b, 1))
            return 1;
        if (Py_UNICODE_ISSPACE(c)) {
            if (i + 2 < b) {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                Py_ssize_t q = -1;
                if (title_sep_char(d) && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 2)))
                    q = i + 3;
                else if (d == ':' && i + 3 < b && PyUnicode_READ(kind, data, i + 2) == ':' &&
                         Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 3)))
                    q = i + 4;
                if (q >= 0 && site_or_word_at(kind, data, q, b, d == '|' || last == '?'))
                    return 1;
            }
        }
        else
            last = c;
    }
    return 0;
}

INLINE int
crumb_char(Py_UCS4 d)
{
    return d == '>' || d == 0xbb || d == 0x203a || d == '/' || d == '|';
}

/* What the gates read of text[a:b] in one pass: counts of spaces, list separators,
 * spaced dashes and breadcrumb separators; whether it is ASCII, holds a link (any case,
 * and as written), a symbol trigger, a spaced hyphen, a breadcrumb or a title separator.
 * With `line` set (line_may), also whether some sentence of it may end with " ." or "?"
 * or hold a bio's name and verb (`structural`), and 1 is returned as soon as a CJK full
 * stop is found (the line is then let through without the counts); 0 otherwise. */
typedef struct {
    Py_ssize_t spaces, list_seps, dashes, crumbs;
    int ascii, link_ci, symbol, link_cs, hyphen_sep, crumb_sep, title_sep, structural;
} UnitScan;

INLINE int
scan_unit(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, const int line, UnitScan *u)
{
    Py_ssize_t spaces = 0, list_seps = 0, dashes = 0, crumbs = 0;
    int ascii = 1, link_ci = 0, symbol = 0, link_cs = 0, hyphen_sep = 0, crumb_sep = 0, title_sep = 0;
    int structural = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 128) {
            ascii = 0;
            if (line && (c == 0x3002 || c == 0xff01 || c == 0xff1f))
                return 1; /* a CJK full stop: sentences may end inside a token */
            if (c == 0xa9)
                symbol = 1;
            else if (c == 0x2013 || c == 0x2014 || c == 0xbb || c == 0x203a || c == 0xb7) {
                if (i > a && i + 1 < b && PyUnicode_READ(kind, data, i - 1) == ' ' &&
                    PyUnicode_READ(kind, data, i + 1) == ' ') {
                    title_sep |= c != 0xbb && c != 0x203a;
                    crumb_sep |= c == 0xbb || c == 0x203a;
                    dashes += c == 0x2013;
                }
            }
            if (Py_UNICODE_ISSPACE(c) && i > a && i + 2 < b && crumb_char(PyUnicode_READ(kind, data, i + 1)) &&
                Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 2)))
                crumbs++;
            continue;
        }
        switch (c) {
        case ' ':
            spaces++;
            if (line && i + 1 < b) {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                if (d == '.' && (i + 2 == b || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 2))))
                    structural = 1; /* a sentence ending with " ." */
            }
            if (i + 2 < b && PyUnicode_READ(kind, data, i + 2) == ' ') {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                if (d == '-') {
                    hyphen_sep = 1;
                    title_sep = 1;
                    dashes++;
                }
                else if (d == ':')
                    title_sep = 1;
                else if (d == '>' || d == '/' || d == '|')
                    crumb_sep = 1;
            }
            if (line && !structural && i > a) {
                for (const char *const *v = BIO_VERBS; *v != NULL; v++) {
                    Py_ssize_t e = i + 1 + (Py_ssize_t)strlen(*v);
                    if (matches_at(kind, data, i + 1, b, *v) && (e >= b || !is_word(PyUnicode_READ(kind, data, e)))) {
                        /* the two words before: each starts with A-Z, one space apart */
                        Py_ssize_t s1 = i;
                        while (s1 > a && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s1 - 1)))
                            s1--;
                        Py_UCS4 c1 = PyUnicode_READ(kind, data, s1);
                        if (s1 < i && c1 >= 'A' && c1 <= 'Z' && s1 - 2 >= a &&
                            PyUnicode_READ(kind, data, s1 - 1) == ' ') {
                            Py_ssize_t s2 = s1 - 1;
                            while (s2 > a && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s2 - 1)))
                                s2--;
                            Py_UCS4 c2 = PyUnicode_READ(kind, data, s2);
                            if (s2 < s1 - 1 && c2 >= 'A' && c2 <= 'Z')
                                structural = 1;
                        }
                        break;
                    }
                }
            }
            break;
        case '?':
            if (line && (i + 1 == b || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1))))
                structural = 1; /* a sentence ending with "?" */
            break;
        case '|':
            title_sep = 1;
            list_seps++;
            break;
        case ',': case ';':
            list_seps++;
            break;
        case '@':
            symbol = 1;
            break;
        case 'h': case 'H':
            if (ci_at(kind, data, i, b, "http")) {
                link_ci = 1;
                link_cs |= matches_at(kind, data, i, b, "http");
            }
            break;
        case 'w': case 'W':
            if (ci_at(kind, data, i, b, "www.")) {
                link_ci = 1;
                link_cs |= matches_at(kind, data, i, b, "www.");
            }
            break;
        default:
            break;
        }
        if (i > a && i + 2 < b && Py_UNICODE_ISSPACE(c) && crumb_char(PyUnicode_READ(kind, data, i + 1)) &&
            Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 2)))
            crumbs++;
    }
    *u = (UnitScan){spaces, list_seps, dashes, crumbs, ascii, link_ci, symbol, link_cs,
                    hyphen_sep, crumb_sep, title_sep, structural};
    return 0;
}

/* The rules that may match the unit text[a:b], each by a necessary condition of its own
 * (or the rule's test itself), so that a unit with none gets no verdict from
 * rules.classify() and no title from rules.glued_title(): *mask, the lexical rules (their
 * triggers are there, as rules._lexical finds them, and so is one of their literals;
 * -1: Python must find them), *bits, the structural ones (G_*). ``token_hit`` is the
 * trigger-token test when the caller has made it, else -1. Returns whether any may, or
 * -1 on error. */
INLINE int
gate(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int token_hit,
     long long *mask_out, int *bits_out)
{
    *mask_out = 0;
    *bits_out = 0;
    if (b <= a) { /* an empty unit: let the rules say */
        *mask_out = -1;
        *bits_out = G_CRUMB_DOT | G_CRUMB_SEP | G_BIO | G_QUESTION | G_REFLIST | G_TITLE;
        return 1;
    }
    /* one pass for the characters and substrings the tests below look at */
    UnitScan u;
    scan_unit(kind, data, a, b, 0, &u);
    Py_ssize_t spaces = u.spaces, list_seps = u.list_seps, dashes = u.dashes, crumbs = u.crumbs;
    int ascii = u.ascii, link_ci = u.link_ci, symbol = u.symbol, link_cs = u.link_cs;
    int hyphen_sep = u.hyphen_sep, crumb_sep = u.crumb_sep, title_sep = u.title_sep;
    Py_ssize_t n_words = spaces + 1;
    if (token_hit < 0) {
        token_hit = any_token(&sets[n_words <= 15 ? SET_SHORT : SET_LONG], text, kind, data, a, b);
        if (token_hit < 0)
            return -1;
    }
    int bits = token_hit ? G_TOKHIT : 0;

    /* rules._lexical: a trigger token, a link or a symbol, then the rules whose triggers
     * are there, then those of them whose literals are there */
    long long mask = 0;
    if (n_words <= 60 && (token_hit || link_ci || symbol)) {
        mask = hits_range(kind, data, a, b, n_words);
        if (mask == -2)
            return -1;
        if (mask > 0 && (ascii || fold_beyond_ascii)) {
            Py_ssize_t n = b - a;
            if (grow((void **)&buf_fold, &cap_fold, n, sizeof(Py_UCS4)) < 0)
                return -1;
            for (Py_ssize_t i = 0; i < n; i++)
                buf_fold[i] = fold(PyUnicode_READ(kind, data, a + i));
            long long kept = 0;
            for (int r = 0; r < n_reqs; r++)
                if ((mask >> r) & 1 && req_holds(&reqs[r], buf_fold, n))
                    kept |= 1LL << r;
            mask = kept;
        }
    }

    /* the structural rules of rules._classify, in its order, and the title rules */
    Py_UCS4 first = PyUnicode_READ(kind, data, a), last = PyUnicode_READ(kind, data, b - 1);
    if (n_words <= 5 && last == '.' && b - a >= 2 && PyUnicode_READ(kind, data, b - 2) == ' ' && first >= 'A' &&
        first <= 'Z')
        bits |= G_CRUMB_DOT;
    if (n_words <= 30 && crumb_sep && crumbs >= 2)
        bits |= G_CRUMB_SEP;
    if (n_words <= 45 && first >= 'A' && first <= 'Z' && bio_may(kind, data, a, b))
        bits |= G_BIO;
    if (n_words <= 16 && last == '?' && title_case_may(kind, data, a, b))
        bits |= G_QUESTION;
    if (n_words >= 8 && list_seps >= 4 && (link_cs || dashes >= 2) && (link_cs || hyphen_sep))
        bits |= G_REFLIST;
    if (title_sep && title_may(kind, data, a, b))
        bits |= G_TITLE;
    *mask_out = mask;
    *bits_out = bits;
    return mask != 0 || (bits & ~G_TOKHIT) != 0;
}

/* Whether some sentence of the line text[a:b] may be furniture: a necessary condition
 * for a sentence of it to get a verdict from rules.classify() or a title from
 * rules.glued_title(), made of what the sentence tests need of the whole line. A
 * sentence of a line starts after whitespace (or at the line's start) and ends before
 * it (or at its end), unless a CJK full stop ends it: a line holding one is let through.
 * So its words, its split() tokens, its folded characters and its counts of separators
 * are among the line's: the lexical test runs on the line with the trigger tokens of
 * short units (a superset of the long ones'), no bound on the number of words, and a
 * rule's literals looked for anywhere; the structural tests by what each needs of the
 * line: " ." before whitespace or the end (breadcrumb), the separators counted (trail,
 * reference list), "?" before whitespace or the end (question), a title separator with
 * a site after it (title), and, for the bio, a bio verb after a space, preceded by two
 * words that start with a capital A-Z, one space apart (rules._BIO's name words hold no
 * whitespace). Used on short lines (on paragraphs it cost more than it saved). Returns
 * 1, 0, or -1 on error. */
INLINE int
line_may(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    UnitScan u;
    if (scan_unit(kind, data, a, b, 1, &u))
        return 1; /* a CJK full stop */
    Py_ssize_t spaces = u.spaces, list_seps = u.list_seps, dashes = u.dashes, crumbs = u.crumbs;
    int ascii = u.ascii, link_ci = u.link_ci, symbol = u.symbol, link_cs = u.link_cs;
    int hyphen_sep = u.hyphen_sep, crumb_sep = u.crumb_sep, title_sep = u.title_sep;
    int structural = u.structural;
    if (structural || (crumb_sep && crumbs >= 2) ||
        (spaces + 1 >= 8 && list_seps >= 4 && (link_cs || dashes >= 2) && (link_cs || hyphen_sep)) ||
        (title_sep && title_may(kind, data, a, b)))
        return 1;
    int token_hit = any_token(&sets[SET_SHORT], text, kind, data, a, b);
    if (token_hit < 0)
        return -1;
    if (!token_hit && !link_ci && !symbol)
        return 0;
    long long mask = hits_range(kind, data, a, b, 1);
    if (mask == -2)
        return -1;
    if (mask <= 0 || !(ascii || fold_beyond_ascii))
        return mask != 0;
    Py_ssize_t n = b - a;
    if (grow((void **)&buf_fold, &cap_fold, n, sizeof(Py_UCS4)) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++)
        buf_fold[i] = fold(PyUnicode_READ(kind, data, a + i));
    for (int r = 0; r < n_reqs; r++)
        if ((mask >> r) & 1 && req_anywhere(&reqs[r], buf_fold, n))
            return 1;
    return 0;
}

static PyObject *
ff_line_gate(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    if (!require_configured())
        return NULL;
    int r = line_may(text, PyUnicode_KIND(text), PyUnicode_DATA(text), 0, PyUnicode_GET_LENGTH(text));
    if (r < 0)
        return NULL;
    return PyBool_FromLong(r);
}

/* units(text, spans): the spans (start, end, ...) of sentences of text, each gated:
 * [(start, end, mask, bits)] for those some rule may match, in order */
INLINE PyObject *
units(PyObject *text, const int kind, PyObject *spans)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyList_GET_SIZE(spans), len = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *span = PyList_GET_ITEM(spans, k);
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) < 2) {
            PyErr_SetString(PyExc_TypeError, "spans must be (start, end, ...) tuples");
            goto error;
        }
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
        Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
        if (PyErr_Occurred())
            goto error;
        if (a < 0 || b > len || a > b) {
            PyErr_SetString(PyExc_ValueError, "a span outside the text");
            goto error;
        }
        long long mask;
        int bits;
        int r = gate(text, kind, data, a, b, -1, &mask, &bits);
        if (r < 0)
            goto error;
        if (!r)
            continue;
        PyObject *t = Py_BuildValue("(nnLi)", a, b, mask, bits);
        if (t == NULL || PyList_Append(out, t) < 0) {
            Py_XDECREF(t);
            goto error;
        }
        Py_DECREF(t);
    }
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

static PyObject *
ff_units(PyObject *self, PyObject *args)
{
    PyObject *text, *spans;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyList_Type, &spans))
        return NULL;
    if (!require_configured())
        return NULL;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return units(text, PyUnicode_1BYTE_KIND, spans);
    case PyUnicode_2BYTE_KIND:
        return units(text, PyUnicode_2BYTE_KIND, spans);
    default:
        return units(text, PyUnicode_4BYTE_KIND, spans);
    }
}

/* fold(text): the folding of the sentence gate's literal test, for the tests */
static PyObject *
ff_fold(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *buf = PyMem_Malloc((n + 1) * sizeof(Py_UCS4));
    if (buf == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++)
        buf[i] = fold(PyUnicode_READ_CHAR(text, i));
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
    PyMem_Free(buf);
    return out;
}

static PyObject *
ff_gate(PyObject *self, PyObject *args)
{
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    if (!require_configured())
        return NULL;
    long long mask;
    int bits;
    int r = gate(text, PyUnicode_KIND(text), PyUnicode_DATA(text), 0, PyUnicode_GET_LENGTH(text), -1, &mask, &bits);
    if (r < 0)
        return NULL;
    return Py_BuildValue("(OLi)", r ? Py_True : Py_False, mask, bits);
}

static PyObject *
ff_configure(PyObject *self, PyObject *args)
{
    PyObject *s_short, *s_long, *s_strong, *triggers, *site_words, *punct, *index, *requirements, *fixes, *small;
    if (!PyArg_ParseTuple(args, "OOOO!OUO!O!OO", &s_short, &s_long, &s_strong, &PyDict_Type, &triggers, &site_words,
                          &punct, &PyDict_Type, &index, &PyTuple_Type, &requirements, &fixes, &small))
        return NULL;
    for (int i = 0; i < N_SETS; i++)
        free_set(&sets[i]);
    free_reqs();
    configured = 0;
    /* the regex engine's case-folding classes (re._casefix._EXTRA_CASES, lower-case code
     * point -> the others of its class), or None: then only ASCII units are folded */
    n_fixes = 0;
    fold_beyond_ascii = 0;
    if (fixes != Py_None) {
        if (!PyDict_Check(fixes)) {
            PyErr_SetString(PyExc_TypeError, "fixes must be a dict or None");
            return NULL;
        }
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(fixes, &pos, &key, &value)) {
            if (!PyTuple_Check(value) || n_fixes >= 256) {
                PyErr_SetString(PyExc_ValueError, "fixes: at most 256 code points, each with a tuple");
                return NULL;
            }
            long lo = PyLong_AsLong(key), least = lo;
            for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(value); k++) {
                long o = PyLong_AsLong(PyTuple_GET_ITEM(value, k));
                least = o < least ? o : least;
            }
            if (PyErr_Occurred())
                return NULL;
            Py_ssize_t at = n_fixes++; /* insertion sort: a few dozen entries */
            while (at > 0 && fix_from[at - 1] > (Py_UCS4)lo) {
                fix_from[at] = fix_from[at - 1];
                fix_to[at] = fix_to[at - 1];
                at--;
            }
            fix_from[at] = (Py_UCS4)lo;
            fix_to[at] = (Py_UCS4)least;
        }
#if PY_VERSION_HEX < 0x030D0000
        fold_beyond_ascii = 1;
#endif
    }
    memset(punct_low, 0, sizeof(punct_low));
    n_punct_high = 0;
    for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(punct); k++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(punct, k);
        if (c < 256)
            punct_low[c] = 1;
        else if (n_punct_high < 64)
            punct_high[n_punct_high++] = c;
        else {
            PyErr_SetString(PyExc_ValueError, "more than 64 punctuation characters above U+00FF");
            return NULL;
        }
    }
    PyObject *index_words = PyFrozenSet_New(index);
    if (index_words == NULL)
        return NULL;
    int bad = build_set(&sets[SET_INDEX], index_words, index);
    Py_DECREF(index_words);
    if (bad < 0 || build_set(&sets[SET_SHORT], s_short, NULL) < 0 || build_set(&sets[SET_LONG], s_long, NULL) < 0 ||
        build_set(&sets[SET_STRONG], s_strong, triggers) < 0 || build_set(&sets[SET_SITE_WORDS], site_words, NULL) < 0 ||
        build_set(&sets[SET_SMALL], small, NULL) < 0 || build_reqs(requirements) < 0)
        return NULL;
    if (sets[SET_SMALL].max_len > 16) {
        PyErr_SetString(PyExc_ValueError, "small words of 16 characters at most");
        return NULL;
    }
    /* a site word that is not ASCII could match other characters case-insensitively:
     * site_may_follow() assumes there is none */
    for (size_t k = 0; k <= sets[SET_SITE_WORDS].mask; k++) {
        const Slot *sl = &sets[SET_SITE_WORDS].slots[k];
        for (Py_ssize_t i = 0; sl->s != NULL && i < sl->len; i++) {
            if (sl->s[i] >= 128) {
                PyErr_SetString(PyExc_ValueError, "site words must be ASCII");
                return NULL;
            }
        }
    }
    configured = 1;
    Py_RETURN_NONE;
}

static PyObject *
ff_scan(PyObject *self, PyObject *args)
{
    PyObject *text;
    long nav_max_words, nav_run;
    if (!PyArg_ParseTuple(args, "Ull", &text, &nav_max_words, &nav_run))
        return NULL;
    if (!require_configured())
        return NULL;
    /* one copy of the walk per character width, each with the width known */
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return scan(text, PyUnicode_1BYTE_KIND, nav_max_words, nav_run);
    case PyUnicode_2BYTE_KIND:
        return scan(text, PyUnicode_2BYTE_KIND, nav_max_words, nav_run);
    default:
        return scan(text, PyUnicode_4BYTE_KIND, nav_max_words, nav_run);
    }
}

static PyMethodDef methods[] = {
    {"configure", ff_configure, METH_VARARGS,
     "configure(tokens_short, tokens_long, strong_tokens, strong_triggers, site_words, punct_as_space, index, "
     "requirements, fixes, small_words): the lexicon's trigger token sets, the triggers of each strong token, the "
     "first words of the site names, the punctuation of the word split, the trigger index, the literals each rule "
     "needs, the regex engine's case-folding classes and the small words of title case."},
    {"scan", ff_scan, METH_VARARGS,
     "scan(text, nav_max_words, nav_run) -> (number of lines, [(line index, start, end, flags)]) for the "
     "lines the Python rules must see."},
    {"hits", ff_hits, METH_VARARGS,
     "hits(unit, n_words) -> bit mask of the lexical rules one of whose triggers is all among the unit's "
     "words (-1: ask Python)."},
    {"units", ff_units, METH_VARARGS,
     "units(text, spans) -> [(start, end, mask, bits)] for the spans some rule may match: mask, the lexical "
     "rules that may (-1: ask Python), bits, the structural ones."},
    {"gate", ff_gate, METH_VARARGS, "gate(unit) -> (may, mask, bits): the sentence gate on one unit."},
    {"line_gate", ff_line_gate, METH_VARARGS, "line_gate(line) -> whether some sentence of the line may be furniture."},
    {"fold", ff_fold, METH_VARARGS, "fold(text) -> text case-folded as the sentence gate's literal test folds it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_furnfast", "Compiled line gate of clean_furniture (see furniture.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__furnfast(void)
{
    init_interesting();
    str_lower = PyUnicode_InternFromString("lower");
    if (str_lower == NULL)
        return NULL;
    return PyModule_Create(&module);
}
