/* Compiled gates of clean_furniture (see furniture.py and rules.py, which hold the
 * pure-Python twins).
 *
 * Most lines of a page cannot be furniture, and the Python path spends most of its time
 * proving that: it lower-cases and splits every line to look its words up among the
 * trigger tokens, and runs a handful of substring tests on it. scan() walks the lines
 * of a text once and returns only the lines the Python rules must see, with the facts
 * it established about them; units() does the same for the sentences of the lines that
 * are segmented; hits() finds the lexical rules whose trigger words a unit holds. None
 * of them decides anything the Python path would decide differently: every test here
 * is the Python test written out, or a necessary condition of it (the tests in
 * tests/stages/clean/test_furnfast.py compare both on adversarial and real text).
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

#define SHORT_LINE 80

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

enum { SET_SHORT, SET_LONG, SET_STRONG, SET_SITE_WORDS, SET_INDEX, N_SETS };
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
#define X_INNER_STOP 2048 /* furniture._INNER_STOP */

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

static void
init_interesting(void)
{
    const char *ascii = " hw?|>/@.!";
    for (const char *p = ascii; *p; p++)
        interesting[(unsigned char)*p] = 1;
    interesting[0xa9] = interesting[0xbb] = interesting[0xb7] = 1;
}

INLINE int
features(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t *spaces)
{
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

/* furniture._BULLETS and furniture._TERMINAL */
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

/* CleanFurniture._link_like on text[a:b].lstrip(_BULLETS), for lines of at most 32 */
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

static PyObject *
ff_configure(PyObject *self, PyObject *args)
{
    PyObject *s_short, *s_long, *s_strong, *triggers, *site_words, *punct, *index;
    if (!PyArg_ParseTuple(args, "OOOO!OUO!", &s_short, &s_long, &s_strong, &PyDict_Type, &triggers, &site_words,
                          &punct, &PyDict_Type, &index))
        return NULL;
    for (int i = 0; i < N_SETS; i++)
        free_set(&sets[i]);
    configured = 0;
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
        build_set(&sets[SET_STRONG], s_strong, triggers) < 0 || build_set(&sets[SET_SITE_WORDS], site_words, NULL) < 0)
        return NULL;
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

INLINE int unit_rules_may(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t *spaces_out);

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
        int x = features(kind, data, a, b, &spaces);
        int f = L->flags;
        if (b - a <= SHORT_LINE) {
            f |= F_SHORT;
            if (x & X_INNER_STOP)
                f |= F_MULTI;
            else {
                int hit = any_token(&sets[spaces < 15 ? SET_SHORT : SET_LONG], text, kind, data, a, b);
                if (hit < 0)
                    goto error;
                if (hit)
                    f |= F_TOKHIT | F_ADMIT;
                else if ((x & (X_HINT_CHAR | X_HTTP | X_WWW | X_HYPHEN_SEP | X_SP_COLON_SP | X_HINT_VERB)) ||
                         (b - a >= 2 && PyUnicode_READ(kind, data, b - 1) == '.' &&
                          PyUnicode_READ(kind, data, b - 2) == ' ')) {
                    /* could_be_furniture() holds; but a line the sentence gate leaves out
                     * gets no verdict either (unless its neighbours give it one: F_NAV,
                     * F_QCAND, which the Python rules see anyway) */
                    Py_ssize_t unit_spaces;
                    if (unit_rules_may(kind, data, a, b, &unit_spaces))
                        f |= F_ADMIT;
                }
            }
        }
        else {
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
        if (!(f & (F_MULTI | F_ADMIT | F_NAV | F_QCAND | F_WORTH | F_MAYBE)))
            continue;
        PyObject *t = Py_BuildValue("(nnni)", li, a, b, f);
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

static const char *const BIO_VERBS[] = {
    " is", " serves as", " works as", " has been", " writes", " covers", " teaches", " lives", NULL};

/* A necessary condition for rules.classify(text[a:b]) to find furniture or for
 * rules.glued_title() to find a title in it, branch by branch: a trigger token or a
 * link, an address or a copyright sign (the lexical rules), a final " ." (breadcrumb),
 * a separator (breadcrumb trail, page title, reference list), a final "?" (related
 * question), or two capitalised words opening the unit and a bio verb in it (author
 * bio). "http" and "www." are looked for case-insensitively in ASCII: the lexical rules
 * look for them in the lower-cased unit, and no other character lower-cases to one
 * of their letters (tests/stages/clean/test_furnfast.py checks every character).
 * Returns 0 (no rule can match), 1 (judge it), 3 (judge it; a trigger token is among
 * its words), -1 on error. */
INLINE int
unit_rules_may(const int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t *spaces_out)
{
    Py_ssize_t spaces = 0, first_space = -1;
    int may = 0, verb = 0;
    Py_UCS4 last = PyUnicode_READ(kind, data, b - 1);
    if (last == '?' || (last == '.' && b - a >= 2 && PyUnicode_READ(kind, data, b - 2) == ' '))
        may = 1;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        switch (c) {
        case ' ':
            spaces++;
            if (first_space < 0)
                first_space = i;
            if (i + 2 < b && PyUnicode_READ(kind, data, i + 2) == ' ') {
                Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
                if (d == '>' || d == '/' || d == 0xbb || d == 0x203a || d == '-' || d == ':' || d == 0x2013 ||
                    d == 0x2014 || d == 0xb7)
                    may = 1;
            }
            if (!verb) {
                for (const char *const *v = BIO_VERBS; *v != NULL; v++) {
                    if (matches_at(kind, data, i, b, *v)) {
                        verb = 1;
                        break;
                    }
                }
            }
            break;
        case '|': case '@': case 0xa9:
            may = 1;
            break;
        case 'h': case 'H':
            if (ci_at(kind, data, i, b, "http"))
                may = 1;
            break;
        case 'w': case 'W':
            if (ci_at(kind, data, i, b, "www."))
                may = 1;
            break;
        default:
            break;
        }
    }
    if (verb && first_space > a && first_space + 1 < b) {
        Py_UCS4 c0 = PyUnicode_READ(kind, data, a), c1 = PyUnicode_READ(kind, data, first_space + 1);
        if (c0 >= 'A' && c0 <= 'Z' && c1 >= 'A' && c1 <= 'Z')
            may = 1;
    }
    *spaces_out = spaces;
    return may;
}

/* unit_rules_may() and the trigger-token test */
INLINE int
unit_gate(PyObject *text, const int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    if (b <= a)
        return 1; /* an empty unit: let the rules say */
    Py_ssize_t spaces;
    int may = unit_rules_may(kind, data, a, b, &spaces);
    int hit = any_token(&sets[spaces < 15 ? SET_SHORT : SET_LONG], text, kind, data, a, b);
    if (hit < 0)
        return -1;
    return hit ? 3 : may;
}

INLINE PyObject *
units(PyObject *text, const int kind, PyObject *spans)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyList_GET_SIZE(spans), len = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL)
        return NULL;
    char *marks = PyBytes_AS_STRING(out);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *span = PyList_GET_ITEM(spans, k);
        if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) < 2) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "spans must be (start, end, ...) tuples");
            return NULL;
        }
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
        Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
        if (PyErr_Occurred()) {
            Py_DECREF(out);
            return NULL;
        }
        if (a < 0 || b > len || a > b) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_ValueError, "a span outside the text");
            return NULL;
        }
        int r = unit_gate(text, kind, data, a, b);
        if (r < 0) {
            Py_DECREF(out);
            return NULL;
        }
        marks[k] = (char)r;
    }
    return out;
}

static PyObject *
ff_units(PyObject *self, PyObject *args)
{
    PyObject *text, *spans;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyList_Type, &spans))
        return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "_furnfast.configure() has not been called");
        return NULL;
    }
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return units(text, PyUnicode_1BYTE_KIND, spans);
    case PyUnicode_2BYTE_KIND:
        return units(text, PyUnicode_2BYTE_KIND, spans);
    default:
        return units(text, PyUnicode_4BYTE_KIND, spans);
    }
}

/* ---- rules._lexical's trigger test ------------------------------------------------- */

typedef struct {
    const Py_UCS4 *s;
    Py_ssize_t len;
} Word;

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
 * text, the words being text.lower() with rules._PUNCT read as space, split, plus "@"
 * and U+00A9 where the text holds them; only rules allowing n_words words. -1 where
 * Python must answer (a capital sigma, or a build that cannot lower in C). */
static PyObject *
ff_hits(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t n_words;
    if (!PyArg_ParseTuple(args, "Un", &text, &n_words))
        return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "_furnfast.configure() has not been called");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    if (len > 4096) /* units are sentences; a longer one is rare enough to leave to Python */
        return PyLong_FromLong(-1);
    Py_UCS4 *low = PyMem_Malloc((3 * len + 4) * sizeof(Py_UCS4));
    Word *words = PyMem_Malloc((len + 2) * sizeof(Word)); /* at most one word per character, plus two */
    if (low == NULL || words == NULL) {
        PyMem_Free(low);
        PyMem_Free(words);
        return PyErr_NoMemory();
    }
    Py_ssize_t n = 0, nw = 0;
    int has_at = 0, has_copy = 0;
    long long result = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        has_at |= c == '@';
        has_copy |= c == 0xa9;
        int k = lower_full(c, low + n);
        if (k == 0) {
            result = -1;
            goto done;
        }
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
        uint64_t h = FNV_START;
        for (Py_ssize_t j = 0; j < words[k].len; j++)
            h = FNV_STEP(h, words[k].s[j]);
        const Slot *slot = lookup(ts, words[k].s, words[k].len, h);
        if (slot == NULL)
            continue;
        PyObject *entries = slot->extra; /* ((rule index, trigger, max_words), ...) */
        for (Py_ssize_t e = 0; e < PyTuple_GET_SIZE(entries); e++) {
            PyObject *entry = PyTuple_GET_ITEM(entries, e);
            long rule = PyLong_AsLong(PyTuple_GET_ITEM(entry, 0));
            Py_ssize_t max_words = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 2));
            if (PyErr_Occurred()) {
                result = -2;
                goto done;
            }
            if (n_words > max_words || (result >> rule) & 1)
                continue;
            PyObject *it = PyObject_GetIter(PyTuple_GET_ITEM(entry, 1)), *w;
            if (it == NULL) {
                result = -2;
                goto done;
            }
            int all = 1;
            while (all && (w = PyIter_Next(it)) != NULL) {
                all = word_in(w, words, nw);
                Py_DECREF(w);
            }
            Py_DECREF(it);
            if (PyErr_Occurred()) {
                result = -2;
                goto done;
            }
            if (all)
                result |= 1LL << rule;
        }
    }
done:
    PyMem_Free(low);
    PyMem_Free(words);
    if (result == -2)
        return NULL;
    return PyLong_FromLongLong(result);
}

static PyObject *
ff_scan(PyObject *self, PyObject *args)
{
    PyObject *text;
    long nav_max_words, nav_run;
    if (!PyArg_ParseTuple(args, "Ull", &text, &nav_max_words, &nav_run))
        return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "_furnfast.configure() has not been called");
        return NULL;
    }
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
     "configure(tokens_short, tokens_long, strong_tokens, strong_triggers, site_words): the lexicon's trigger "
     "token sets, the triggers of each strong token, and the first words of the site names."},
    {"scan", ff_scan, METH_VARARGS,
     "scan(text, nav_max_words, nav_run) -> (number of lines, [(line index, start, end, flags)]) for the "
     "lines the Python rules must see."},
    {"hits", ff_hits, METH_VARARGS,
     "hits(unit, n_words) -> bit mask of the lexical rules one of whose triggers is all among the unit's "
     "words (-1: ask Python)."},
    {"units", ff_units, METH_VARARGS,
     "units(text, spans) -> bytes, per span: 0 (no rule can match it), 1 (judge it), 3 (judge it; a trigger "
     "token is among its words)."},
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
