/*
 * Optional accelerator for thresher.stages.filter._words and gopher_repetition.
 *
 * Every function here has a pure-Python twin in _words.py that gives the same
 * result (tests/stages/filter/test_fastwords.py checks it, on generated text and on
 * the shared web corpus). The Python side owns the rules: the chunk tokenizer, the
 * per-token flags and the special-case table live in Python dictionaries that this
 * module only reads, and fills through the Python callbacks it is handed on a miss.
 * What moves to C is the loop that costs per character or per word:
 *
 *   scan()         whitespace chunking (str.split() semantics), the chunk shapes of
 *                  _words._chunk_tokens' fast paths split in place, the chunk-cache
 *                  look-up for the others, and the per-document word statistics and
 *                  sentencizer count;
 *   c4_lines()     c4_quality's pass over the lines (its Python twin: C4Quality.process);
 *   dup_pieces()   repeated paragraphs and lines (gopher_repetition.find_duplicates);
 *   gopher_marks() the '#', ellipsis, bullet-line and ellipsis-line counts of gopher_quality;
 *   count_chunks() len(text.split()) without the chunks (fineweb_quality's bound);
 *   ngram_top()    the most frequent n-gram and its count (Gopher top n-gram rule);
 *   ngram_dup(), ngram_dup_many()  the duplicate n-gram characters walk (Gopher duplicate
 *                  n-gram rule), for one n or several;
 *   ngram_max_chars()  the longest n-gram window, joined with spaces.
 *
 * The n-gram functions compare n-grams by the same 64-bit hash the numpy path uses
 * (Python's string hash of each word, combined as h(n) = h(n-1) * M + h(word)).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* token flags, the same bits as _words.FLAG_* */
#define F_SYMBOL 1
#define F_ALPHA 2
#define F_FINAL 4
#define F_PUNCT 8

static const uint64_t MIX = 0x9E3779B97F4A7C15ULL;

/* Letters or digits that the Gopher rules count as punctuation (datatrove's list holds
 * the full-width digit one): a token starting with one is never taken as plain. */
static Py_UCS4 odd_plain[32];
static Py_ssize_t n_odd_plain = 0;

static int
in_set(Py_UCS4 c, const Py_UCS4 *set, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

/* Characters of the Basic Multilingual Plane after which a final "." is a suffix of its
 * own (_words._PERIOD_AFTER: ASCII digits, "²", \p{Ll}, \p{Lo}), one bit each (set by
 * configure). Beyond the plane the Python algorithm decides. */
static uint8_t period_after[0x10000 / 8];

#define ONE_CHAR_FLAGS 0x10000
static int8_t one_char_flags[ONE_CHAR_FLAGS];
static uint8_t ascii_flags[128];  /* the FLAG_* bits of each ASCII character as a token (configure) */  /* -1: not known yet (set by configure) */

/* For text[a:b]: 1 if every character is a letter (str.isalpha), 2 if every character
 * is a digit (str.isdigit), 0 otherwise, when empty, or when it starts with one of the
 * odd_plain characters. ASCII letters are tested by range. */
static int
plain_kind_at(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t i;
    if (a >= b)
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, a);
    if (c >= 128 && in_set(c, odd_plain, n_odd_plain))
        return 0;
    if (Py_UNICODE_ISALPHA(c)) {
        for (i = a + 1; i < b; i++) {
            c = PyUnicode_READ(kind, data, i);
            if (c < 128 ? !((c | 32) >= 'a' && (c | 32) <= 'z') : !Py_UNICODE_ISALPHA(c))
                return 0;
        }
        return 1;
    }
    if (Py_UNICODE_ISDIGIT(c)) {
        for (i = a + 1; i < b; i++)
            if (!Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i)))
                return 0;
        return 2;
    }
    return 0;
}

static int
plain_kind(PyObject *s)
{
    return plain_kind_at(PyUnicode_KIND(s), PyUnicode_DATA(s), 0, PyUnicode_GET_LENGTH(s));
}

/* ---- configuration: the special-case table and the simple affixes ------------------- */

static PyObject *specials = NULL;  /* _words._SPECIALS (a dict; a new reference) */
static PyObject *wholes = NULL;    /* _words._WHOLE: the one-token special cases */
static Py_ssize_t max_special_len = 0;  /* characters of the longest special case */
static PyObject *letter_units = NULL;  /* _words._LETTER_UNITS (a frozenset) */
static Py_ssize_t max_unit_len = 0;
static Py_UCS4 simple_prefix[32], simple_suffix[32];
static Py_ssize_t n_simple_prefix = 0, n_simple_suffix = 0;
/* A Bloom filter of the special cases made only of letters or digits: a plain chunk
 * that misses it is no special case, which spares its dictionary look-up. */
#define BLOOM_BITS (1 << 16)
static uint64_t bloom[BLOOM_BITS / 64];

static uint32_t
fnv1a(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = a; i < b; i++) {
        h ^= (uint32_t)PyUnicode_READ(kind, data, i);
        h *= 16777619u;
    }
    return h;
}

static int
bloom_maybe(uint32_t h)
{
    uint32_t a = h & (BLOOM_BITS - 1), b = (h >> 16) & (BLOOM_BITS - 1);
    return (bloom[a >> 6] >> (a & 63) & 1) && (bloom[b >> 6] >> (b & 63) & 1);
}

static int
copy_chars(PyObject *s, Py_UCS4 *out, Py_ssize_t *n)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(s);
    if (len > 32) {
        PyErr_SetString(PyExc_ValueError, "at most 32 characters per set");
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++)
        out[i] = PyUnicode_READ_CHAR(s, i);
    *n = len;
    return 0;
}

PyDoc_STRVAR(configure_doc,
"configure(specials, wholes, simple_prefix, simple_suffix, odd_plain, period_after, units,\n"
"          ascii_flags)\n\n"
"Hand over the special-case tables (dicts, read at every call, never changed), the\n"
"characters that _words._chunk_tokens strips as simple prefixes and suffixes, the\n"
"letters and digits that count as punctuation for the Gopher rules, and the characters\n"
"of the Basic Multilingual Plane after which a final period splits off, and the\n"
"letters-only units (a frozenset) that split off after a digit, and the token flags of\n"
"each ASCII character (128 bytes).");

static PyObject *
configure(PyObject *self, PyObject *args)
{
    PyObject *sp, *wh, *pre, *suf, *odd, *per, *units, *af;
    if (!PyArg_ParseTuple(args, "O!O!UUUUO!S", &PyDict_Type, &sp, &PyDict_Type, &wh, &pre, &suf, &odd, &per,
                          &PyFrozenSet_Type, &units, &af))
        return NULL;
    if (PyBytes_GET_SIZE(af) != 128) {
        PyErr_SetString(PyExc_ValueError, "ascii_flags must be 128 bytes");
        return NULL;
    }
    memcpy(ascii_flags, PyBytes_AS_STRING(af), 128);
    Py_ssize_t longest = 0;
    PyObject *it = PyObject_GetIter(units), *u;
    if (it == NULL)
        return NULL;
    while ((u = PyIter_Next(it)) != NULL) {
        if (PyUnicode_Check(u) && PyUnicode_GET_LENGTH(u) > longest)
            longest = PyUnicode_GET_LENGTH(u);
        Py_DECREF(u);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    if (copy_chars(pre, simple_prefix, &n_simple_prefix) < 0 ||
        copy_chars(suf, simple_suffix, &n_simple_suffix) < 0 ||
        copy_chars(odd, odd_plain, &n_odd_plain) < 0)
        return NULL;
    memset(period_after, 0, sizeof(period_after));
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(per); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(per, i);
        if (c < 0x10000)
            period_after[c >> 3] |= (uint8_t)(1 << (c & 7));
    }
    memset(bloom, 0, sizeof(bloom));
    Py_ssize_t longest_special = 0;
    memset(one_char_flags, -1, sizeof(one_char_flags));
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(sp, &pos, &key, &value)) {
        if (!PyUnicode_Check(key))
            continue;
        if (PyUnicode_GET_LENGTH(key) > longest_special)
            longest_special = PyUnicode_GET_LENGTH(key);
        uint32_t h = fnv1a(PyUnicode_KIND(key), PyUnicode_DATA(key), 0, PyUnicode_GET_LENGTH(key));
        uint32_t a = h & (BLOOM_BITS - 1), b = (h >> 16) & (BLOOM_BITS - 1);
        bloom[a >> 6] |= (uint64_t)1 << (a & 63);
        bloom[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    Py_INCREF(sp);
    Py_XSETREF(specials, sp);
    Py_INCREF(wh);
    Py_XSETREF(wholes, wh);
    Py_INCREF(units);
    Py_XSETREF(letter_units, units);
    max_unit_len = longest;
    max_special_len = longest_special;
    Py_RETURN_NONE;
}

static int
check_configured(void)
{
    if (specials == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_fastwords.configure() was not called");
        return -1;
    }
    return 0;
}

/* contains(container, text[a:b]): 1, 0, or -1 on error. */
static int
substring_in(PyObject *container, int (*contains)(PyObject *, PyObject *), PyObject *text, Py_ssize_t a,
             Py_ssize_t b)
{
    PyObject *s = PyUnicode_Substring(text, a, b);
    if (s == NULL)
        return -1;
    int r = contains(container, s);
    Py_DECREF(s);
    return r;
}

/* 1 if text[a:b] is a key of ``table``, 0 if not, -1 on error. The bloom filter holds the
   special-case table's keys (the whole-word table is a subset of it), so most substrings
   are never built. */
static int
in_table(PyObject *table, PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a > max_special_len)
        return 0;
    if (!bloom_maybe(fnv1a(PyUnicode_KIND(text), PyUnicode_DATA(text), a, b)))
        return 0;
    return substring_in(table, PyDict_Contains, text, a, b);
}

/* 1 if text[a:b] is a key of the special-case table, 0 if not, -1 on error. */
static int
is_special(PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    return in_table(specials, text, a, b);
}

/* 1: text[a:b] is ASCII digits with [.,:] between groups of them (_words._NUMBER). */
static int
ascii_number(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    int groups = 0, in_digits = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= '0' && c <= '9') {
            if (!in_digits)
                groups++;
            in_digits = 1;
        } else if ((c == '.' || c == ',' || c == ':') && in_digits && i + 1 < b) {
            in_digits = 0;
        } else {
            return 0;
        }
    }
    return in_digits && groups >= 2;
}

/* 1 if text[a:b] is a whole-word special case (_words._WHOLE), 0 if not, -1 on error. */
static int
is_whole(PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    return in_table(wholes, text, a, b);
}

static int
is_quote_token(int kind, const void *data, const Py_ssize_t *bnd, Py_ssize_t k)
{
    if (bnd[k + 1] - bnd[k] != 1)
        return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, bnd[k]);
    return c == '\'' || c == 0x2019;
}

/* _words._merge_specials over the tokens chunk[bnd[k]:bnd[k+1]] (k < *nt), in place:
 * neighbours (three, then two) that spell a whole-word special case become one token,
 * except a pair of quote marks inside a longer run of them. 0, or -1 on error. */
static int
merge_specials(PyObject *chunk, Py_ssize_t *bnd, Py_ssize_t *nt)
{
    int kind = PyUnicode_KIND(chunk);
    const void *data = PyUnicode_DATA(chunk);
    Py_ssize_t n = *nt, out = 0, i = 0;
    Py_ssize_t *merged = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (merged == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (i < n) {
        Py_ssize_t take = 1;
        for (Py_ssize_t width = 3; width >= 2; width--) {
            if (i + width > n)
                continue;
            Py_ssize_t a = bnd[i], b = bnd[i + width];
            if (b - a == 2) {  /* '' or ’’ in a run of quote marks stays apart */
                Py_UCS4 c0 = PyUnicode_READ(kind, data, a), c1 = PyUnicode_READ(kind, data, a + 1);
                if (c0 == c1 && (c0 == '\'' || c0 == 0x2019) &&
                    ((i > 0 && is_quote_token(kind, data, bnd, i - 1)) ||
                     (i + width < n && is_quote_token(kind, data, bnd, i + width))))
                    continue;
            }
            int w = is_whole(chunk, a, b);
            if (w < 0) {
                PyMem_Free(merged);
                return -1;
            }
            if (w) {
                take = width;
                break;
            }
        }
        merged[out++] = bnd[i];
        i += take;
    }
    merged[out] = bnd[n];
    memcpy(bnd, merged, (size_t)(out + 1) * sizeof(Py_ssize_t));
    *nt = out;
    PyMem_Free(merged);
    return 0;
}

static int
is_apostrophe(Py_UCS4 c)
{
    return c == '\'' || c == 0x2019;
}

/* _words._CURRENCY_SIGNS */
static int
is_currency(Py_UCS4 c)
{
    return c == '$' || c == 0xA3 || c == 0x20AC || c == 0xA5 || c == 0x0E3F || c == 0x20BD ||
           c == 0xFDFC || (c >= 0x20A0 && c <= 0x20BF);
}

/* 1 if text[a:b] is not empty and every character is a digit (str.isdigit) */
static int
all_digits(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t i = a; i < b; i++)
        if (!Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i)))
            return 0;
    return b > a;
}

static int
is_ascii_digit(Py_UCS4 c)
{
    return c >= '0' && c <= '9';
}

static int
is_ascii_letter(Py_UCS4 c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* _words._inert_symbol: 1 if the infix character text[i] (inside the core text[a:b]) is
 * no infix where it stands, judged on ASCII neighbours only; 0 if it is, or may be. */
static int
inert_symbol(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t i)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    int has_prev = i > a, has_next = i + 1 < b;
    Py_UCS4 prev = has_prev ? PyUnicode_READ(kind, data, i - 1) : 0;
    Py_UCS4 next = has_next ? PyUnicode_READ(kind, data, i + 1) : 0;
    int prev_no_letter = !has_prev || (prev < 128 && !is_ascii_letter(prev));
    int next_no_letter = !has_next || (next < 128 && !is_ascii_letter(next));
    switch (c) {
    case ',':
        return prev_no_letter || next_no_letter;
    case '+': case '*': case '^':
        return !has_prev || !is_ascii_digit(prev) || !has_next ||
               (next < 128 && !is_ascii_digit(next) && next != '-');
    case '-':
        if (!has_prev || prev == '-' || !has_next)
            return 1;
        if (is_ascii_digit(prev))
            return next < 128 && !is_ascii_letter(next) && !is_ascii_digit(next) && next != '-';
        return next_no_letter && next != '-';
    default:  /* : < > = / ~ */
        return next_no_letter || !has_prev || (prev < 128 && !is_ascii_letter(prev) && !is_ascii_digit(prev));
    }
}

/* 1 if text[a:b] is one of the letters-only units, 0 if not, -1 on error. */
static int
is_letter_unit(PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a > max_unit_len)
        return 0;
    return substring_in(letter_units, PySet_Contains, text, a, b);
}

/* _words._inert_core, but for the special-case check: 1 if the full algorithm keeps
 * text[a:b] whole (no prefix, no suffix, no infix, no URL), 0 if not, -1 on error */
static int
inert_core(PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 first = PyUnicode_READ(kind, data, a), last = PyUnicode_READ(kind, data, b - 1);
    if (!(Py_UNICODE_ISALPHA(first) || is_ascii_digit(first) || first == '-'))
        return 0;
    if (Py_UNICODE_ISALPHA(last)) {
        if ((last == 's' || last == 'S') && b - 2 >= a && is_apostrophe(PyUnicode_READ(kind, data, b - 2)))
            return 0;
        int digit = 0;
        for (Py_ssize_t i = b - 6 > a ? b - 6 : a; i < b; i++)
            digit |= is_ascii_digit(PyUnicode_READ(kind, data, i));
        if (digit) {  /* a letters-only unit right after a digit is a suffix */
            Py_ssize_t k = b - 1;
            while (k > a && Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, k - 1)))
                k--;
            if (k > a && is_ascii_digit(PyUnicode_READ(kind, data, k - 1))) {
                int u = is_letter_unit(text, k, b);
                if (u != 0)
                    return u < 0 ? -1 : 0;
            }
        }
    } else if (!is_ascii_digit(last) && last != '-') {
        return 0;
    }
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 128) {
            switch (c) {
            case '.': case '$':
                return 0;
            case ',': case '-': case '~': case ':': case '<': case '>': case '=':
            case '/': case '+': case '*': case '^':
                if (!inert_symbol(kind, data, a, b, i))
                    return 0;
                continue;
            default:
                continue;
            }
        }
        if (!(Py_UNICODE_ISALPHA(c) || c == 0x2019 || c == 0xAD))
            return 0;
    }
    return 1;
}

/* _words._dotted_core, but for the special-case checks: 0 if text[a:b] is not a kept-whole
 * core followed by dots; 1 if it stays one token; 2 if it splits at *cut; -1 on error.
 * *cut is the end of the core without its dots either way. */
static int
dotted_core(PyObject *text, Py_ssize_t a, Py_ssize_t b, Py_ssize_t *cut)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t x = b;
    int whole = 0;
    while (x > a && PyUnicode_READ(kind, data, x - 1) == '.')
        x--;
    if (x == b) {
        if (PyUnicode_READ(kind, data, b - 1) != 0x2026)
            return 0;
        x = b - 1;
    } else if (b - x == 1) {
        if (x == a)
            return 0;
        Py_UCS4 z = PyUnicode_READ(kind, data, x - 1);
        if (!(z >= 'A' && z <= 'Z'))
            return 0;
        if (x - 1 > a) {
            Py_UCS4 y = PyUnicode_READ(kind, data, x - 2);
            if (y >= 128)
                return 0;
            whole = !(y >= 'A' && y <= 'Z');
        } else {
            whole = 1;
        }
    }
    if (x == a)
        return 0;
    int r = inert_core(text, a, x);
    if (r <= 0)
        return r;
    *cut = x;
    return whole ? 1 : 2;
}

/* _words._number_unit: where the unit starts in text[a:b], a number (digits, or an ASCII
 * number of _words._NUMBER's shape) then "%" or a letters-only unit; 0 if it is not of
 * that shape, -1 on error. */
static Py_ssize_t
number_unit(PyObject *text, Py_ssize_t a, Py_ssize_t b)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 last = PyUnicode_READ(kind, data, b - 1);
    Py_ssize_t cut = b - 1;
    if (last != '%') {
        if (!Py_UNICODE_ISALPHA(last))
            return 0;
        while (cut > a && Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, cut - 1)))
            cut--;
        if (cut == a || !is_ascii_digit(PyUnicode_READ(kind, data, cut - 1)))
            return 0;
        int u = is_letter_unit(text, cut, b);
        if (u <= 0)
            return u;
    }
    if (cut == a || !is_ascii_digit(PyUnicode_READ(kind, data, cut - 1)))
        return 0;
    if (!all_digits(kind, data, a, cut) && !ascii_number(kind, data, a, cut))
        return 0;
    return cut;
}

/* _words._DIGIT_OPS: ASCII digit runs joined by single + - * ^ (at least one) */
static int
digit_ops(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    int ops = 0, in_digits = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (is_ascii_digit(c)) {
            in_digits = 1;
        } else if ((c == '+' || c == '-' || c == '*' || c == '^') && in_digits) {
            in_digits = 0;
            ops++;
        } else {
            return 0;
        }
    }
    return in_digits && ops > 0;
}

/* the infixes of _words._SEPARATOR: hyphen, en dash, em dash, slash */
/* 1 if a final "." after c is a suffix the fast paths strip (_words._period_splits_after,
 * or a simple suffix character), 0 if not, -1 if only the Python algorithm can tell. */
static int
period_suffix_after(Py_UCS4 c)
{
    if (c >= 0x10000)
        return -1;
    return (period_after[c >> 3] >> (c & 7) & 1) || in_set(c, simple_suffix, n_simple_suffix);
}

static int
is_separator(Py_UCS4 c)
{
    return c == '-' || c == 0x2013 || c == 0x2014 || c == '/';
}

/* The fast paths of _words._chunk_tokens for the chunk text[a0:b0], which is not a
 * special case, in C: a letters-only, digits-only or number core, or _words._word_core's
 * shape, inside simple prefix and suffix characters. On success (1) bnd[0..*nt] holds the
 * token boundaries (offsets into text, bnd[*nt] == b0); bnd needs room for b0 - a0 + 1
 * offsets. 0: the chunk needs the Python algorithm; -1: an exception is set. */
static int
fast_bounds(PyObject *text, Py_ssize_t a0, Py_ssize_t b0, Py_ssize_t *bnd, Py_ssize_t *ntp)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t a = a0, b = b0, nt = 0;
    int sp;
    while (b - a > 1 && in_set(PyUnicode_READ(kind, data, a), simple_prefix, n_simple_prefix)) {
        a++;
        if ((sp = is_special(text, a, b)) != 0)
            return sp < 0 ? -1 : 0;  /* the Python algorithm handles it (or the error is set) */
    }
    while (b - a > 1) {
        Py_UCS4 last = PyUnicode_READ(kind, data, b - 1);
        int strip = in_set(last, simple_suffix, n_simple_suffix);
        if (!strip && last == '.' && (strip = period_suffix_after(PyUnicode_READ(kind, data, b - 2))) < 0)
            return 0;
        if (!strip)
            break;
        b--;
        if ((sp = is_special(text, a, b)) != 0)
            return sp < 0 ? -1 : 0;
    }
    int alpha = 1, digit = 1, dotted, inert;
    Py_ssize_t unit;
    Py_ssize_t cut = b;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (alpha && !Py_UNICODE_ISALPHA(c))
            alpha = 0;
        if (digit && !Py_UNICODE_ISDIGIT(c))
            digit = 0;
    }
    /* token boundaries: one per prefix character, the core (or its parts), one
     * per suffix character */
    for (Py_ssize_t i = a0; i < a; i++)
        bnd[nt++] = i;
    if (alpha || digit || ascii_number(kind, data, a, b)) {
        if ((sp = is_special(text, a, b)) != 0)
            return sp < 0 ? -1 : 0;
        bnd[nt++] = a;
    } else if (b - a > 1 && is_currency(PyUnicode_READ(kind, data, a)) &&
               (all_digits(kind, data, a + 1, b) || ascii_number(kind, data, a + 1, b))) {
        /* _words._CURRENCY_SIGNS: a sign, then a number */
        if ((sp = is_special(text, a, b)) != 0 || (sp = is_special(text, a + 1, b)) != 0)
            return sp < 0 ? -1 : 0;
        bnd[nt++] = a;
        bnd[nt++] = a + 1;
    } else if (digit_ops(kind, data, a, b)) {
        /* each sign is an infix */
        if ((sp = is_special(text, a, b)) != 0)
            return sp < 0 ? -1 : 0;
        bnd[nt++] = a;
        for (Py_ssize_t i = a + 1; i < b; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            if (!is_ascii_digit(c)) {
                bnd[nt++] = i;
                bnd[nt++] = i + 1;
            }
        }
    } else if ((unit = number_unit(text, a, b)) != 0) {
        /* a number, then a unit: two tokens */
        if (unit < 0 || (sp = is_special(text, a, b)) != 0 || (sp = is_special(text, a, unit)) != 0)
            return unit < 0 || sp < 0 ? -1 : 0;
        bnd[nt++] = a;
        bnd[nt++] = unit;
    } else if ((inert = inert_core(text, a, b)) != 0) {
        if (inert < 0 || (sp = is_special(text, a, b)) != 0)
            return inert < 0 || sp < 0 ? -1 : 0;
        bnd[nt++] = a;
    } else if ((dotted = dotted_core(text, a, b, &cut)) != 0) {
        if (dotted < 0)
            return -1;
        if ((sp = is_special(text, a, b)) != 0 || (sp = is_special(text, a, cut)) != 0)
            return sp < 0 ? -1 : 0;
        bnd[nt++] = a;
        if (dotted == 2)
            bnd[nt++] = cut;
    } else {
        /* _words._word_core: letter runs (apostrophes and soft hyphens inside them) joined
         * by single separators, with an optional final possessive 's */
        if (b - a < 2 || (sp = is_special(text, a, b)) != 0)
            return sp < 0 ? -1 : 0;
        Py_ssize_t e = b;
        Py_UCS4 z = PyUnicode_READ(kind, data, b - 1);
        if (b - a > 2 && (z == 's' || z == 'S') && is_apostrophe(PyUnicode_READ(kind, data, b - 2)))
            e = b - 2;
        Py_ssize_t start = a;
        for (Py_ssize_t i = a; i <= e; i++) {
            Py_UCS4 c = i < e ? PyUnicode_READ(kind, data, i) : '-';
            if (is_separator(c)) {
                if (i == start || !Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, start)) ||
                    !Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, i - 1)) ||
                    (sp = is_special(text, start, i)) != 0)
                    return sp < 0 ? -1 : 0;  /* an empty or odd part, a special part, or an error */
                bnd[nt++] = start;
                if (i < e)
                    bnd[nt++] = i;
                start = i + 1;
            } else if (is_apostrophe(c) || c == 0xAD) {
                if (i == start || !Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, i - 1)))
                    return 0;
            } else if (!Py_UNICODE_ISALPHA(c)) {
                return 0;
            }
        }
        if (e < b) {
            /* a second possessive ("rock's's") needs another affix pass: Python's */
            Py_UCS4 y = PyUnicode_READ(kind, data, e - 1);
            if ((y == 's' || y == 'S') && e - 2 >= a && is_apostrophe(PyUnicode_READ(kind, data, e - 2)))
                return 0;
            bnd[nt++] = e;
        }
    }
    for (Py_ssize_t i = b; i < b0; i++)
        bnd[nt++] = i;
    bnd[nt] = b0;
    /* two tokens joined are the chunk, which is no special case: nothing to re-join */
    if (nt > 2 && merge_specials(text, bnd, &nt) < 0)
        return -1;
    *ntp = nt;
    return 1;
}

/* fast_bounds over a whole chunk: a new tuple of its tokens, or NULL with no exception
 * when the chunk needs the Python algorithm, or NULL with an exception. */
static PyObject *
fast_split(PyObject *chunk)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk), nt = 0;
    Py_ssize_t stack_bnd[64];
    Py_ssize_t *bnd = n + 1 <= 64 ? stack_bnd : PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (bnd == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject *tup = NULL;
    if (fast_bounds(chunk, 0, n, bnd, &nt) == 1) {
        tup = PyTuple_New(nt);
        for (Py_ssize_t k = 0; tup != NULL && k < nt; k++) {
            PyObject *t = PyUnicode_Substring(chunk, bnd[k], bnd[k + 1]);
            if (t == NULL)
                Py_CLEAR(tup);
            else
                PyTuple_SET_ITEM(tup, k, t);
        }
    }
    if (bnd != stack_bnd)
        PyMem_Free(bnd);
    return tup;
}

/* The tokens of one chunk: a new reference to a tuple, or NULL with an exception set. */
static PyObject *
chunk_tokens(PyObject *chunk, PyObject *cache, PyObject *split_miss, Py_ssize_t max_cache)
{
    PyObject *toks = PyDict_GetItemWithError(cache, chunk);
    if (toks != NULL) {
        Py_INCREF(toks);
        return toks;
    }
    if (PyErr_Occurred())
        return NULL;
    toks = PyDict_GetItemWithError(specials, chunk);
    if (toks != NULL && PyTuple_Check(toks)) {  /* a special case: its tokens, from the table */
        Py_INCREF(toks);
        return toks;
    }
    if (PyErr_Occurred())
        return NULL;
    if (toks == NULL) {
        toks = fast_split(chunk);
        if (toks != NULL) {
            PyObject_GC_UnTrack(toks);  /* strings only: no cycle (see untracked_tuple) */
            if (PyDict_GET_SIZE(cache) >= max_cache)
                PyDict_Clear(cache);
            if (PyDict_SetItem(cache, chunk, toks) < 0) {
                Py_DECREF(toks);
                return NULL;
            }
            return toks;
        }
        if (PyErr_Occurred())
            return NULL;
    }
    toks = PyObject_CallOneArg(split_miss, chunk);
    if (toks != NULL && !PyTuple_Check(toks)) {
        PyErr_SetString(PyExc_TypeError, "the chunk splitter must return a tuple");
        Py_DECREF(toks);
        return NULL;
    }
    return toks;
}

/* The flags of one token. A letters-only or digits-only token is answered here (no
 * letter or digit is punctuation or sentence-final, which test_fastwords checks); any
 * other from the flags dict, or on a miss by flags_miss, which stores its answer. */
static long
token_flags(PyObject *tok, PyObject *flags, PyObject *flags_miss)
{
    int plain = plain_kind(tok);
    if (plain)
        return plain == 1 ? F_ALPHA : 0;
    /* one-character tokens (most punctuation) are remembered here: a token's flags are
     * a function of the token alone, so the answer never changes */
    Py_UCS4 one = PyUnicode_GET_LENGTH(tok) == 1 ? PyUnicode_READ_CHAR(tok, 0) : 0xFFFFFFFF;
    if (one < ONE_CHAR_FLAGS && one_char_flags[one] >= 0)
        return one_char_flags[one];
    long f;
    if (PyUnicode_IS_ASCII(tok)) {
        /* _words._ascii_token_flags, from the flags of each character: a symbol word and a
         * punctuation token are so character by character, a letter anywhere makes a word
         * alphabetic, and only a one-character token is sentence-final */
        const Py_UCS1 *d = PyUnicode_1BYTE_DATA(tok);
        Py_ssize_t n = PyUnicode_GET_LENGTH(tok);
        long all = F_SYMBOL | F_PUNCT, any = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            all &= ascii_flags[d[i]];
            any |= ascii_flags[d[i]];
        }
        f = all | (any & F_ALPHA) | (n == 1 ? ascii_flags[d[0]] & F_FINAL : 0);
    } else {
        PyObject *v = PyDict_GetItemWithError(flags, tok);
        if (v != NULL) {
            f = PyLong_AsLong(v);
        } else {
            if (PyErr_Occurred())
                return -1;
            v = PyObject_CallOneArg(flags_miss, tok);
            if (v == NULL)
                return -1;
            f = PyLong_AsLong(v);
            Py_DECREF(v);
        }
    }
    if (one < ONE_CHAR_FLAGS && f >= 0 && f < 128)
        one_char_flags[one] = (int8_t)f;
    return f;
}


/* A tuple of the list's strings, out of the garbage collector's sight: strings cannot
 * form reference cycles, and a document's words are otherwise traversed by every
 * collection while they live (the cost measured was a fifth of the filter chain). */
static PyObject *
untracked_tuple(PyObject *list)
{
    PyObject *t = PyList_AsTuple(list);
    if (t != NULL && PyObject_GC_IsTracked(t))
        PyObject_GC_UnTrack(t);
    return t;
}

static PyObject *ngram_profile(PyObject *self, PyObject *arg);

/* A document's running totals, as _words._analyse_py and _words._sentences keep them. */
typedef struct {
    long long n_words, n_symbol, n_alpha, chars, n_sent;
    int seen_final;  /* a sentence-final token was seen since the sentence began */
} Totals;

static inline void
count_token(Totals *t, long f, Py_ssize_t len)
{
    t->n_words++;
    if (f & F_SYMBOL)
        t->n_symbol++;
    else
        t->chars += len;
    if (f & F_ALPHA)
        t->n_alpha++;
    if (f & F_FINAL)
        t->seen_final = 1;
    else if (t->seen_final && !(f & F_PUNCT)) {
        t->n_sent++;
        t->seen_final = 0;
    }
}

/* Chunks shorter than this are split in place by fast_bounds (a stack buffer holds their
 * token boundaries); longer ones go through the chunk cache. */
#define FAST_CHUNK_MAX 64
#define NEED_TOKEN (-2)

/* The flags of the token text[a:b] where they need no string object: letters or digits
 * only, or one character whose flags are known; else NEED_TOKEN (ask token_flags). */
static long
span_flags(int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    int plain = plain_kind_at(kind, data, a, b);
    if (plain)
        return plain == 1 ? F_ALPHA : 0;
    if (b - a == 1) {
        Py_UCS4 c = PyUnicode_READ(kind, data, a);
        if (c < ONE_CHAR_FLAGS && one_char_flags[c] >= 0)
            return one_char_flags[c];
    }
    return NEED_TOKEN;
}

PyDoc_STRVAR(scan_doc,
"scan(text, cache, flags, split_miss, flags_miss, want_words, max_cache)\n"
"-> (words, n_words, n_symbol, n_alpha, content_chars, n_sentences, profile)\n\n"
"The word split of text (a tuple) and its statistics, as _words._analyse_py and\n"
"_words._count_sentences_py compute them, and the words' ngram_profile(); words and\n"
"profile are None unless want_words.");

/* The look-up tables and callbacks of one scan (see scan()). */
typedef struct {
    PyObject *cache, *flags, *split_miss, *flags_miss;
    Py_ssize_t max_cache;
} Tables;

/* The word split of text[i:n] (whitespace-separated chunks, split into tokens), appended
 * to words (unless NULL) and counted into *t. 0, or -1 with an exception set. */
static int
scan_span(PyObject *text, Py_ssize_t i, Py_ssize_t n, PyObject *words, Totals *tp, const Tables *tb)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *cache = tb->cache, *flags = tb->flags, *split_miss = tb->split_miss, *flags_miss = tb->flags_miss;
    Py_ssize_t max_cache = tb->max_cache;
    Totals t = *tp;
    while (i < n) {
        while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i >= n)
            break;
        Py_ssize_t j = i + 1;
        while (j < n && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
            j++;
        if (t.n_sent == 0)
            t.n_sent = 1;
        /* The common case, a chunk of letters only (or digits only) that is not a special
         * case, is one token whose flags are known: no look-up in the large chunk and
         * flag tables, whose random access costs more than the rest of the loop. */
        int plain = plain_kind_at(kind, data, i, j);
        if (plain) {
            int special = is_special(text, i, j);
            if (special < 0)
                goto error;
            if (!special) {
                if (words != NULL) {
                    PyObject *w = PyUnicode_Substring(text, i, j);
                    if (w == NULL)
                        goto error;
                    int rc = PyList_Append(words, w);
                    Py_DECREF(w);
                    if (rc < 0)
                        goto error;
                }
                count_token(&t, plain == 1 ? F_ALPHA : 0, j - i);
                i = j;
                continue;
            }
        }
        /* Other chunks of the shapes fast_bounds knows are split in place: their tokens
         * are made straight from the text, and neither the chunk nor a look-up in the
         * chunk cache (large, so slow to probe) is needed. */
        if (j - i < FAST_CHUNK_MAX) {
            int sp = is_special(text, i, j);
            if (sp < 0)
                goto error;
            Py_ssize_t bnd[FAST_CHUNK_MAX + 1], nt = 0;
            int r = sp ? 0 : fast_bounds(text, i, j, bnd, &nt);
            if (r < 0)
                goto error;
            if (r) {
                for (Py_ssize_t k = 0; k < nt; k++) {
                    Py_ssize_t a = bnd[k], b = bnd[k + 1];
                    long f = span_flags(kind, data, a, b);
                    PyObject *tok = NULL;
                    if (f == NEED_TOKEN || words != NULL) {
                        tok = PyUnicode_Substring(text, a, b);
                        if (tok == NULL)
                            goto error;
                    }
                    if (f == NEED_TOKEN && (f = token_flags(tok, flags, flags_miss)) == -1 && PyErr_Occurred()) {
                        Py_DECREF(tok);
                        goto error;
                    }
                    if (words != NULL) {
                        int rc = PyList_Append(words, tok);
                        Py_DECREF(tok);
                        if (rc < 0)
                            goto error;
                    } else {
                        Py_XDECREF(tok);
                    }
                    count_token(&t, f, b - a);
                }
                i = j;
                continue;
            }
        }
        PyObject *chunk = PyUnicode_Substring(text, i, j);
        if (chunk == NULL)
            goto error;
        PyObject *toks = chunk_tokens(chunk, cache, split_miss, max_cache);
        Py_DECREF(chunk);
        if (toks == NULL)
            goto error;
        Py_ssize_t nt = PyTuple_GET_SIZE(toks);
        for (Py_ssize_t k = 0; k < nt; k++) {
            PyObject *tok = PyTuple_GET_ITEM(toks, k);
            long f = token_flags(tok, flags, flags_miss);
            if (f == -1 && PyErr_Occurred()) {
                Py_DECREF(toks);
                goto error;
            }
            if (words != NULL && PyList_Append(words, tok) < 0) {
                Py_DECREF(toks);
                goto error;
            }
            count_token(&t, f, PyUnicode_GET_LENGTH(tok));
        }
        Py_DECREF(toks);
        i = j;
    }
    *tp = t;
    return 0;
error:
    return -1;
}

static PyObject *
scan(PyObject *self, PyObject *args)
{
    PyObject *text;
    Tables tb;
    int want_words;
    if (!PyArg_ParseTuple(args, "UO!O!OOpn", &text, &PyDict_Type, &tb.cache, &PyDict_Type, &tb.flags,
                          &tb.split_miss, &tb.flags_miss, &want_words, &tb.max_cache))
        return NULL;
    if (check_configured() < 0)
        return NULL;
    PyObject *words = NULL;
    if (want_words) {
        words = PyList_New(0);
        if (words == NULL)
            return NULL;
    }
    Totals t = {0, 0, 0, 0, 0, 0};
    if (scan_span(text, 0, PyUnicode_GET_LENGTH(text), words, &t, &tb) < 0) {
        Py_XDECREF(words);
        return NULL;
    }
    PyObject *out, *profile;
    if (words == NULL) {
        Py_INCREF(Py_None);
        out = Py_None;
        Py_INCREF(Py_None);
        profile = Py_None;
    } else {
        /* the words were just made, so their lengths and hashes are read from the cache */
        profile = ngram_profile(NULL, words);
        out = profile == NULL ? NULL : untracked_tuple(words);
        Py_DECREF(words);
        if (out == NULL) {
            Py_XDECREF(profile);
            return NULL;
        }
    }
    return Py_BuildValue("NLLLLLN", out, t.n_words, t.n_symbol, t.n_alpha, t.chars, t.n_sent, profile);
}

/* ---- per-line marks of the Gopher quality rules, and chunk counts ---------------------- */

PyDoc_STRVAR(gopher_marks_doc,
"gopher_marks(text) -> (hashes, ellipses, lines, bullet_lines, ellipsis_lines)\n\n"
"text.count('#'), text.count('...') + text.count('\\u2026'), len(text.splitlines()), and\n"
"how many of those lines start with '\\u2022' or '-' after str.lstrip() and end with\n"
"'...' or '\\u2026' after str.rstrip().");

static PyObject *
gopher_marks(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    Py_ssize_t hashes = 0, ellipses = 0, lines = 0, bullets = 0, ends = 0, dots = 0;
    Py_ssize_t pos = 0;
    while (pos < n) {
        Py_ssize_t start = pos, end = pos;
        /* the line, and the characters counted over the whole text ("..." without overlap:
         * a run of k dots holds k // 3) */
        for (; end < n; end++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, end);
            if (c == '.') {
                dots++;
                continue;
            }
            ellipses += dots / 3;
            dots = 0;
            if (c == '#')
                hashes++;
            else if (c == 0x2026)
                ellipses++;
            else if (Py_UNICODE_ISLINEBREAK(c))
                break;
        }
        pos = end;
        if (end < n) {
            pos = end + 1;
            if (PyUnicode_READ(kind, data, end) == '\r' && end + 1 < n && PyUnicode_READ(kind, data, end + 1) == '\n')
                pos = end + 2;
        }
        lines++;
        Py_ssize_t a = start, b = end;
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)))
            a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1)))
            b--;
        if (a < b) {
            Py_UCS4 first = PyUnicode_READ(kind, data, a), last = PyUnicode_READ(kind, data, b - 1);
            if (first == 0x2022 || first == '-')
                bullets++;
            if (last == 0x2026 || (last == '.' && b - a >= 3 && PyUnicode_READ(kind, data, b - 2) == '.' &&
                                   PyUnicode_READ(kind, data, b - 3) == '.'))
                ends++;
        }
    }
    ellipses += dots / 3;
    return Py_BuildValue("(nnnnn)", hashes, ellipses, lines, bullets, ends);
}

PyDoc_STRVAR(count_chunks_doc,
"count_chunks(text) -> int\n\nlen(text.split()), without making the chunks.");

static PyObject *
count_chunks(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), chunks = 0;
    int in_chunk = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i));
        chunks += !space && !in_chunk;
        in_chunk = !space;
    }
    return PyLong_FromSsize_t(chunks);
}

/* ---- repeated paragraphs and lines ---------------------------------------------------- */

PyDoc_STRVAR(dup_pieces_doc,
"dup_pieces(text, strip, min_run) -> (n_pieces, n_dup, dup_chars)\n\n"
"The pieces of text (stripped first if strip) between runs of at least min_run newlines,\n"
"as re.split(r'\\n{min_run,}', ...) gives them: how many, how many equal an earlier piece,\n"
"and the characters of those (gopher_repetition.find_duplicates).");

/* The first "\n" of text[i:b], or b. */
static Py_ssize_t
find_newline(int kind, const void *data, Py_ssize_t i, Py_ssize_t b)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *p = memchr((const char *)data + i, '\n', (size_t)(b - i));
        return p == NULL ? b : p - (const char *)data;
    }
    if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *d = data;
        while (i + 4 <= b) {  /* four characters at a time: is one of them "\n"? */
            uint64_t w;
            memcpy(&w, d + i, 8);
            w ^= 0x000A000A000A000AULL;
            if ((w - 0x0001000100010001ULL) & ~w & 0x8000800080008000ULL)
                break;
            i += 4;
        }
        while (i < b && d[i] != '\n')
            i++;
        return i;
    }
    const Py_UCS4 *d = data;
    while (i < b && d[i] != '\n')
        i++;
    return i;
}

/* A fast hash of n bytes, 8 at a time: equal pieces are then compared byte by byte, so
 * its quality only matters for speed. */
static uint64_t
hash_bytes(const char *p, Py_ssize_t n)
{
    uint64_t h = 0x243F6A8885A308D3ULL ^ (uint64_t)n, w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * MIX;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        w = 0;
        memcpy(&w, p, (size_t)n);
        h = (h ^ w) * MIX;
        h ^= h >> 29;
    }
    return h * MIX;
}

static PyObject *
dup_pieces(PyObject *self, PyObject *args)
{
    PyObject *text;
    int strip;
    Py_ssize_t min_run;
    if (!PyArg_ParseTuple(args, "Upn", &text, &strip, &min_run))
        return NULL;
    if (min_run < 1) {
        PyErr_SetString(PyExc_ValueError, "min_run must be at least 1");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const char *bytes = (const char *)data;
    Py_ssize_t a = 0, b = PyUnicode_GET_LENGTH(text);
    if (strip) {
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a)))
            a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1)))
            b--;
    }
    typedef struct {
        uint64_t h;
        Py_ssize_t start, len;  /* len -1: empty slot */
    } Slot;
    size_t size = 64, used = 0;  /* doubled when half full */
    Slot *table = PyMem_Malloc(size * sizeof(Slot));
    if (table == NULL)
        return PyErr_NoMemory();
    for (size_t k = 0; k < size; k++)
        table[k].len = -1;
    /* each piece is hashed over its bytes (every piece has the text's kind) and compared
     * with the earlier pieces of the same hash */
    Py_ssize_t n_pieces = 0;
    long long n_dup = 0, dup_chars = 0;
    Py_ssize_t start = a;
    for (;;) {
        Py_ssize_t end = find_newline(kind, data, start, b), next = -1;
        while (end < b) {
            Py_ssize_t j = end;
            while (j < b && PyUnicode_READ(kind, data, j) == '\n')
                j++;
            if (j - end >= min_run) {
                next = j;
                break;
            }
            end = find_newline(kind, data, j, b);
        }
        Py_ssize_t len = end - start;
        uint64_t h = hash_bytes(bytes + start * kind, len * kind);
        size_t slot = (size_t)(h >> 32) & (size - 1);
        int seen = 0;
        while (table[slot].len >= 0) {
            if (table[slot].h == h && table[slot].len == len &&
                memcmp(bytes + table[slot].start * kind, bytes + start * kind, (size_t)(len * kind)) == 0) {
                seen = 1;
                break;
            }
            slot = (slot + 1) & (size - 1);
        }
        n_pieces++;
        if (seen) {
            n_dup++;
            dup_chars += len;
        } else {
            table[slot].h = h;
            table[slot].start = start;
            table[slot].len = len;
            if (++used * 2 > size) {
                Slot *bigger = PyMem_Malloc(2 * size * sizeof(Slot));
                if (bigger == NULL) {
                    PyMem_Free(table);
                    return PyErr_NoMemory();
                }
                for (size_t k = 0; k < 2 * size; k++)
                    bigger[k].len = -1;
                for (size_t k = 0; k < size; k++) {
                    if (table[k].len < 0)
                        continue;
                    size_t t = (size_t)(table[k].h >> 32) & (2 * size - 1);
                    while (bigger[t].len >= 0)
                        t = (t + 1) & (2 * size - 1);
                    bigger[t] = table[k];
                }
                PyMem_Free(table);
                table = bigger;
                size *= 2;
            }
        }
        if (next < 0)
            break;
        start = next;
    }
    PyMem_Free(table);
    return Py_BuildValue("(nLL)", n_pieces, n_dup, dup_chars);
}

/* ---- c4_quality's line pass ------------------------------------------------------------ */

/* Labels of the edits c4_lines makes: indices into c4_quality._C_LABELS. */
enum { C4_TOO_LONG = 1, C4_NO_PUNCT, C4_FEW_WORDS, C4_WHITESPACE, C4_LINE_BREAK, C4_JAVASCRIPT, C4_POLICY,
       C4_CITATION };
/* the phrase groups of c4_lines' bit masks */
enum { P_LOREM = 1, P_JAVASCRIPT = 2, P_POLICY = 4 };
enum { A_KEEP, A_REMOVE, A_REPLACE };  /* a REPLACE atom's replacement is "\n" */

typedef struct {
    Py_ssize_t start, end;
    int kind, label;
} Atom;

typedef struct {
    Atom *a;
    Py_ssize_t n, cap;
} Atoms;

static int
atoms_push(Atoms *v, Py_ssize_t start, Py_ssize_t end, int kind, int label)
{
    if (v->n == v->cap) {
        Py_ssize_t cap = v->cap ? 2 * v->cap : 64;
        Atom *a = PyMem_Realloc(v->a, (size_t)cap * sizeof(Atom));
        if (a == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n++] = (Atom){start, end, kind, label};
    return 0;
}

/* Insert x before index i. */
static int
atoms_insert(Atoms *v, Py_ssize_t i, Atom x)
{
    if (atoms_push(v, 0, 0, A_KEEP, 0) < 0)
        return -1;
    memmove(v->a + i + 1, v->a + i, (size_t)(v->n - 1 - i) * sizeof(Atom));
    v->a[i] = x;
    return 0;
}

/* One direction of c4_quality._strip: leading (forward) or trailing whitespace of the
 * joined text, taken off the atoms. 0, or -1 with an exception set. */
static int
atoms_strip_one(Atoms *v, int kind, const void *data, int forward)
{
    for (Py_ssize_t k = 0; k < v->n; k++) {
        Py_ssize_t i = forward ? k : v->n - 1 - k;
        Atom *x = &v->a[i];
        Py_ssize_t len, cut = 0;
        if (x->kind == A_KEEP) {
            len = x->end - x->start;
            if (forward)
                while (cut < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, x->start + cut)))
                    cut++;
            else
                while (cut < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, x->end - 1 - cut)))
                    cut++;
        } else if (x->kind == A_REPLACE) {
            len = cut = 1;  /* "\n" */
        } else {
            continue;  /* a removal writes nothing */
        }
        if (len == 0)
            continue;
        if (cut == 0)
            return 0;
        if (cut == len) {  /* all whitespace: the whole atom goes */
            if (x->kind == A_KEEP)
                x->label = C4_WHITESPACE;
            x->kind = A_REMOVE;
            continue;
        }
        /* only kept text can be partly whitespace */
        if (forward) {
            Atom ws = {x->start, x->start + cut, A_REMOVE, C4_WHITESPACE};
            x->start += cut;
            return atoms_insert(v, i, ws);
        }
        Atom ws = {x->end - cut, x->end, A_REMOVE, C4_WHITESPACE};
        x->end -= cut;
        return atoms_insert(v, i + 1, ws);
    }
    return 0;
}

static Py_ssize_t
count_words_upto(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t most)
{
    Py_ssize_t n = 0;
    int in_word = 0;
    for (Py_ssize_t i = a; i < b && n < most; i++) {
        int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i));
        if (!space && !in_word)
            n++;
        in_word = !space;
    }
    return n;
}

static int
has_word_longer(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t most)
{
    Py_ssize_t run = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            run = 0;
        else if (++run > most)
            return 1;
    }
    return 0;
}

/* c: what str.lower() makes of it where that is ASCII (a letter, or U+212A KELVIN SIGN:
 * "k"); any other character lowers to no ASCII at all (U+0130 lowers to "i" and a
 * combining dot: c4_lines is not called on a text holding it). */
static inline Py_UCS4
ascii_lower(Py_UCS4 c)
{
    if (c < 128)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    return c == 0x212A ? 'k' : 0x110000;
}

/* 1 if any of the phrases (a tuple of ASCII lower-case str) occurs in obj[a:b].lower(). */
static int
lower_contains_any(PyObject *obj, Py_ssize_t a, Py_ssize_t b, PyObject *phrases)
{
    int kind = PyUnicode_KIND(obj);
    const void *data = PyUnicode_DATA(obj);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(phrases); k++) {
        PyObject *ph = PyTuple_GET_ITEM(phrases, k);
        Py_ssize_t m = PyUnicode_GET_LENGTH(ph);
        const Py_UCS1 *p = PyUnicode_1BYTE_DATA(ph);
        for (Py_ssize_t i = a; i + m <= b; i++) {
            Py_ssize_t j = 0;
            while (j < m && ascii_lower(PyUnicode_READ(kind, data, i + j)) == p[j])
                j++;
            if (j == m)
                return 1;
        }
    }
    return 0;
}

/* The end of the citation (c4_quality.CITATION: "[" decimal digits "]", "[edit]",
 * "[citation needed]") that starts at text[i] within text[:b], or -1. */
static Py_ssize_t
citation_at(int kind, const void *data, Py_ssize_t i, Py_ssize_t b)
{
    static const char *const words[] = {"edit]", "citation needed]"};
    if (PyUnicode_READ(kind, data, i) != '[')
        return -1;
    Py_ssize_t j = i + 1;
    while (j < b && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, j)))
        j++;
    if (j < b && PyUnicode_READ(kind, data, j) == ']')
        return j + 1;
    for (int w = 0; w < 2; w++) {
        Py_ssize_t m = (Py_ssize_t)strlen(words[w]), k = 0;
        while (k < m && i + 1 + k < b && PyUnicode_READ(kind, data, i + 1 + k) == (Py_UCS4)words[w][k])
            k++;
        if (k == m)
            return i + 1 + m;
    }
    return -1;
}

PyDoc_STRVAR(c4_lines_doc,
"c4_lines(text, max_word_length, min_words, check_punct, check_curly, count, max_sentences,\n"
"         cite, phrases, cite_phrases, phrase_groups, cache, flags, split_miss, flags_miss,\n"
"         max_cache) -> str | (n_lines, n_kept, n_sentences, edits | None)\n\n"
"c4_quality's pass over the lines of text (str.splitlines), for a text without U+0130:\n"
"the reason ('lorem_ipsum', 'curly_bracket') when a line drops the document, else the\n"
"counts and the edits of the rewrite, each (start, end, is_replacement, label index);\n"
"edits is None when the sentences are too few. cite: citations are removed; phrases and\n"
"cite_phrases: bit masks (1 lorem ipsum, 2 javascript, 4 policy) of the phrase groups of\n"
"phrase_groups (three tuples of lower-case ASCII phrases) checked on a line without and\n"
"with a citation. The last five arguments are scan()'s, for the sentence count.");

static PyObject *
c4_lines(PyObject *self, PyObject *args)
{
    PyObject *text, *groups;
    Py_ssize_t max_len, min_words, max_sentences;
    int check_punct, check_curly, count, cite, phrases, cite_phrases;
    Tables tb;
    if (!PyArg_ParseTuple(args, "UnnpppnpiiO!O!O!OOn", &text, &max_len, &min_words, &check_punct, &check_curly,
                          &count, &max_sentences, &cite, &phrases, &cite_phrases, &PyTuple_Type, &groups,
                          &PyDict_Type, &tb.cache, &PyDict_Type, &tb.flags, &tb.split_miss, &tb.flags_miss,
                          &tb.max_cache))
        return NULL;
    if (check_configured() < 0)
        return NULL;
    if (PyTuple_GET_SIZE(groups) != 3) {
        PyErr_SetString(PyExc_ValueError, "phrase_groups must hold three tuples");
        return NULL;
    }
    for (int g = 0; g < 3; g++) {
        PyObject *grp = PyTuple_GET_ITEM(groups, g);
        if (!PyTuple_Check(grp)) {
            PyErr_SetString(PyExc_TypeError, "phrase_groups must hold three tuples");
            return NULL;
        }
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(grp); k++) {
            PyObject *ph = PyTuple_GET_ITEM(grp, k);
            if (!PyUnicode_Check(ph) || !PyUnicode_IS_ASCII(ph)) {
                PyErr_SetString(PyExc_TypeError, "phrases must be ASCII str");
                return NULL;
            }
        }
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Atoms v = {NULL, 0, 0};
    Py_ssize_t n_lines = 0, n_kept = 0, last_kept_sep = -1;
    long long n_sent = 0;
    Py_ssize_t pos = 0;
    PyObject *result = NULL, *kept_obj = NULL;
    Py_ssize_t cites_cap = 0, n_cites = 0;
    Py_ssize_t *cites = NULL;  /* start, end of each citation of the line */
    while (pos < n) {
        Py_CLEAR(kept_obj);
        Py_ssize_t start = pos, end = pos, sep_end;
        while (end < n && !Py_UNICODE_ISLINEBREAK(PyUnicode_READ(kind, data, end)))
            end++;
        sep_end = end;
        if (end < n) {
            sep_end = end + 1;
            if (PyUnicode_READ(kind, data, end) == '\r' && end + 1 < n && PyUnicode_READ(kind, data, end + 1) == '\n')
                sep_end = end + 2;
        }
        pos = sep_end;
        n_lines++;
        Py_ssize_t s0 = start, s1 = end;
        while (s0 < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s0)))
            s0++;
        while (s1 > s0 && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, s1 - 1)))
            s1--;
        int label = 0;
        n_cites = 0;
        /* the kept line: text[s0:s1], or kept_obj when citations come out of it */
        PyObject *ko = text;
        Py_ssize_t ka = s0, kb = s1;
        if (max_len != -1 && s1 - s0 > max_len && has_word_longer(kind, data, s0, s1, max_len)) {
            label = C4_TOO_LONG;
        } else {
            if (cite) {
                for (Py_ssize_t i = s0; i < s1; i++) {
                    Py_ssize_t e = citation_at(kind, data, i, s1);
                    if (e < 0)
                        continue;
                    if (n_cites + 2 > cites_cap) {
                        Py_ssize_t cap = cites_cap ? 2 * cites_cap : 16;
                        Py_ssize_t *c = PyMem_Realloc(cites, (size_t)cap * sizeof(Py_ssize_t));
                        if (c == NULL) {
                            PyErr_NoMemory();
                            goto done;
                        }
                        cites = c;
                        cites_cap = cap;
                    }
                    cites[n_cites++] = i;
                    cites[n_cites++] = e;
                    i = e - 1;
                }
                if (n_cites) {
                    PyObject *parts = PyList_New(0), *empty = PyUnicode_New(0, 0);
                    Py_ssize_t from = s0;
                    int bad = parts == NULL || empty == NULL;
                    for (Py_ssize_t c = 0; !bad && c <= n_cites; c += 2) {
                        Py_ssize_t to = c < n_cites ? cites[c] : s1;
                        PyObject *piece = PyUnicode_Substring(text, from, to);
                        bad = piece == NULL || PyList_Append(parts, piece) < 0;
                        Py_XDECREF(piece);
                        if (c < n_cites)
                            from = cites[c + 1];
                    }
                    if (!bad)
                        kept_obj = PyUnicode_Join(empty, parts);
                    Py_XDECREF(parts);
                    Py_XDECREF(empty);
                    if (kept_obj == NULL)
                        goto done;
                    ko = kept_obj;
                    ka = 0;
                    kb = PyUnicode_GET_LENGTH(kept_obj);
                }
            }
            int kkind = PyUnicode_KIND(ko);
            const void *kdata = PyUnicode_DATA(ko);
            if (check_punct) {
                Py_UCS4 last = kb > ka ? PyUnicode_READ(kkind, kdata, kb - 1) : 0;
                int ends = last == '.' || last == '?' || last == '!' || last == '"' || last == '\'';
                if (ends && last == '.' && kb - ka >= 3 && PyUnicode_READ(kkind, kdata, kb - 2) == '.' &&
                    PyUnicode_READ(kkind, kdata, kb - 3) == '.')
                    ends = 0;  /* an ellipsis */
                if (!ends)
                    label = C4_NO_PUNCT;
            }
            if (!label && min_words > 0 && count_words_upto(kind, data, s0, s1, min_words) < min_words)
                label = C4_FEW_WORDS;
            if (!label) {
                int ph = n_cites ? cite_phrases : phrases;
                if ((ph & P_LOREM) && lower_contains_any(ko, ka, kb, PyTuple_GET_ITEM(groups, 0))) {
                    result = PyUnicode_FromString("lorem_ipsum");
                    goto done;
                }
                if ((ph & P_JAVASCRIPT) && lower_contains_any(ko, ka, kb, PyTuple_GET_ITEM(groups, 1))) {
                    label = C4_JAVASCRIPT;
                } else {
                    if (check_curly) {
                        for (Py_ssize_t i = ka; i < kb; i++)
                            if (PyUnicode_READ(kkind, kdata, i) == '{') {
                                result = PyUnicode_FromString("curly_bracket");
                                goto done;
                            }
                    }
                    if ((ph & P_POLICY) && lower_contains_any(ko, ka, kb, PyTuple_GET_ITEM(groups, 2)))
                        label = C4_POLICY;
                }
            }
        }
        if (label) {
            Atom *prev = v.n ? &v.a[v.n - 1] : NULL;
            if (prev != NULL && prev->kind == A_REMOVE && prev->label == label && prev->end == start)
                prev->end = sep_end;
            else if (atoms_push(&v, start, sep_end, A_REMOVE, label) < 0)
                goto done;
            continue;
        }
        n_kept++;
        if (count && n_sent < max_sentences) {
            Totals t = {0, 0, 0, 0, 0, 0};
            if (scan_span(ko, ka, kb, NULL, &t, &tb) < 0)
                goto done;
            n_sent += t.n_sent;
        }
        if (s0 > start && atoms_push(&v, start, s0, A_REMOVE, C4_WHITESPACE) < 0)
            goto done;
        Py_ssize_t at = s0;
        for (Py_ssize_t c = 0; c < n_cites; c += 2) {
            if ((at < cites[c] && atoms_push(&v, at, cites[c], A_KEEP, 0) < 0) ||
                atoms_push(&v, cites[c], cites[c + 1], A_REMOVE, C4_CITATION) < 0)
                goto done;
            at = cites[c + 1];
        }
        if (atoms_push(&v, at, s1, A_KEEP, 0) < 0 ||
            (s1 < end && atoms_push(&v, s1, end, A_REMOVE, C4_WHITESPACE) < 0))
            goto done;
        /* the separator after a kept line: the joiner of "\n".join */
        int sep_kept = sep_end - end == 1 && PyUnicode_READ(kind, data, end) == '\n';
        if (atoms_push(&v, end, sep_end, sep_kept ? A_KEEP : A_REPLACE, sep_kept ? 0 : C4_LINE_BREAK) < 0)
            goto done;
        last_kept_sep = v.n - 1;
    }
    if (count && n_sent < max_sentences) {
        /* rejected for too few sentences by the caller: no edits needed */
        result = Py_BuildValue("(nnLO)", n_lines, n_kept, n_sent, Py_None);
        goto done;
    }
    if (last_kept_sep >= 0) {  /* "\n".join puts no separator after the last kept line */
        v.a[last_kept_sep].kind = A_REMOVE;
        v.a[last_kept_sep].label = C4_LINE_BREAK;
    }
    if (atoms_strip_one(&v, kind, data, 1) < 0 || atoms_strip_one(&v, kind, data, 0) < 0)
        goto done;
    PyObject *edits = PyList_New(0);
    if (edits == NULL)
        goto done;
    Py_ssize_t out = 0;  /* c4_quality._merge: neighbouring removals with one label join */
    for (Py_ssize_t i = 0; i < v.n; i++) {
        Atom x = v.a[i];
        if (out && x.kind == A_REMOVE) {
            Atom *prev = &v.a[out - 1];
            if (prev->kind == A_REMOVE && prev->label == x.label && prev->end == x.start) {
                prev->end = x.end;
                continue;
            }
        }
        v.a[out++] = x;
    }
    for (Py_ssize_t i = 0; i < out; i++) {
        Atom x = v.a[i];
        if (x.kind == A_KEEP || (x.end == x.start && x.kind != A_REPLACE))
            continue;
        PyObject *e = Py_BuildValue("(nnOi)", x.start, x.end, x.kind == A_REPLACE ? Py_True : Py_False, x.label);
        if (e == NULL || PyList_Append(edits, e) < 0) {
            Py_XDECREF(e);
            Py_DECREF(edits);
            goto done;
        }
        Py_DECREF(e);
    }
    result = Py_BuildValue("(nnLN)", n_lines, n_kept, n_sent, edits);
done:
    Py_XDECREF(kept_obj);
    PyMem_Free(cites);
    PyMem_Free(v.a);
    return result;
}

/* ---- n-grams ------------------------------------------------------------------------ */

typedef struct {
    Py_ssize_t m;      /* number of n-grams */
    uint64_t *h;       /* hash of the n-gram starting at each position (owned) */
    const int64_t *cum;  /* cum[i]: characters of words[0:i] (borrowed from the profile) */
} NGrams;

static void
ngrams_free(NGrams *g)
{
    PyMem_Free(g->h);
}

/* A document's word profile, made once and read by every n-gram call: a bytes object
 * holding the number of words, the prefix sums of their lengths and their hashes. */
PyDoc_STRVAR(ngram_profile_doc,
"ngram_profile(words) -> bytes\n\n"
"The word lengths and hashes of words (a list or tuple of str), for the ngram_* calls.");

static PyObject *
ngram_profile(PyObject *self, PyObject *arg)
{
    if (!PyList_Check(arg) && !PyTuple_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "words must be a list or tuple of str");
        return NULL;
    }
    Py_ssize_t nw = PySequence_Fast_GET_SIZE(arg);
    PyObject **items = PySequence_Fast_ITEMS(arg);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((2 * nw + 2) * sizeof(int64_t)));
    if (out == NULL)
        return NULL;
    int64_t *buf = (int64_t *)PyBytes_AS_STRING(out);
    int64_t *cum = buf + 1;
    uint64_t *h1 = (uint64_t *)(cum + nw + 1);
    buf[0] = nw;
    cum[0] = 0;
    for (Py_ssize_t i = 0; i < nw; i++) {
        PyObject *w = items[i];
        if (!PyUnicode_Check(w)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "words must be a list or tuple of str");
            return NULL;
        }
        Py_hash_t hv = PyObject_Hash(w);
        if (hv == -1 && PyErr_Occurred()) {
            Py_DECREF(out);
            return NULL;
        }
        cum[i + 1] = cum[i] + PyUnicode_GET_LENGTH(w);
        h1[i] = (uint64_t)hv;
    }
    return out;
}

/* 0 on success, -1 with an exception set. */
static int
ngrams_build(PyObject *profile, Py_ssize_t n, NGrams *g, int need_hashes)
{
    g->h = NULL;
    if (!PyBytes_Check(profile) || PyBytes_GET_SIZE(profile) < (Py_ssize_t)(2 * sizeof(int64_t))) {
        PyErr_SetString(PyExc_TypeError, "expected the bytes of ngram_profile()");
        return -1;
    }
    if (n < 1) {
        PyErr_SetString(PyExc_ValueError, "n must be at least 1");
        return -1;
    }
    const int64_t *buf = (const int64_t *)PyBytes_AS_STRING(profile);
    Py_ssize_t nw = (Py_ssize_t)buf[0];
    if (PyBytes_GET_SIZE(profile) != (Py_ssize_t)((2 * nw + 2) * sizeof(int64_t))) {
        PyErr_SetString(PyExc_ValueError, "expected the bytes of ngram_profile()");
        return -1;
    }
    g->cum = buf + 1;
    g->m = nw - n + 1 > 0 ? nw - n + 1 : 0;
    if (!need_hashes || g->m == 0)
        return 0;
    const uint64_t *h1 = (const uint64_t *)(g->cum + nw + 1);
    g->h = PyMem_Malloc((size_t)g->m * sizeof(uint64_t));
    if (g->h == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* h_n[i] = h_{n-1}[i] * M + h1[i + n - 1] */
    for (Py_ssize_t i = 0; i < g->m; i++) {
        uint64_t x = h1[i];
        for (Py_ssize_t k = 1; k < n; k++)
            x = x * MIX + h1[i + k];
        g->h[i] = x;
    }
    return 0;
}

/* An open-addressing table of n-gram hashes (load factor at most 1/2), with a count
 * and the first position of each for the top n-gram rule. */
typedef struct {
    size_t mask;
    uint64_t *key;
    uint8_t *used;
    Py_ssize_t *count;  /* NULL when counts are not wanted */
    Py_ssize_t *first;
} Table;

static int
table_init(Table *t, Py_ssize_t m, int with_counts)
{
    size_t size = 16;
    while (size < (size_t)m * 2)
        size <<= 1;
    t->mask = size - 1;
    t->key = PyMem_Malloc(size * sizeof(uint64_t));
    t->used = PyMem_Calloc(size, 1);
    t->count = with_counts ? PyMem_Calloc(size, sizeof(Py_ssize_t)) : NULL;
    t->first = with_counts ? PyMem_Malloc(size * sizeof(Py_ssize_t)) : NULL;
    if (t->key == NULL || t->used == NULL || (with_counts && (t->count == NULL || t->first == NULL))) {
        PyMem_Free(t->key);
        PyMem_Free(t->used);
        PyMem_Free(t->count);
        PyMem_Free(t->first);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
table_free(Table *t)
{
    PyMem_Free(t->key);
    PyMem_Free(t->used);
    PyMem_Free(t->count);
    PyMem_Free(t->first);
}

/* The slot of hash x: either holding x, or empty. */
static inline size_t
table_find(const Table *t, uint64_t x)
{
    size_t s = (size_t)(x ^ (x >> 29)) & t->mask;
    while (t->used[s] && t->key[s] != x)
        s = (s + 1) & t->mask;
    return s;
}

/* Shared start of the n-gram calls: parse (profile, n), build the n-gram hashes and an
   empty table for them. 1: ready (both to be freed by the caller); 0: fewer than n words
   (nothing to free); -1: error set. */
static int
ngrams_open(PyObject *args, Py_ssize_t *n, NGrams *g, Table *t, int with_counts)
{
    PyObject *profile;
    if (!PyArg_ParseTuple(args, "On", &profile, n))
        return -1;
    if (ngrams_build(profile, *n, g, 1) < 0)
        return -1;
    if (g->m == 0) {
        ngrams_free(g);
        return 0;
    }
    if (table_init(t, g->m, with_counts) < 0) {
        ngrams_free(g);
        return -1;
    }
    return 1;
}

PyDoc_STRVAR(ngram_top_doc,
"ngram_top(profile, n) -> (chars, count)\n\n"
"Characters of the most frequent n-gram joined with spaces, times its count, and the\n"
"count; ties go to the n-gram seen first. (0, 0) when there are fewer than n words.");

static PyObject *
ngram_top(PyObject *self, PyObject *args)
{
    Py_ssize_t n;
    NGrams g;
    Table t;
    int r = ngrams_open(args, &n, &g, &t, 1);
    if (r <= 0)
        return r < 0 ? NULL : Py_BuildValue("(ii)", 0, 0);
    Py_ssize_t best = 0, best_first = 0;
    for (Py_ssize_t i = 0; i < g.m; i++) {
        size_t s = table_find(&t, g.h[i]);
        if (!t.used[s]) {
            t.used[s] = 1;
            t.key[s] = g.h[i];
            t.first[s] = i;
        }
        Py_ssize_t c = ++t.count[s];
        Py_ssize_t first = t.first[s];
        if (c > best || (c == best && first < best_first)) {
            best = c;
            best_first = first;
        }
    }
    long long chars = (long long)(g.cum[best_first + n] - g.cum[best_first] + (n - 1)) * best;
    table_free(&t);
    ngrams_free(&g);
    return Py_BuildValue("(Ln)", chars, best);
}

PyDoc_STRVAR(ngram_dup_doc,
"ngram_dup(profile, n) -> (chars, repeats)\n\n"
"Characters (words joined without spaces) of the n-grams that repeat an earlier one,\n"
"walking left to right: a repeat adds its characters and skips n positions, skipped\n"
"n-grams are not remembered. repeats: whether any n-gram occurs twice at all.");

static PyObject *
ngram_dup(PyObject *self, PyObject *args)
{
    Py_ssize_t n;
    NGrams g;
    Table t;
    int r = ngrams_open(args, &n, &g, &t, 0);
    if (r <= 0)
        return r < 0 ? NULL : Py_BuildValue("(iO)", 0, Py_False);
    /* One walk answers both: until the first repeat nothing is skipped, so every earlier
     * n-gram is remembered, and the walk finds a repeat exactly when one exists. */
    long long total = 0;
    int repeats = 0;
    Py_ssize_t i = 0;
    while (i < g.m) {
        uint64_t x = g.h[i];
        size_t s = table_find(&t, x);
        if (t.used[s]) {
            total += g.cum[i + n] - g.cum[i];
            repeats = 1;
            i += n;
        } else {
            t.used[s] = 1;
            t.key[s] = x;
            i += 1;
        }
    }
    table_free(&t);
    ngrams_free(&g);
    return Py_BuildValue("(LO)", total, repeats ? Py_True : Py_False);
}

PyDoc_STRVAR(ngram_dup_many_doc,
"ngram_dup_many(profile, ns) -> [(chars, repeats), ...]\n\n"
"ngram_dup(profile, n) for each n of ns in order, until one finds no repeat: from there\n"
"on (0, False) without computing (no longer n-gram repeats either). The hashes of one n\n"
"are extended to the next and the table is reused.");

static PyObject *
ngram_dup_many(PyObject *self, PyObject *args)
{
    PyObject *profile, *ns;
    if (!PyArg_ParseTuple(args, "OO", &profile, &ns))
        return NULL;
    NGrams g;
    if (ngrams_build(profile, 1, &g, 0) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(ns, "ns must be a sequence of int");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    const int64_t *buf = (const int64_t *)PyBytes_AS_STRING(profile);
    Py_ssize_t nw = (Py_ssize_t)buf[0];
    const uint64_t *h1 = (const uint64_t *)(g.cum + nw + 1);
    PyObject *out = PyList_New(count);
    uint64_t *h = nw > 0 ? PyMem_Malloc((size_t)nw * sizeof(uint64_t)) : NULL;
    Table t = {0, NULL, NULL, NULL, NULL};
    int have_table = 0;
    if (out == NULL || (nw > 0 && h == NULL))
        goto fail;
    if (nw > 0) {
        if (table_init(&t, nw, 0) < 0)
            goto fail;
        have_table = 1;
    }
    Py_ssize_t cur = 0;  /* the n whose hashes h holds (0: none) */
    int stop = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t n = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, k));
        if (n == -1 && PyErr_Occurred())
            goto fail;
        if (n < 1) {
            PyErr_SetString(PyExc_ValueError, "n must be at least 1");
            goto fail;
        }
        long long total = 0;
        int repeats = 0;
        Py_ssize_t m = nw - n + 1;
        if (!stop && m > 0) {
            /* h_n[i] = h_{n-1}[i] * M + h1[i + n - 1], as ngrams_build computes it */
            if (cur == 0 || n < cur) {
                for (Py_ssize_t i = 0; i < nw; i++)
                    h[i] = h1[i];
                cur = 1;
            }
            for (; cur < n; cur++)
                for (Py_ssize_t i = 0; i + cur < nw; i++)
                    h[i] = h[i] * MIX + h1[i + cur];
            memset(t.used, 0, t.mask + 1);
            Py_ssize_t i = 0;
            while (i < m) {
                uint64_t x = h[i];
                size_t s = table_find(&t, x);
                if (t.used[s]) {
                    total += g.cum[i + n] - g.cum[i];
                    repeats = 1;
                    i += n;
                } else {
                    t.used[s] = 1;
                    t.key[s] = x;
                    i += 1;
                }
            }
        }
        if (!repeats)
            stop = 1;
        PyObject *r = Py_BuildValue("(LO)", total, repeats ? Py_True : Py_False);
        if (r == NULL)
            goto fail;
        PyList_SET_ITEM(out, k, r);
    }
    if (have_table)
        table_free(&t);
    PyMem_Free(h);
    Py_DECREF(seq);
    return out;
fail:
    if (have_table)
        table_free(&t);
    PyMem_Free(h);
    Py_DECREF(seq);
    Py_XDECREF(out);
    return NULL;
}

PyDoc_STRVAR(ngram_max_chars_doc,
"ngram_max_chars(profile, n) -> int\n\n"
"Length of the longest n-gram joined with spaces (0 when there are fewer than n words).");

static PyObject *
ngram_max_chars(PyObject *self, PyObject *args)
{
    PyObject *profile;
    Py_ssize_t n;
    NGrams g;
    if (!PyArg_ParseTuple(args, "On", &profile, &n))
        return NULL;
    if (ngrams_build(profile, n, &g, 0) < 0)
        return NULL;
    int64_t best = 0;
    for (Py_ssize_t i = 0; i < g.m; i++) {
        int64_t c = g.cum[i + n] - g.cum[i] + (n - 1);
        if (c > best)
            best = c;
    }
    ngrams_free(&g);
    return PyLong_FromLongLong(best);
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, configure_doc},
    {"scan", scan, METH_VARARGS, scan_doc},
    {"c4_lines", c4_lines, METH_VARARGS, c4_lines_doc},
    {"dup_pieces", dup_pieces, METH_VARARGS, dup_pieces_doc},
    {"gopher_marks", gopher_marks, METH_O, gopher_marks_doc},
    {"count_chunks", count_chunks, METH_O, count_chunks_doc},
    {"ngram_profile", ngram_profile, METH_O, ngram_profile_doc},
    {"ngram_top", ngram_top, METH_VARARGS, ngram_top_doc},
    {"ngram_dup", ngram_dup, METH_VARARGS, ngram_dup_doc},
    {"ngram_dup_many", ngram_dup_many, METH_VARARGS, ngram_dup_many_doc},
    {"ngram_max_chars", ngram_max_chars, METH_VARARGS, ngram_max_chars_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastwords",
    "Compiled hot loops of the FineWeb filter set (pure-Python twins in _words.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fastwords(void)
{
    return PyModule_Create(&module);
}
