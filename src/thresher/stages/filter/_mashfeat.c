/*
 * Optional accelerator for thresher.stages.filter.mashup (step mashup_filter).
 *
 * The step reads each judged page several times with regular expressions and
 * substring tests: content-word stems per sentence (for the coherence z-score, the
 * prose count, the distinct sentences and the pronoun orphans), eighteen style
 * markers per sentence, the typography and dash conventions, the function words of
 * the language mix and the years. This module does the same work in one pass over
 * each sentence (sentence_pass: stems, markers, conventions, function words and the
 * places where a year may start) and hands back counts; every float the step derives
 * from them is still computed by the Python code shared with the pure-Python path, so
 * both paths give the same bits (tests/stages/filter/test_mashfeat.py and
 * test_mashup_judge.py compare them on generated Unicode and on real pages). The step
 * calls judge(): segmentation, lower case and features of a page in one call. prose()
 * and page() give the same features on sentences given as Spans (for the tests).
 *
 *   configure(stop_stems, function_words)  the tables the Python side owns;
 *   prose(low, text, spans, fewest)        stems: (prose, distinct, sim, orphans);
 *   page(text, low, spans, lang_sentences) markers, typography, dashes, languages, years;
 *   judge(text, max_sentences, ...)        mashup._first_sentences, lower case, prose() and
 *                                          page() in one call, with no Span nor str made;
 *   sentences(text, start, stop, limit)    the segmenter's rules (segment_sentences);
 *   lower(text)                            the lower case judge() uses (for the tests).
 *
 * Character classes are CPython's, so that they match the regular expressions of
 * mashup.py exactly: a letter is [^\W\d_] (alphanumeric, not a decimal digit, not
 * "_"), a word character is \w (alphanumeric or "_"), \d is a decimal digit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define LIKELY(x) (x)
#endif

#define STEM 5   /* mashup._STEM: stems and function words are packed in two words */
#define N_MARKERS 18
#define MAX_LANGUAGES 16

/* Letters and word characters of the Basic Multilingual Plane, one bit each, filled
 * from CPython's own tests when the module loads (the page's accented and non-Latin
 * letters cost a bit test, not two look-ups of the Unicode database). */
static uint64_t bmp_letter[1024], bmp_word[1024];

static void
init_bmp_classes(void)
{
    for (Py_UCS4 c = 0; c < 0x10000; c++) {
        int alnum = Py_UNICODE_ISALNUM(c);
        if (alnum && !Py_UNICODE_ISDECIMAL(c))
            bmp_letter[c >> 6] |= 1ULL << (c & 63);
        if (alnum || c == '_')
            bmp_word[c >> 6] |= 1ULL << (c & 63);
    }
}

static inline int
is_letter(Py_UCS4 c)
{
    if (c < 128)
        return ((c | 32) - 'a') < 26u;
    if (c < 0x10000)
        return (bmp_letter[c >> 6] >> (c & 63)) & 1;
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int
is_word(Py_UCS4 c)
{
    if (c < 128)
        return ((c | 32) - 'a') < 26u || (c - '0') < 10u || c == '_';
    if (c < 0x10000)
        return (bmp_word[c >> 6] >> (c & 63)) & 1;
    return Py_UNICODE_ISALNUM(c);
}

/* ---- packed keys of up to STEM code points (21 bits each) and their hash table ---- */

typedef struct {
    uint64_t a, b;
} Key;

static inline Key
pack(const Py_UCS4 *str, Py_ssize_t at, Py_ssize_t len)
{
    const Py_UCS4 *c = str + at;
    Key k = {0, (uint64_t)len};
    switch (len) {  /* the first three characters in a, the next two in b */
    default:
    case 5: k.b |= (uint64_t)c[4] << 29; /* fall through */
    case 4: k.b |= (uint64_t)c[3] << 8; /* fall through */
    case 3: k.a |= (uint64_t)c[2] << 42; /* fall through */
    case 2: k.a |= (uint64_t)c[1] << 21; /* fall through */
    case 1: k.a |= (uint64_t)c[0]; /* fall through */
    case 0: break;
    }
    return k;
}

static inline uint64_t
key_hash(Key k)
{
    uint64_t h = k.a * 0x9E3779B97F4A7C15ULL ^ (k.b + 0x632BE59BD9B4E019ULL);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 29);
}

#define EMPTY (-1)  /* the value of an empty slot */
#define STOP (-2)   /* a stop stem, in the table of a page's stems */

typedef struct {
    Key *keys;
    int32_t *vals;  /* EMPTY: an empty slot */
    size_t mask;
    size_t used;
} Table;

static int
table_init(Table *t, size_t want)
{
    size_t cap = 16;
    while (cap < 2 * want + 16)
        cap <<= 1;
    t->keys = PyMem_Malloc(cap * sizeof(Key));
    t->vals = PyMem_Malloc(cap * sizeof(int32_t));
    if (!t->keys || !t->vals) {
        PyMem_Free(t->keys);
        PyMem_Free(t->vals);
        t->keys = NULL;
        t->vals = NULL;
        return -1;
    }
    memset(t->vals, 0xff, cap * sizeof(int32_t));
    t->mask = cap - 1;
    t->used = 0;
    return 0;
}

static void
table_free(Table *t)
{
    PyMem_Free(t->keys);
    PyMem_Free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
}

/* The slot of k: where it is, or the empty slot where it belongs. The table never
 * fills: it is sized at twice the most keys it can receive. */
static inline size_t
table_slot(const Table *t, Key k)
{
    size_t i = key_hash(k) & t->mask;
    while (t->vals[i] != EMPTY && (t->keys[i].a != k.a || t->keys[i].b != k.b))
        i = (i + 1) & t->mask;
    return i;
}

/* Tables handed over by configure(): stop stems (value 0) and function words (value:
 * one bit per language). */
static Table stop_table = {NULL, NULL, 0, 0};
static Table word_table = {NULL, NULL, 0, 0};
static Py_ssize_t word_max_len = 0;
static int n_languages = 0;

static int
fill_table(Table *t, PyObject *items, int with_mask, Py_ssize_t *max_len)
{
    Py_ssize_t n = PyList_GET_SIZE(items);
    if (table_init(t, (size_t)n) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *word = with_mask ? PyTuple_GetItem(item, 0) : item;
        long value = 0;
        if (!word || !PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "configure: words must be str");
            return -1;
        }
        if (with_mask) {
            value = PyLong_AsLong(PyTuple_GetItem(item, 1));
            if (value == -1 && PyErr_Occurred())
                return -1;
            if (value < 0 || value >= (1L << MAX_LANGUAGES)) {
                PyErr_SetString(PyExc_ValueError, "configure: language mask out of range");
                return -1;
            }
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(word);
        if (len < 1 || len > STEM) {
            PyErr_Format(PyExc_ValueError, "configure: words of 1 to %d characters only, got %R", STEM, word);
            return -1;
        }
        if (max_len && len > *max_len)
            *max_len = len;
        Py_UCS4 chars[STEM];
        for (Py_ssize_t c = 0; c < len; c++)
            chars[c] = PyUnicode_READ_CHAR(word, c);
        Key k = pack(chars, 0, len);
        size_t s = table_slot(t, k);
        if (t->vals[s] == EMPTY)
            t->used++;
        t->keys[s] = k;
        t->vals[s] = (int32_t)value;
    }
    return 0;
}

static PyObject *
mf_configure(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *stops, *words;
    int languages;
    if (!PyArg_ParseTuple(args, "O!O!i", &PyList_Type, &stops, &PyList_Type, &words, &languages))
        return NULL;
    if (languages < 1 || languages > MAX_LANGUAGES) {
        PyErr_Format(PyExc_ValueError, "configure: 1 to %d languages", MAX_LANGUAGES);
        return NULL;
    }
    table_free(&stop_table);
    table_free(&word_table);
    word_max_len = 0;
    n_languages = 0;
    if (fill_table(&stop_table, stops, 0, NULL) < 0 || fill_table(&word_table, words, 1, &word_max_len) < 0) {
        table_free(&stop_table);
        table_free(&word_table);
        return NULL;
    }
    n_languages = languages;
    Py_RETURN_NONE;
}

/* ---- the sentences: (start, end) pairs read from a list of Span tuples ---- */

static Py_ssize_t *
read_spans(PyObject *spans, Py_ssize_t *n_out, Py_ssize_t limit)
{
    Py_ssize_t n = PyList_GET_SIZE(spans);
    Py_ssize_t *se = PyMem_Malloc((2 * n + 1) * sizeof(Py_ssize_t));
    if (!se) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_ssize_t prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *sp = PyList_GET_ITEM(spans, i);
        if (!PyTuple_Check(sp) || PyTuple_GET_SIZE(sp) < 2) {
            PyErr_SetString(PyExc_TypeError, "spans must be (start, end, ...) tuples");
            goto fail;
        }
        Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(sp, 0));
        Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(sp, 1));
        if ((s == -1 || e == -1) && PyErr_Occurred())
            goto fail;
        /* the Python path needs ordered, non-empty spans inside the text as well */
        if (s < prev || e <= s || e > limit) {
            PyErr_SetString(PyExc_ValueError, "spans must be ordered, non-empty and inside the text");
            goto fail;
        }
        se[2 * i] = s;
        se[2 * i + 1] = e;
        prev = e;
    }
    *n_out = n;
    return se;
fail:
    PyMem_Free(se);
    return NULL;
}

/* The characters s[start:start + n] as an array of code points (the loops below read
 * each character several times: one conversion beats a kind switch at every read). */
static Py_UCS4 *
widen_from(PyObject *s, Py_ssize_t start, Py_ssize_t n)
{
    Py_UCS4 *buf = PyMem_Malloc(((size_t)n + 1) * sizeof(Py_UCS4));
    if (!buf) {
        PyErr_NoMemory();
        return NULL;
    }
    const void *data = PyUnicode_DATA(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        for (Py_ssize_t i = 0; i < n; i++)
            buf[i] = ((const Py_UCS1 *)data)[start + i];
        break;
    case PyUnicode_2BYTE_KIND:
        for (Py_ssize_t i = 0; i < n; i++)
            buf[i] = ((const Py_UCS2 *)data)[start + i];
        break;
    default:
        memcpy(buf, (const Py_UCS4 *)data + start, (size_t)n * sizeof(Py_UCS4));
    }
    buf[n] = 0;
    return buf;
}

/* The first n characters of s as an array of code points. */
static Py_UCS4 *
widen(PyObject *s, Py_ssize_t n)
{
    return widen_from(s, 0, n);
}

/* ---- prose(): the content-word stems of every sentence ---- */

/* mashup._PRONOUN_START: (?:He|She|They|It|His|Her|Their|Its|Him|Them)\b at `at`. */
static int
pronoun_at(int kind, const void *data, Py_ssize_t len, Py_ssize_t at)
{
    static const char *pronouns[] = {"He", "She", "They", "It", "His", "Her", "Their", "Its", "Him", "Them"};
    for (size_t p = 0; p < sizeof(pronouns) / sizeof(pronouns[0]); p++) {
        const char *w = pronouns[p];
        Py_ssize_t L = (Py_ssize_t)strlen(w), i = 0;
        if (at + L > len)
            continue;
        while (i < L && PyUnicode_READ(kind, data, at + i) == (Py_UCS4)(unsigned char)w[i])
            i++;
        if (i == L && (at + L == len || !is_word(PyUnicode_READ(kind, data, at + L))))
            return 1;
    }
    return 0;
}

typedef struct {
    uint64_t hash;
    Py_ssize_t len;
    const int32_t *ids;
} BagRef;

/* A sentence holds a few dozen stems: insertion sort (qsort allocated a buffer per call). */
static void
sort_ids(int32_t *a, Py_ssize_t n)
{
    for (Py_ssize_t i = 1; i < n; i++) {
        int32_t v = a[i];
        Py_ssize_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static int
cmp_bag(const void *x, const void *y)
{
    const BagRef *p = x, *q = y;
    if (p->hash != q->hash)
        return p->hash < q->hash ? -1 : 1;
    if (p->len != q->len)
        return p->len < q->len ? -1 : 1;
    for (Py_ssize_t i = 0; i < p->len; i++)
        if (p->ids[i] != q->ids[i])
            return p->ids[i] < q->ids[i] ? -1 : 1;
    return 0;
}

/* ---- page(): style markers, typography, dashes, languages and years ---- */

/* str[at:] starts with the ASCII string w, within [.., end) */
static inline int
has_at(const Py_UCS4 *str, Py_ssize_t at, Py_ssize_t end, const char *w)
{
    for (Py_ssize_t i = 0; w[i]; i++, at++)
        if (at >= end || str[at] != (Py_UCS4)(unsigned char)w[i])
            return 0;
    return 1;
}

static int
starts_any(const Py_UCS4 *str, Py_ssize_t at, Py_ssize_t end, const char *const *ws)
{
    for (; *ws; ws++)
        if (has_at(str, at, end, *ws))
            return 1;
    return 0;
}

static const char *const FIRST_PERSON_START[] = {"i ", "my ", "we ", "our ", NULL};
static const char *const ARTICLE_START[] = {"The ", "A ", "An ", NULL};
static const char *const ANAPHORIC_START[] = {"He ", "She ", "They ", "It ", "This ", "These ",
                                             "But ", "However", "And ", NULL};

#define EM 0x2014
#define EN 0x2013

static inline int
is_curly(Py_UCS4 c)
{
    return c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D;
}

/* mashup._DASHES, in order: " — ", "—", " – ", " - ", "--"; bit k set when T[j:]
 * starts with style k (within [.., end)) */
static inline int
dashes_at(const Py_UCS4 *T, Py_ssize_t j, Py_ssize_t end)
{
    Py_UCS4 c = T[j];
    if (c == EM)
        return 2;
    if (c == ' ' && j + 2 < end) {
        Py_UCS4 d = T[j + 1];
        if ((d == EM || d == EN || d == '-') && T[j + 2] == ' ')
            return d == EM ? 1 : d == EN ? 4 : 8;
    } else if (c == '-' && j + 1 < end && T[j + 1] == '-')
        return 16;
    return 0;
}

/* a character that can start a quote or dash convention */
static inline int
convention_char(Py_UCS4 c)
{
    return c < 128 ? (c == ' ' || c == '-' || c == '"' || c == '\'') : (c == EM || is_curly(c));
}

/* ---- the stems of every sentence, and the one pass over each sentence ---- */

typedef struct {
    Table tab;          /* stem -> id (STOP for a stop stem) */
    int32_t *ids;       /* the distinct stems of sentence i: ids[off[i]..off[i+1]) */
    int32_t *mark;      /* per stem id: the last sentence holding it */
    Py_ssize_t *off;
    int32_t n_ids;
    Py_ssize_t cnt;
} Stems;

static void
stems_free(Stems *st)
{
    table_free(&st->tab);
    PyMem_Free(st->ids);
    PyMem_Free(st->mark);
    PyMem_Free(st->off);
    st->ids = st->mark = NULL;
    st->off = NULL;
}

static int
stems_init(Stems *st, const Py_ssize_t *se, Py_ssize_t n)
{
    /* at most one stem per four characters of the sentences */
    Py_ssize_t bound = 1;
    for (Py_ssize_t i = 0; i < n; i++)
        bound += (se[2 * i + 1] - se[2 * i]) / 4 + 1;
    st->tab.keys = NULL;
    st->tab.vals = NULL;
    st->ids = PyMem_Malloc(bound * sizeof(int32_t));
    st->mark = PyMem_Malloc(bound * sizeof(int32_t));
    st->off = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    st->n_ids = 0;
    st->cnt = 0;
    if (!st->ids || !st->mark || !st->off || table_init(&st->tab, (size_t)bound) < 0) {
        stems_free(st);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* The stem of the word L[j:j+len] (len <= STEM) in sentence i: one look-up per stem,
 * a stop stem kept in the page's table too, as STOP, the first time it is seen. */
static inline void
stem_add(Stems *st, const Py_UCS4 *L, Py_ssize_t j, Py_ssize_t len, int32_t i)
{
    Key k = pack(L, j, len);
    size_t slot = table_slot(&st->tab, k);
    int32_t id = st->tab.vals[slot];
    if (id == EMPTY) {
        if (stop_table.vals[table_slot(&stop_table, k)] != EMPTY)
            id = STOP;
        else {
            id = st->n_ids++;
            st->mark[id] = -1;
        }
        st->tab.keys[slot] = k;
        st->tab.vals[slot] = id;
    }
    if (id != STOP && st->mark[id] != i) {
        st->mark[id] = i;
        st->ids[st->cnt++] = id;
    }
}

/* Where a year may start: the positions of the characters "1" and "2" of the
 * sentences, in order (sentence_pass fills it; room for one per character) */
typedef struct {
    Py_ssize_t *at;
    Py_ssize_t n;
} Digits;

/* What sentence_pass reports of a sentence's conventions, as bits: a curly mark, a
 * straight quote or apostrophe anywhere (for the region), a straight mark as
 * _typography_counts counts it (a double quote, or an apostrophe between letters),
 * and from C_DASH_SHIFT on the dash styles of dashes_at. */
#define C_CURLY 1
#define C_QUOTE 2
#define C_STRAIGHT 4
#define C_DASH_SHIFT 3

/* What an ASCII character means to sentence_pass: letters start a word, most other
 * characters mean nothing there (one look-up skips them) */
enum { P_NONE, P_LETTER, P_SPACE, P_DIGIT, P_COMMA, P_PAREN, P_DQ, P_SQ, P_COLON, P_HYPHEN };
static uint8_t ascii_pass[128];

static void
init_ascii_pass(void)
{
    for (int c = 'a'; c <= 'z'; c++)
        ascii_pass[c] = ascii_pass[c - 32] = P_LETTER;
    for (int c = '0'; c <= '9'; c++)
        ascii_pass[c] = P_DIGIT;
    ascii_pass[' '] = P_SPACE;
    ascii_pass[','] = P_COMMA;
    ascii_pass['('] = P_PAREN;
    ascii_pass['"'] = P_DQ;
    ascii_pass['\''] = P_SQ;
    ascii_pass[';'] = ascii_pass[':'] = P_COLON;
    ascii_pass['-'] = P_HYPHEN;
}

/* One pass over sentence i, T[s:e] (L the lower-cased text at the same offsets):
 *  - its style markers into row m (the columns of mashup._style_markers before its
 *    log and per-word ratios; in L only ASCII is looked for, where the two
 *    lower-casings of the Python path agree);
 *  - its conventions, returned as C_ bits;
 *  - the stems of its words into st (mashup._WORD_STEM: a maximal run of letters of
 *    L, not preceded by a letter, looking before s too, of four letters or more,
 *    gives its first five), unless st is NULL;
 *  - where counts is given, per language the function words among its words
 *    (mashup._TOKEN: maximal letter runs of L[s:e], no look before s);
 *  - the positions of its characters "1" and "2", appended to ones_twos.
 * A word is a run of letters of L; an ASCII character is a letter in L when it is one
 * in T (its lower case is ASCII). */
static int
sentence_pass(const Py_UCS4 *T, const Py_UCS4 *L, Py_ssize_t s, Py_ssize_t e, int32_t i, double *m,
              Stems *st, long *counts, Digits *ones_twos)
{
    Py_ssize_t spaces = 0, caps = 0, digits = 0, ed = 0;
    int first = 0, you = 0, present = 0, past = 0, comma = 0, paren = 0, straight = 0, curly = 0;
    int colon = 0, dash = 0, conv = 0, dashes = 0;
    Py_ssize_t j = s;
    while (j < e) {
        Py_UCS4 c = T[j];
        int cls;
        if (c < 128) {
            cls = ascii_pass[c];
            if (LIKELY(cls == P_NONE)) {
                j++;
                continue;
            }
        } else if (is_letter(L[j]))
            cls = P_LETTER;
        else {
            if (is_curly(c)) {
                conv |= C_CURLY;
                curly |= c == 0x201C || c == 0x2019;
            } else if (c == EM) {
                dash = 1;
                dashes |= 2;
            } else if (c == EN)
                dash = 1;
            j++;
            continue;
        }
        if (cls == P_LETTER) {
            /* a word: L[j:r]; the character before it is not a letter, or it is s */
            Py_ssize_t r = j + 1;
            int y = L[j] == 'y';
            for (Py_UCS4 d; r < e && is_letter(d = L[r]); r++)
                y |= d == 'y';
            if (y && !you)  /* "you" in lw: three letters, so inside one word */
                for (Py_ssize_t q = j; q + 2 < r; q++)
                    if (L[q] == 'y' && L[q + 1] == 'o' && L[q + 2] == 'u') {
                        you = 1;
                        break;
                    }
            if (st && r - j >= 4 && !(j == s && j > 0 && is_letter(L[j - 1])))
                stem_add(st, L, j, Py_MIN(r - j, STEM), i);
            if (counts && r - j <= word_max_len) {
                int32_t mask = word_table.vals[table_slot(&word_table, pack(L, j, r - j))];
                for (int b = 0; mask > 0 && b < n_languages; b++)
                    counts[b] += (mask >> b) & 1;
            }
            j = r;
            continue;
        }
        switch (cls) {
        case P_SPACE: {
            spaces++;
            /* "ed " ends here: lw.count("ed ") (the pattern cannot overlap itself) */
            ed += j - 2 >= s && L[j - 1] == 'd' && L[j - 2] == 'e';
            if (j + 1 >= e)
                break;
            Py_UCS4 d = T[j + 1];
            caps += d >= 'A' && d <= 'Z';
            /* the words after a space that the markers look for, by their first letter */
            switch (L[j + 1]) {
            case '-':
                if (j + 2 < e && T[j + 2] == ' ')
                    dash = 1, dashes |= 8;
                break;
            case EM:
                if (j + 2 < e && T[j + 2] == ' ')
                    dashes |= 1;
                break;
            case EN:
                if (j + 2 < e && T[j + 2] == ' ')
                    dashes |= 4;
                break;
            case 'i': first |= has_at(L, j, e, " i "); present |= has_at(L, j, e, " is "); break;
            case 'm': first |= has_at(L, j, e, " my "); break;
            case 'o': first |= has_at(L, j, e, " our "); break;
            case 'w':
                first |= has_at(L, j, e, " we ");
                past |= has_at(L, j, e, " was ") || has_at(L, j, e, " were ");
                break;
            case 'a': present |= has_at(L, j, e, " are "); break;
            case 'h':
                present |= has_at(L, j, e, " has ") || has_at(L, j, e, " have ");
                past |= has_at(L, j, e, " had ");
                break;
            default: break;
            }
            break;
        }
        case P_DIGIT:
            digits++;
            if (c == '1' || c == '2')
                ones_twos->at[ones_twos->n++] = j;
            break;
        case P_COMMA: comma = 1; break;
        case P_PAREN: paren = 1; break;
        case P_DQ: straight = 1; conv |= C_QUOTE | C_STRAIGHT; break;
        case P_SQ:
            straight = 1;
            conv |= C_QUOTE;
            /* _STRAIGHT_APOSTROPHE inside the sentence: a letter on both sides */
            if (j > s && j + 1 < e && is_letter(T[j - 1]) && is_letter(T[j + 1]))
                conv |= C_STRAIGHT;
            break;
        case P_COLON: colon = 1; break;
        case P_HYPHEN:
            if (j + 1 < e && T[j + 1] == '-')
                dashes |= 16;
            break;
        default: break;
        }
        j++;
    }
    first = first || starts_any(L, s, e, FIRST_PERSON_START);
    m[0] = (double)(e - s + 1);
    m[1] = (double)(spaces + 1);
    m[2] = (double)caps;
    m[3] = (double)digits;
    m[4] = (double)ed;
    m[5] = first;
    m[6] = you;
    m[7] = present;
    m[8] = past;
    m[9] = comma;
    m[10] = paren;
    m[11] = straight;
    m[12] = curly;
    m[13] = colon;
    m[14] = dash;
    m[15] = T[e - 1] == '?';
    m[16] = starts_any(T, s, e, ARTICLE_START);
    m[17] = starts_any(T, s, e, ANAPHORIC_START);
    return conv | dashes << C_DASH_SHIFT;
}

/* sentence_pass over the sentences se[0..2n): markers into m (n rows), conventions
 * into conv, stems into st (unless NULL), the positions of "1" and "2" into
 * ones_twos (room for one per character of the sentences), and the language of each of the first
 * lang_sentences sentences holding two function words or more of one language into
 * langs (the one it holds most of; ties: the first listed). -1 on error. */
static int
page_pass(const Py_UCS4 *T, const Py_UCS4 *L, const Py_ssize_t *se, Py_ssize_t n, Py_ssize_t lang_sentences,
          double *m, int *conv, Stems *st, PyObject *langs, Digits *ones_twos)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        long counts[MAX_LANGUAGES] = {0};
        int lang = i < lang_sentences;
        if (st)
            st->off[i] = st->cnt;
        conv[i] = sentence_pass(T, L, se[2 * i], se[2 * i + 1], (int32_t)i, m + i * N_MARKERS, st,
                                lang ? counts : NULL, ones_twos);
        if (!lang)
            continue;
        int top = 0;
        for (int b = 1; b < n_languages; b++)
            if (counts[b] > counts[top])
                top = b;
        if (counts[top] >= 2) {
            PyObject *v = PyLong_FromLong(top);
            if (!v || PyList_Append(langs, v) < 0) {
                Py_XDECREF(v);
                return -1;
            }
            Py_DECREF(v);
        }
    }
    if (st)
        st->off[n] = st->cnt;
    return 0;
}

/* prose() from the stems of the sentences se[0..2n) of text (page_pass): (prose,
 * distinct, sim or None, orphans). The stems of each sentence are sorted here. */
static PyObject *
prose_finish(PyObject *text, const Py_ssize_t *se, Py_ssize_t n, Py_ssize_t fewest, Stems *st)
{
    PyObject *result = NULL, *sim_obj = NULL;
    int tk = PyUnicode_KIND(text);
    const void *td = PyUnicode_DATA(text);
    Py_ssize_t tlen = PyUnicode_GET_LENGTH(text);

    const int32_t *ids = st->ids;
    int32_t *mark = st->mark;
    const Py_ssize_t *off = st->off;
    int32_t n_ids = st->n_ids;
    int32_t *count = PyMem_Calloc((size_t)n_ids + 1, sizeof(int32_t));  /* per stem id: prose sentences */
    Py_ssize_t *prose_at = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    BagRef *refs = PyMem_Malloc((n + 1) * sizeof(BagRef));
    Py_ssize_t *lists = NULL, *heads = NULL;
    if (!count || !prose_at || !refs) {
        PyErr_NoMemory();
        goto done;
    }

    /* pronoun orphans (over all sentences): mark holds, per id, the last sentence
     * holding it, so it is reset to tell the sentence before from older ones */
    Py_ssize_t orphans = 0;
    for (int32_t id = 0; id < n_ids; id++)
        mark[id] = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i > 0) {
            Py_UCS4 c = PyUnicode_READ(tk, td, se[2 * i]);
            if ((c == 'H' || c == 'S' || c == 'T' || c == 'I') && pronoun_at(tk, td, tlen, se[2 * i])) {
                int shared = 0;
                for (Py_ssize_t q = off[i]; q < off[i + 1] && !shared; q++)
                    shared = mark[ids[q]] == (int32_t)(i - 1);
                orphans += !shared;
            }
        }
        for (Py_ssize_t q = off[i]; q < off[i + 1]; q++)
            mark[ids[q]] = (int32_t)i;
    }

    /* prose sentences (three stems or more) and how many distinct stem sets they hold */
    Py_ssize_t n_prose = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len = off[i + 1] - off[i];
        if (len < 3)
            continue;
        prose_at[n_prose] = i;
        sort_ids(st->ids + off[i], len);
        uint64_t h = 0x84222325CBF29CE4ULL;
        for (Py_ssize_t q = off[i]; q < off[i + 1]; q++)
            h = (h ^ (uint64_t)ids[q]) * 0x100000001B3ULL;
        refs[n_prose].hash = h;
        refs[n_prose].len = len;
        refs[n_prose].ids = ids + off[i];
        n_prose++;
    }
    qsort(refs, (size_t)n_prose, sizeof(BagRef), cmp_bag);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t p = 0; p < n_prose; p++)
        distinct += p == 0 || cmp_bag(&refs[p - 1], &refs[p]) != 0;

    /* cosine similarities of the prose sentences (mashup._cosine_matrix): every pair
     * sharing a stem adds w[a] * w[b] once per stem shared, in a running sum, as
     * numpy.bincount does; None when no stem is in two prose sentences */
    if (n_prose >= fewest && distinct >= fewest && n_prose > 0) {
        int shared_any = 0;
        for (Py_ssize_t p = 0; p < n_prose; p++) {
            Py_ssize_t i = prose_at[p];
            for (Py_ssize_t q = off[i]; q < off[i + 1]; q++)
                shared_any |= ++count[ids[q]] >= 2;
        }
        if (shared_any) {
            /* lists of the prose sentences of each stem, in order */
            heads = PyMem_Malloc(((size_t)n_ids + 1) * sizeof(Py_ssize_t));
            Py_ssize_t total = 0;
            for (Py_ssize_t p = 0; p < n_prose; p++)
                total += off[prose_at[p] + 1] - off[prose_at[p]];
            lists = PyMem_Malloc(((size_t)total + 1) * sizeof(Py_ssize_t));
            double *w = PyMem_Malloc((size_t)n_prose * sizeof(double));
            sim_obj = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)((size_t)n_prose * n_prose * sizeof(double)));
            if (!heads || !lists || !w || !sim_obj) {
                PyMem_Free(w);
                if (!PyErr_Occurred())
                    PyErr_NoMemory();
                goto done;
            }
            double *sim = (double *)PyByteArray_AS_STRING(sim_obj);
            memset(sim, 0, (size_t)n_prose * n_prose * sizeof(double));
            heads[0] = 0;
            for (int32_t id = 0; id < n_ids; id++)
                heads[id + 1] = heads[id] + count[id];
            for (int32_t id = 0; id < n_ids; id++)
                mark[id] = 0;  /* now: entries filled per stem */
            for (Py_ssize_t p = 0; p < n_prose; p++) {
                Py_ssize_t i = prose_at[p];
                w[p] = 1.0 / sqrt((double)(off[i + 1] - off[i]));
                for (Py_ssize_t q = off[i]; q < off[i + 1]; q++)
                    lists[heads[ids[q]] + mark[ids[q]]++] = p;
            }
            for (int32_t id = 0; id < n_ids; id++) {
                Py_ssize_t a0 = heads[id], a1 = heads[id + 1];
                if (a1 - a0 < 2)
                    continue;
                for (Py_ssize_t x = a0; x < a1; x++)
                    for (Py_ssize_t y = a0; y < a1; y++) {
                        Py_ssize_t a = lists[x], b = lists[y];
                        if (a != b) {
                            double v = w[a] * w[b];
                            sim[a * n_prose + b] += v;
                        }
                    }
            }
            PyMem_Free(w);
        }
    }
    if (!sim_obj) {
        sim_obj = Py_None;
        Py_INCREF(sim_obj);
    }
    result = Py_BuildValue("nnOn", n_prose, distinct, sim_obj, orphans);
done:
    Py_XDECREF(sim_obj);
    PyMem_Free(count);
    PyMem_Free(prose_at);
    PyMem_Free(refs);
    PyMem_Free(lists);
    PyMem_Free(heads);
    return result;
}


/* page() from what page_pass measured of the sentences se[0..2n) (n > 0) of T: the
 * markers (a bytearray, a reference taken), the conventions of each sentence and the
 * languages (a list, a reference taken): (markers, typography, dashes, languages,
 * years) */
static PyObject *
page_finish(const Py_UCS4 *T, const Py_ssize_t *se, Py_ssize_t n, PyObject *markers, const int *conv,
            PyObject *langs, const Digits *ones_twos)
{
    PyObject *result = NULL, *years = PyList_New(0);
    Py_ssize_t base = se[0], end = se[2 * n - 1];
    if (!years)
        return NULL;

    /* The region's conventions (any curly mark, any straight one, which dashes, over
     * text[base:end]) are those of the sentences, plus what lies between them: the
     * characters of the gaps, and the dash styles that start in the last two
     * characters of a sentence and reach past its end. */
    int region = 0, region_dashes = 0;
    Py_ssize_t curly_n = 0, straight_n = 0, dash_n[5] = {0, 0, 0, 0, 0};
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t s = se[2 * i], e = se[2 * i + 1];
        region |= conv[i];
        Py_ssize_t g1 = i + 1 < n ? se[2 * i + 2] : end;
        for (Py_ssize_t j = Py_MAX(s, e - 2); j < g1; j++) {
            Py_UCS4 c = T[j];
            if (convention_char(c)) {
                region |= is_curly(c) ? C_CURLY : (c == '"' || c == '\'') ? C_QUOTE : 0;
                region_dashes |= dashes_at(T, j, end);
            }
        }
    }
    region_dashes |= (region >> C_DASH_SHIFT) & 31;
    int typo_pre = (region & C_CURLY) && (region & C_QUOTE);
    int dash_pre = (region_dashes & 2) || ((region_dashes >> 2 & 1) + (region_dashes >> 3 & 1) +
                                           (region_dashes >> 4 & 1)) > 1;
    /* per sentence, only where the region holds two conventions (counts 0 otherwise,
     * as the Python path does not count then) */
    for (Py_ssize_t i = 0; i < n && (typo_pre || dash_pre); i++) {
        int c = conv[i], dashes = (c >> C_DASH_SHIFT) & 31;
        curly_n += typo_pre && (c & C_CURLY);
        straight_n += typo_pre && (c & C_STRAIGHT);
        /* " \u2014 " holds "\u2014": the first style of the list found is the sentence's */
        for (int k = 0; k < 5 && dash_pre; k++)
            if (dashes & (1 << k)) {
                dash_n[k]++;
                break;
            }
    }

    /* mashup._YEAR over text[base:end] ((?:1[5-9]|20)\d\d(?!\w), the text ending at
     * end), not inside a longer number or word, the first of each sentence. A match
     * starts at a "1" or a "2": those of the sentences (ones_twos) and of the gaps
     * between them are tried in order, as the regular expression scans; a match,
     * even one refused, resumes the scan after it. */
    Py_ssize_t k = 0, last = -1, j = base, q = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t e = se[2 * i + 1], g1 = i + 1 < n ? se[2 * i + 2] : end;
        Py_ssize_t g = e;
        for (;;) {
            Py_ssize_t p;
            if (q < ones_twos->n && ones_twos->at[q] < e)
                p = ones_twos->at[q++];
            else {
                while (g < g1 && T[g] != '1' && T[g] != '2')
                    g++;
                if (g >= g1)
                    break;
                p = g++;
            }
            if (p < j || p + 4 > end)
                continue;
            Py_UCS4 c0 = T[p], c1 = T[p + 1], c2 = T[p + 2], c3 = T[p + 3];
            if (!((c0 == '1' && c1 >= '5' && c1 <= '9') || (c0 == '2' && c1 == '0')) ||
                !Py_UNICODE_ISDECIMAL(c2) || !Py_UNICODE_ISDECIMAL(c3) || (p + 4 < end && is_word(T[p + 4])))
                continue;
            j = p + 4;
            if (p > 0 && (Py_UNICODE_ISALNUM(T[p - 1]) || T[p - 1] == '_'))
                continue;
            while (k < n && se[2 * k + 1] <= p)
                k++;
            if (k < n && se[2 * k] <= p && k != last) {
                long year = (long)(c0 - '0') * 1000 + (long)(c1 - '0') * 100 + Py_UNICODE_TODECIMAL(c2) * 10 +
                            Py_UNICODE_TODECIMAL(c3);
                PyObject *v = PyLong_FromLong(year);
                if (!v || PyList_Append(years, v) < 0) {
                    Py_XDECREF(v);
                    goto done;
                }
                Py_DECREF(v);
                last = k;
            }
        }
    }
    result = Py_BuildValue("O(inn)(innnnn)OO", markers, typo_pre, curly_n, straight_n, dash_pre, dash_n[0],
                           dash_n[1], dash_n[2], dash_n[3], dash_n[4], langs, years);
done:
    Py_XDECREF(years);
    return result;
}


/* Widened copies of text and low up to the last sentence's end, the sentences, and
 * page_pass over them (stems, markers, conventions, languages): what prose() and
 * page() share. */
typedef struct {
    Py_ssize_t *se, n;
    Py_UCS4 *T, *L;
    Stems st;
    PyObject *markers, *langs;
    int *conv;
    Digits ones_twos;
} Pass;

static void
pass_free(Pass *p)
{
    PyMem_Free(p->se);
    PyMem_Free(p->T);
    PyMem_Free(p->L);
    PyMem_Free(p->conv);
    PyMem_Free(p->ones_twos.at);
    if (p->st.off)
        stems_free(&p->st);
    Py_XDECREF(p->markers);
    Py_XDECREF(p->langs);
}

static int
pass_run(Pass *p, PyObject *text, PyObject *low, PyObject *spans, Py_ssize_t lang_sentences)
{
    memset(p, 0, sizeof(*p));
    if (!stop_table.keys || !word_table.keys) {
        PyErr_SetString(PyExc_RuntimeError, "_mashfeat.configure() was not called");
        return -1;
    }
    p->se = read_spans(spans, &p->n, Py_MIN(PyUnicode_GET_LENGTH(low), PyUnicode_GET_LENGTH(text)));
    if (!p->se)
        return -1;
    Py_ssize_t n = p->n, end = n ? p->se[2 * n - 1] : 0;
    /* every read is before the last sentence's end */
    p->T = widen(text, end);
    p->L = p->T ? widen(low, end) : NULL;
    p->markers = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)((size_t)n * N_MARKERS * sizeof(double)));
    p->langs = PyList_New(0);
    p->conv = PyMem_Malloc(((size_t)n + 1) * sizeof(int));
    p->ones_twos.at = PyMem_Malloc(((size_t)end + 1) * sizeof(Py_ssize_t));
    if (!p->L || !p->markers || !p->langs || !p->conv || !p->ones_twos.at) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        return -1;
    }
    if (stems_init(&p->st, p->se, n) < 0)
        return -1;
    return page_pass(p->T, p->L, p->se, n, lang_sentences, (double *)PyByteArray_AS_STRING(p->markers), p->conv,
                     &p->st, p->langs, &p->ones_twos);
}

static PyObject *
mf_prose(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *low, *text, *spans, *result = NULL;
    Py_ssize_t fewest;
    Pass p;
    if (!PyArg_ParseTuple(args, "UUO!n", &low, &text, &PyList_Type, &spans, &fewest))
        return NULL;
    if (pass_run(&p, text, low, spans, 0) == 0)
        result = prose_finish(text, p.se, p.n, fewest, &p.st);
    pass_free(&p);
    return result;
}

static PyObject *
mf_page(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *low, *text, *spans, *result = NULL;
    Py_ssize_t lang_sentences;
    Pass p;
    if (!PyArg_ParseTuple(args, "UUO!n", &text, &low, &PyList_Type, &spans, &lang_sentences))
        return NULL;
    if (PyList_Check(spans) && PyList_GET_SIZE(spans) == 0) {
        PyErr_SetString(PyExc_ValueError, "page() needs at least one sentence");
        return NULL;
    }
    if (pass_run(&p, text, low, spans, lang_sentences) == 0)
        result = page_finish(p.T, p.se, p.n, p.markers, p.conv, p.langs, &p.ones_twos);
    pass_free(&p);
    return result;
}

/* ---- sentences(): the segmenter's sentences, for the first sentences of a page ---- */

/* The rules of thresher.stages.segment.sentences.segment_sentences, read character by
 * character: its candidate pattern (terminal punctuation, closing quotes or brackets,
 * horizontal space), its line pattern and _is_boundary. The step only needs the first
 * sentences of a page, and segmenting them in Python was half of its time once the
 * features were compiled; test_mashfeat.py checks that both give the same spans. */

static PyTypeObject *span_type = NULL;  /* segment.Span, a tuple subclass */
static PyObject *abbrev_never = NULL;   /* sentences._abbreviations(): never final */
static PyObject *abbrev_final = NULL;   /* ... and may be final */
static PyObject *kind_sentence = NULL;  /* "sentence" */
static Py_ssize_t abbrev_max_len = 0;
static PyObject *ordinal_followers = NULL;  /* sentences._ordinal_followers() */
static Py_ssize_t ordinal_max_len = 0;

/* The hashes of the words after ordinals made of characters below U+0180: a run of
 * such letters (but U+0130, whose lower case is two characters) lower-cases one
 * character at a time, so a run whose hash is not here is no listed word, and only
 * the few others build a str for the set (17,000 day numbers and list numbers of the
 * corpus before a capital did so: 5% of the segmenter's time). */
#define ORD_SLOTS 2048
static uint64_t ord_keys[ORD_SLOTS];
static uint8_t ord_used[ORD_SLOTS];

static inline size_t
ord_slot(uint64_t key)
{
    size_t i = (size_t)(key >> 53);  /* 11 bits */
    while (ord_used[i] && ord_keys[i] != key)
        i = (i + 1) & (ORD_SLOTS - 1);
    return i;
}

static inline uint64_t
ord_hash(uint64_t h, Py_UCS4 c)  /* FNV-1a, a character at a time */
{
    return (h ^ c) * 0x100000001B3ULL;
}
#define ORD_HASH0 0xCBF29CE484222325ULL

/* The abbreviations of up to eight ASCII characters, looked up without building a
 * str: an ASCII token lower-cases to ASCII, so it can only be one of these (a longer
 * or non-ASCII token takes the sets). Key: the characters, seven bits each, and the
 * length; value 1: never final, 2: may be final (a word of both sets is never final,
 * as _is_boundary tests that set first), 0: an empty slot. */
#define ABBR_SLOTS 1024
static uint64_t abbr_keys[ABBR_SLOTS];
static uint8_t abbr_vals[ABBR_SLOTS];

static inline size_t
abbr_slot(uint64_t key)
{
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 54);  /* 10 bits */
    while (abbr_vals[i] && abbr_keys[i] != key)
        i = (i + 1) & (ABBR_SLOTS - 1);
    return i;
}

/* the key of T[a:b] lower-cased, when it is 1 to 8 ASCII characters; 0 otherwise */
static inline uint64_t
abbr_key(const Py_UCS4 *T, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a < 1 || b - a > 8)
        return 0;
    uint64_t key = (uint64_t)(b - a) << 56;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = T[i];
        if (c >= 128)
            return 0;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        key |= (uint64_t)c << (7 * (i - a));
    }
    return key;
}

static inline int
latin_stop(Py_UCS4 c)
{
    return c < 128 ? (c == '.' || c == '!' || c == '?')
                   : (c == 0x2026 || c == 0x061F || c == 0x06D4 || c == 0x0964);
}

static inline int
cjk_stop(Py_UCS4 c)
{
    return c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

static inline int
latin_close(Py_UCS4 c)  /* ["'\u201d\u2019\u00bb)\]] (also _TRAILING) */
{
    return c == '"' || c == '\'' || c == 0x201D || c == 0x2019 || c == 0x00BB || c == ')' || c == ']';
}

static inline int
cjk_close(Py_UCS4 c)  /* ["'\u201d\u2019\u300d\u300f)\]] */
{
    return c == '"' || c == '\'' || c == 0x201D || c == 0x2019 || c == 0x300D || c == 0x300F || c == ')' ||
           c == ']';
}

static inline int
hspace(Py_UCS4 c)  /* [ \t\u00a0\u3000] */
{
    return c == ' ' || c == '\t' || c == 0x00A0 || c == 0x3000;
}

static inline int
opener(Py_UCS4 c)  /* sentences._OPENERS */
{
    return c == '"' || c == '\'' || c == 0x201C || c == 0x2018 || c == 0x00AB || c == '(' || c == '[' ||
           c == 0x300C || c == 0x300E || c == 0x00BF || c == 0x00A1;
}

static inline int
line_break(Py_UCS4 c)  /* [\r\n\u2028\u2029] */
{
    return c <= '\r' ? (c == '\r' || c == '\n') : (c == 0x2028 || c == 0x2029);
}

static inline int
space(Py_UCS4 c)  /* \s */
{
    return c < 128 ? (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F)) : Py_UNICODE_ISSPACE(c);
}

/* The next match of sentences._CANDIDATE in T[j:stop] from j on: its span in *cs, *ce,
 * and the end of its punctuation run in *pe; 0 when there is none. */
static int
next_candidate(const Py_UCS4 *T, Py_ssize_t j, Py_ssize_t stop, Py_ssize_t *cs, Py_ssize_t *pe, Py_ssize_t *ce)
{
    for (; j < stop; j++) {
        Py_UCS4 c = T[j];
        if (c < 128 ? (c != '.' && c != '!' && c != '?') : c < 0x061F)
            continue;  /* the common case: no stop of either kind */
        Py_ssize_t k = j + 1, n = 0;
        if (latin_stop(c)) {
            /* [stops]{0,9}[closers]{0,4}[spaces]+: the classes are disjoint, so the
             * greedy reading is the only one */
            while (k < stop && n < 9 && latin_stop(T[k]))
                k++, n++;
            Py_ssize_t p = k;
            for (n = 0; k < stop && n < 4 && latin_close(T[k]);)
                k++, n++;
            if (k >= stop || !hspace(T[k]))
                continue;
            while (k < stop && hspace(T[k]))
                k++;
            *cs = j, *pe = p, *ce = k;
            return 1;
        }
        if (cjk_stop(c)) {
            while (k < stop && cjk_stop(T[k]))
                k++;
            Py_ssize_t p = k;
            for (n = 0; k < stop && n < 4 && cjk_close(T[k]);)
                k++, n++;
            while (k < stop && hspace(T[k]))
                k++;
            *cs = j, *pe = p, *ce = k;
            return 1;
        }
    }
    return 0;
}

/* str.islower() of T[a:b] (b > a) */
static int
str_islower(const Py_UCS4 *T, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a == 1)
        return Py_UNICODE_ISLOWER(T[a]);
    int cased = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        if (Py_UNICODE_ISUPPER(T[i]) || Py_UNICODE_ISTITLE(T[i]))
            return 0;
        if (!cased && Py_UNICODE_ISLOWER(T[i]))
            cased = 1;
    }
    return cased;
}

/* Whether the word T[j:...] (its letters, up to the line's end le) is a word that
 * follows an ordinal number ("Juli", "Jahrhundert"); -1 on error. */
static Py_NO_INLINE int
ordinal_follower(const Py_UCS4 *T, Py_ssize_t j, Py_ssize_t le)
{
    /* a longer run of letters lower-cases to a longer word: not in the set */
    Py_ssize_t k = j, lim = Py_MIN(le, j + ordinal_max_len + 1);
    while (k < lim && Py_UNICODE_ISALPHA(T[k]))
        k++;
    if (k == j)
        return 0;
    uint64_t h = ORD_HASH0;
    Py_ssize_t i = j;
    for (; i < k; i++) {
        Py_UCS4 c = T[i];
        if (c >= 0x180 || c == 0x130)
            break;
        h = ord_hash(h, c < 128 ? c + ((c - 'A') < 26u) * 32 : Py_UNICODE_TOLOWER(c));
    }
    if (i == k && !ord_used[ord_slot(h)])
        return 0;
    PyObject *word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, T + j, k - j);
    PyObject *low = word ? PyObject_CallMethod(word, "lower", NULL) : NULL;
    Py_XDECREF(word);
    if (!low)
        return -1;
    int found = PySet_Contains(ordinal_followers, low);
    Py_DECREF(low);
    return found;
}

/* sentences._is_boundary for the candidate T[cs:ce] (punctuation T[cs:pe]) in the line
 * T[line_start:line_end]; -1 on error. */
static int
is_boundary(const Py_UCS4 *T, Py_ssize_t len, Py_ssize_t cs, Py_ssize_t pe, Py_ssize_t ce, Py_ssize_t line_start,
            Py_ssize_t line_end)
{
    if (cjk_stop(T[cs]))
        return 1;
    Py_UCS4 nxt = T[ce];
    Py_UCS4 head = opener(nxt) && ce + 1 < len ? T[ce + 1] : nxt;
    int upper_next = (Py_UNICODE_ISALPHA(head) && !Py_UNICODE_ISLOWER(head)) || Py_UNICODE_ISDIGIT(head);
    for (Py_ssize_t i = cs; i < pe; i++) {
        Py_UCS4 c = T[i];
        if (c == '?' || c == '!' || c == 0x061F || c == 0x0964 || c == 0x06D4)
            return upper_next;
    }
    /* the word before the punctuation, a bounded distance back */
    Py_ssize_t lo = Py_MAX(line_start, cs - 64), ws = lo - 1;
    for (Py_ssize_t i = cs - 1; i >= lo; i--)
        if (T[i] == ' ' || T[i] == '\t') {
            ws = i;
            break;
        }
    Py_ssize_t a = ws + 1, b = cs;
    while (a < b && (T[a] == '"' || T[a] == '\'' || T[a] == 0x201C || T[a] == 0x2018 || T[a] == '(' ||
                     T[a] == '[' || T[a] == 0x00AB))
        a++;
    if (T[cs] == 0x2026 || (T[cs] == '.' && pe - cs >= 2 && T[cs + 1] == '.'))
        return upper_next && b > a;
    if (b == a)
        return upper_next;
    if (b - a <= abbrev_max_len) {
        /* a lower case is never shorter: a longer token is no abbreviation */
        int never, final;
        uint64_t key = abbr_key(T, a, b);
        if (key) {
            int v = abbr_vals[abbr_slot(key)];
            never = v == 1;
            final = v == 2;
        } else {
            PyObject *tok = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, T + a, b - a);
            PyObject *low = tok ? PyObject_CallMethod(tok, "lower", NULL) : NULL;
            Py_XDECREF(tok);
            if (!low)
                return -1;
            never = PySet_Contains(abbrev_never, low);
            final = never == 0 ? PySet_Contains(abbrev_final, low) : 0;
            Py_DECREF(low);
        }
        if (never < 0 || final < 0)
            return -1;
        if (never)
            return 0;
        if (final)
            return Py_UNICODE_ISUPPER(nxt);
    }
    if (b - a == 1 && Py_UNICODE_ISALPHA(T[a]))
        return 0;  /* an initial */
    int dots = 0, slash = 0;
    for (Py_ssize_t i = a; i < b; i++)
        dots += T[i] == '.', slash |= T[i] == '/';
    if (dots && !Py_UNICODE_ISDIGIT(T[b - 1]))
        return Py_UNICODE_ISUPPER(nxt) && (slash || (b - a > 6 && dots == 1));
    if (upper_next) {
        /* an ordinal before a month or a noun: one period (no closer) after 1 to 3
         * ASCII digits, then a listed word ("am 3. Juli", "im 19. Jahrhundert") */
        if (b - a <= 3 && pe == cs + 1 && T[cs] == '.' && hspace(T[pe])) {
            Py_ssize_t i = a;
            while (i < b && T[i] >= '0' && T[i] <= '9')
                i++;
            if (i == b) {
                int f = ordinal_follower(T, ce, line_end);
                return f < 0 ? -1 : !f;
            }
        }
        return 1;
    }
    if (!Py_UNICODE_ISLOWER(nxt) || b - a < 3)
        return 0;
    for (Py_ssize_t i = a; i < b; i++)
        if (!Py_UNICODE_ISALPHA(T[i]))
            return 0;
    return str_islower(T, a, b);
}

/* Sentences as (start, end) pairs in a growing buffer */
typedef struct {
    Py_ssize_t *se;
    Py_ssize_t n, cap;
} SpanBuf;

static int
push_span(SpanBuf *b, Py_ssize_t s, Py_ssize_t e)
{
    if (b->n == b->cap) {
        Py_ssize_t cap = b->cap ? 2 * b->cap : 128;
        Py_ssize_t *se = PyMem_Realloc(b->se, 2 * (size_t)cap * sizeof(Py_ssize_t));
        if (!se) {
            PyErr_NoMemory();
            return -1;
        }
        b->se = se;
        b->cap = cap;
    }
    b->se[2 * b->n] = s;
    b->se[2 * b->n + 1] = e;
    b->n++;
    return 0;
}

/* The first `limit` sentences of segment_sentences(text, start, stop) into out (its
 * previous content dropped): T is the text of length len, read up to stop + 1
 * (0 <= start <= stop <= len). -1 on error. */
static int
segment(const Py_UCS4 *T, Py_ssize_t len, Py_ssize_t start, Py_ssize_t stop, Py_ssize_t limit, SpanBuf *out)
{
    out->n = 0;
    Py_ssize_t pos = start, cs = 0, pe = 0, ce = 0;
    int have = limit > 0 && next_candidate(T, start, stop, &cs, &pe, &ce);
    while (out->n < limit) {
        /* the next line: first to last non-space character before a line break */
        Py_ssize_t p = pos;
        while (p < stop && space(T[p]))
            p++;
        if (p >= stop)
            break;
        Py_ssize_t q = p + 1;
        while (q < stop && !line_break(T[q]))
            q++;
        Py_ssize_t le = q;
        while (le > p + 1 && space(T[le - 1]))
            le--;
        pos = le;
        Py_ssize_t s = p;
        while (have && cs < le && out->n < limit) {
            /* a candidate that reaches the end of the line ends the line, not a sentence */
            if (ce < le) {
                int b = is_boundary(T, len, cs, pe, ce, p, le);
                if (b < 0)
                    return -1;
                if (b) {
                    Py_ssize_t e = ce;
                    while (e > cs && space(T[e - 1]))
                        e--;
                    if (push_span(out, s, e) < 0)
                        return -1;
                    s = ce;
                }
            }
            have = next_candidate(T, ce, stop, &cs, &pe, &ce);
        }
        if (out->n < limit && push_span(out, s, le) < 0)
            return -1;
    }
    return 0;
}

static PyObject *
mf_sentences(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *text, *out = NULL;
    Py_ssize_t start, stop, limit;
    if (!PyArg_ParseTuple(args, "Unnn", &text, &start, &stop, &limit))
        return NULL;
    if (!span_type) {
        PyErr_SetString(PyExc_RuntimeError, "_mashfeat.configure_sentences() was not called");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    stop = Py_MIN(Py_MAX(stop, 0), len);
    start = Py_MIN(Py_MAX(start, 0), stop);
    /* Reads stay in text[start:stop + 1]: a line starts at or after start, a candidate
     * ends before stop and is read one character past its end. So only that range is
     * widened, and segmented at offsets shifted by start (a caller segmenting many
     * ranges of a long text would otherwise pay for its whole head at every call). */
    Py_UCS4 *T = widen_from(text, start, Py_MIN(len, stop + 1) - start);
    if (!T)
        return NULL;
    SpanBuf buf = {NULL, 0, 0};
    if (segment(T, len - start, 0, stop - start, limit, &buf) < 0)
        goto fail;
    out = PyList_New(buf.n);
    if (!out)
        goto fail;
    for (Py_ssize_t i = 0; i < buf.n; i++) {
        PyObject *sp = span_type->tp_alloc(span_type, 3);
        if (!sp)
            goto fail;
        PyList_SET_ITEM(out, i, sp);
        PyObject *a = PyLong_FromSsize_t(start + buf.se[2 * i]);
        PyObject *b = PyLong_FromSsize_t(start + buf.se[2 * i + 1]);
        if (!a || !b) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            goto fail;
        }
        PyTuple_SET_ITEM(sp, 0, a);
        PyTuple_SET_ITEM(sp, 1, b);
        Py_INCREF(kind_sentence);
        PyTuple_SET_ITEM(sp, 2, kind_sentence);
    }
    PyMem_Free(buf.se);
    PyMem_Free(T);
    return out;
fail:
    PyMem_Free(buf.se);
    PyMem_Free(T);
    Py_XDECREF(out);
    return NULL;
}

/* ---- judge(): the first sentences of a page and all their features in one call ---- */

/* The lower case of T[0:end) (the text `text`) at the same offsets, as
 * mashup._lower_same_length(text[:end]) makes it. A character's first lower-case
 * character is its simple mapping (Py_UNICODE_TOLOWER); only the capital sigma
 * lower-cases by its context (final or not), so where one is present Python's own
 * lower case of the region is taken, unless its length differs (then the first
 * characters are, as computed here). */
static Py_UCS4 *
lower_region(PyObject *text, const Py_UCS4 *T, Py_ssize_t end)
{
    Py_UCS4 *L = PyMem_Malloc(((size_t)end + 1) * sizeof(Py_UCS4));
    if (!L) {
        PyErr_NoMemory();
        return NULL;
    }
    int sigma = 0;
    for (Py_ssize_t i = 0; i < end; i++) {
        Py_UCS4 c = T[i];
        if (c < 128)
            L[i] = c + ((c - 'A') < 26u) * 32;
        else {
            sigma |= c == 0x3A3;
            L[i] = Py_UNICODE_TOLOWER(c);
        }
    }
    L[end] = 0;
    if (sigma) {
        PyObject *region = PyUnicode_Substring(text, 0, end);
        PyObject *low = region ? PyObject_CallMethod(region, "lower", NULL) : NULL;
        Py_XDECREF(region);
        if (!low) {
            PyMem_Free(L);
            return NULL;
        }
        if (PyUnicode_GET_LENGTH(low) == end) {
            int kind = PyUnicode_KIND(low);
            const void *data = PyUnicode_DATA(low);
            for (Py_ssize_t i = 0; i < end; i++)
                L[i] = PyUnicode_READ(kind, data, i);
        }
        Py_DECREF(low);
    }
    return L;
}

static PyObject *
mf_lower(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "U", &text))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *T = widen(text, n);
    Py_UCS4 *L = T ? lower_region(text, T, n) : NULL;
    PyObject *out = L ? PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, L, n) : NULL;
    PyMem_Free(T);
    PyMem_Free(L);
    return out;
}

/* mashup._first_sentences, then prose() and page() on them, without a Span or a
 * lower-cased str: (sentences, prose or None, page or None). prose() is computed
 * when there are `fewest` sentences or more, page() when there are that many prose
 * sentences and distinct ones. */
static PyObject *
mf_judge(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *text, *prose = NULL, *page = NULL, *result = NULL, *markers = NULL, *langs = NULL;
    Py_ssize_t max_sentences, quick_chars, cap_chars, fewest, lang_sentences;
    Stems st = {{NULL, NULL, 0, 0}, NULL, NULL, NULL, 0, 0};
    int *conv = NULL;
    Digits ones_twos = {NULL, 0};
    if (!PyArg_ParseTuple(args, "Unnnnn", &text, &max_sentences, &quick_chars, &cap_chars, &fewest,
                          &lang_sentences))
        return NULL;
    if (!stop_table.keys || !span_type) {
        PyErr_SetString(PyExc_RuntimeError, "_mashfeat.configure() and configure_sentences() were not called");
        return NULL;
    }
    if (max_sentences < 1 || max_sentences > PY_SSIZE_T_MAX / 1024 || quick_chars < 1 || quick_chars > 1024 ||
        cap_chars < 1 || cap_chars > 1024) {
        PyErr_SetString(PyExc_ValueError, "judge: sentences or characters per sentence out of range");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    Py_ssize_t cap = Py_MIN(len, max_sentences * cap_chars);
    Py_ssize_t quick = Py_MIN(cap, max_sentences * quick_chars);
    SpanBuf buf = {NULL, 0, 0};
    Py_UCS4 *L = NULL, *T = widen(text, Py_MIN(len, quick + 1));
    if (!T)
        return NULL;
    /* the segmenter is asked first for a shorter prefix (see _first_sentences) */
    if (segment(T, len, 0, quick, max_sentences + 2, &buf) < 0)
        goto done;
    if (quick < cap && buf.n < max_sentences + 2) {
        PyMem_Free(T);
        T = widen(text, Py_MIN(len, cap + 1));
        if (!T || segment(T, len, 0, cap, max_sentences, &buf) < 0)
            goto done;
    }
    Py_ssize_t n = Py_MIN(buf.n, max_sentences);
    if (n < fewest || n == 0) {
        result = Py_BuildValue("nOO", n, Py_None, Py_None);
        goto done;
    }
    L = lower_region(text, T, buf.se[2 * n - 1]);
    markers = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)((size_t)n * N_MARKERS * sizeof(double)));
    langs = PyList_New(0);
    conv = PyMem_Malloc((size_t)n * sizeof(int));
    ones_twos.at = PyMem_Malloc(((size_t)buf.se[2 * n - 1] + 1) * sizeof(Py_ssize_t));
    if (!L || !markers || !langs || !conv || !ones_twos.at) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    if (stems_init(&st, buf.se, n) < 0)
        goto done;
    if (page_pass(T, L, buf.se, n, lang_sentences, (double *)PyByteArray_AS_STRING(markers), conv, &st, langs,
                  &ones_twos) < 0 ||
        !(prose = prose_finish(text, buf.se, n, fewest, &st)))
        goto done;
    Py_ssize_t n_prose = PyLong_AsSsize_t(PyTuple_GET_ITEM(prose, 0));
    Py_ssize_t distinct = PyLong_AsSsize_t(PyTuple_GET_ITEM(prose, 1));
    if (n_prose >= fewest && distinct >= fewest) {
        if (!(page = page_finish(T, buf.se, n, markers, conv, langs, &ones_twos)))
            goto done;
    } else {
        page = Py_None;
        Py_INCREF(page);
    }
    result = Py_BuildValue("nOO", n, prose, page);
done:
    Py_XDECREF(prose);
    Py_XDECREF(page);
    Py_XDECREF(markers);
    Py_XDECREF(langs);
    PyMem_Free(conv);
    PyMem_Free(ones_twos.at);
    if (st.off)
        stems_free(&st);
    PyMem_Free(buf.se);
    PyMem_Free(T);
    PyMem_Free(L);
    return result;
}

static PyObject *
mf_configure_sentences(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *type, *never, *final, *ordinal = NULL;
    if (!PyArg_ParseTuple(args, "O!O!O!|O!", &PyType_Type, &type, &PyFrozenSet_Type, &never, &PyFrozenSet_Type,
                          &final, &PyFrozenSet_Type, &ordinal))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "configure_sentences: the span type must be a tuple subclass");
        return NULL;
    }
    /* without the words that follow ordinals, the segmenter's own list (a caller that
     * only hands over the abbreviations must not get other rules than the segmenter) */
    PyObject *owned = NULL;
    if (!ordinal) {
        PyObject *mod = PyImport_ImportModule("thresher.stages.segment.sentences");
        owned = mod ? PyObject_CallMethod(mod, "_ordinal_followers", NULL) : NULL;
        Py_XDECREF(mod);
        if (!owned)
            return NULL;
        if (!PyFrozenSet_Check(owned)) {
            Py_DECREF(owned);
            PyErr_SetString(PyExc_TypeError, "configure_sentences: _ordinal_followers() must be a frozenset");
            return NULL;
        }
        ordinal = owned;
    }
    /* the hashes go to a table of their own first, copied in once all is well */
    static uint64_t new_keys[ORD_SLOTS];
    static uint8_t new_used[ORD_SLOTS];
    memset(new_used, 0, sizeof(new_used));
    Py_ssize_t ord_longest = 0, ord_filled = 0;
    {
        PyObject *it = PyObject_GetIter(ordinal), *w;
        if (!it) {
            Py_XDECREF(owned);
            return NULL;
        }
        while ((w = PyIter_Next(it))) {
            if (!PyUnicode_Check(w)) {
                Py_DECREF(w);
                PyErr_SetString(PyExc_TypeError, "configure_sentences: the words after ordinals must be str");
                break;
            }
            Py_ssize_t wl = PyUnicode_GET_LENGTH(w), i = 0;
            ord_longest = Py_MAX(ord_longest, wl);
            uint64_t h = ORD_HASH0;
            for (; i < wl && PyUnicode_READ_CHAR(w, i) < 0x180; i++)
                h = ord_hash(h, PyUnicode_READ_CHAR(w, i));
            Py_DECREF(w);
            if (i < wl)
                continue;  /* never the lower case of a run of such letters */
            if (ord_filled >= ORD_SLOTS / 2) {
                PyErr_SetString(PyExc_ValueError, "configure_sentences: too many words after ordinals");
                break;
            }
            size_t slot = (size_t)(h >> 53);
            while (new_used[slot] && new_keys[slot] != h)
                slot = (slot + 1) & (ORD_SLOTS - 1);
            if (!new_used[slot]) {
                new_keys[slot] = h;
                new_used[slot] = 1;
                ord_filled++;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            Py_XDECREF(owned);
            return NULL;
        }
    }
    Py_ssize_t longest = 0;
    PyObject *sets[2] = {never, final};
    memset(abbr_vals, 0, sizeof(abbr_vals));
    Py_ssize_t filled = 0;
    for (int k = 0; k < 2; k++) {
        PyObject *it = PyObject_GetIter(sets[k]), *w;
        if (!it)
            goto fail;
        while ((w = PyIter_Next(it))) {
            if (PyUnicode_Check(w)) {
                Py_ssize_t wl = PyUnicode_GET_LENGTH(w);
                longest = Py_MAX(longest, wl);
                /* an ASCII word of 1 to 8 characters, as it is: the lookup lower-cases
                 * the token, so a word with a capital is never found, as in the sets */
                uint64_t key = wl >= 1 && wl <= 8 && PyUnicode_IS_ASCII(w) ? (uint64_t)wl << 56 : 0;
                for (Py_ssize_t i = 0; key && i < wl; i++)
                    key |= (uint64_t)PyUnicode_READ_CHAR(w, i) << (7 * i);
                if (key && filled < ABBR_SLOTS / 2) {
                    size_t slot = abbr_slot(key);
                    if (!abbr_vals[slot]) {
                        abbr_keys[slot] = key;
                        abbr_vals[slot] = (uint8_t)(k + 1);
                        filled++;
                    }
                } else if (key) {
                    PyErr_SetString(PyExc_ValueError, "configure_sentences: too many abbreviations");
                    Py_DECREF(w);
                    Py_DECREF(it);
                    memset(abbr_vals, 0, sizeof(abbr_vals));
                    goto fail;
                }
            }
            Py_DECREF(w);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            goto fail;
    }
    if (!kind_sentence && !(kind_sentence = PyUnicode_InternFromString("sentence")))
        goto fail;
    Py_INCREF(type);
    Py_INCREF(never);
    Py_INCREF(final);
    if (!owned)
        Py_INCREF(ordinal);
    Py_XSETREF(span_type, (PyTypeObject *)type);
    Py_XSETREF(abbrev_never, never);
    Py_XSETREF(abbrev_final, final);
    Py_XSETREF(ordinal_followers, ordinal);
    memcpy(ord_keys, new_keys, sizeof(ord_keys));
    memcpy(ord_used, new_used, sizeof(ord_used));
    abbrev_max_len = longest;
    ordinal_max_len = ord_longest;
    Py_RETURN_NONE;
fail:
    Py_XDECREF(owned);
    return NULL;
}

static PyMethodDef methods[] = {
    {"configure", mf_configure, METH_VARARGS,
     "configure(stop_stems, function_words, languages): the stop stems (list of str) and the function "
     "words (list of (word, language bit mask)) the other functions use."},
    {"prose", mf_prose, METH_VARARGS,
     "prose(low, text, spans, fewest) -> (prose, distinct, sim or None, orphans)"},
    {"page", mf_page, METH_VARARGS,
     "page(text, low, spans, lang_sentences) -> (markers, (pre, curly, straight), (pre, 5 dash counts), "
     "languages, years)"},
    {"judge", mf_judge, METH_VARARGS,
     "judge(text, max_sentences, quick_chars, cap_chars, fewest, lang_sentences) -> (sentences, prose() or "
     "None, page() or None) of the first sentences of text (mashup._first_sentences)"},
    {"lower", mf_lower, METH_VARARGS, "lower(text) -> mashup._lower_same_length(text), as judge() computes it"},
    {"configure_sentences", mf_configure_sentences, METH_VARARGS,
     "configure_sentences(span_type, never, final[, after_ordinals]): the segmenter's Span type, abbreviation "
     "sets and the words that follow an ordinal number (default: sentences._ordinal_followers())."},
    {"sentences", mf_sentences, METH_VARARGS,
     "sentences(text, start, stop, limit) -> the first `limit` spans of segment_sentences(text, start, stop)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_mashfeat",
    "Compiled twin of the per-sentence features of mashup_filter (see mashup.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__mashfeat(void)
{
    init_ascii_pass();
    init_bmp_classes();
    return PyModule_Create(&module);
}
