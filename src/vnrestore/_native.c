/* The beam decoder of decode.py over an n-gram model of format 2 (lm.HashedTable), in C.
 *
 * Why: decoding is most of a restore's time, and in pure Python + numpy it stays a few
 * dozen numpy calls per step of every lattice (README, "Accuracy and speed").  Here one
 * call decodes a whole block: the lattices are read into flat arrays, then each segment
 * is decoded alone with the GIL released, with the hashed-table look-ups inline.
 *
 * The output is the pure path's, bit for bit: the same float32 sums in the same order
 * for each LM score (lm.NgramLM.expand), the same float64 sums for path scores
 * (decode.decode), recombination by LM state keeping the best score (of equal ones the
 * lowest expansion index), then per segment the `beam` best by score with ties in state
 * order, and of equal final scores the first.  A segment's path never depends on the
 * others of a batch (decode.py guarantees the same), so decoding them one by one is the
 * same search.  tests/test_native.py checks the identity against the pure path.
 *
 * Nothing here knows numpy: the arrays come in through the buffer protocol (numpy
 * arrays, memory-mapped from lm.bin, shared and not copied).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ID_BITS 16
#define MAX_ORDER 8
#define BOOK_SIZE 256

static const uint64_t MIX1 = 0x9E3779B97F4A7C15ULL;
static const uint64_t MIX2 = 0xBF58476D1CE4E5B9ULL;

/* One order's hashed table (see lm.HashedTable). */
typedef struct {
    int bits, bucket_bits, offset_size, rem_size;
    uint64_t mask, mul1, mul2, rem_mask, rem_type_mask;
    unsigned half, rem_shift;
    Py_ssize_t rows;
    const void *offsets, *remainders;
    const uint8_t *logp_codes, *backoff_codes;  /* backoff_codes NULL: none */
    const float *logp_book, *backoff_book;
} Table;

#define N_BUFFERS (2 + 6 * (MAX_ORDER - 1))

typedef struct {
    PyObject_HEAD
    int order;
    Py_ssize_t vocab;
    const float *unigram_logp, *unigram_backoff;
    uint64_t state_mask;
    Table tables[MAX_ORDER - 1];  /* tables[n - 2] holds order n */
    Py_buffer buffers[N_BUFFERS];
    int n_buffers;
} Model;

static uint64_t history_mask(int length) {
    return length < 4 ? (((uint64_t)1 << (ID_BITS * length)) - 1) : ~(uint64_t)0;
}

static uint64_t read_uint(const void *base, int size, Py_ssize_t i) {
    switch (size) {
    case 1: return ((const uint8_t *)base)[i];
    case 2: return ((const uint16_t *)base)[i];
    case 4: return ((const uint32_t *)base)[i];
    default: return ((const uint64_t *)base)[i];
    }
}

/* Row of `key` in the table, or -1 (HashedTable.find for one key). */
static Py_ssize_t find(const Table *t, uint64_t key) {
    if (t->rows == 0)
        return -1;
    uint64_t h = (key * t->mul1) & t->mask;
    h ^= h >> t->half;
    h = (h * t->mul2) & t->mask;
    h ^= h >> t->half;
    uint64_t bucket = t->bucket_bits ? h >> t->rem_shift : 0;
    Py_ssize_t start = (Py_ssize_t)read_uint(t->offsets, t->offset_size, (Py_ssize_t)bucket);
    Py_ssize_t end = (Py_ssize_t)read_uint(t->offsets, t->offset_size, (Py_ssize_t)bucket + 1);
    uint64_t rem = h & t->rem_mask & t->rem_type_mask;
    switch (t->rem_size) {
    case 2:
        for (Py_ssize_t r = start; r < end; r++)
            if (((const uint16_t *)t->remainders)[r] == rem) return r;
        break;
    case 4:
        for (Py_ssize_t r = start; r < end; r++)
            if (((const uint32_t *)t->remainders)[r] == rem) return r;
        break;
    default:
        for (Py_ssize_t r = start; r < end; r++)
            if (read_uint(t->remainders, t->rem_size, r) == rem) return r;
    }
    return -1;
}

/* tail[j] for j = 1..order: the sum of the backoff weights of the last j .. order-1
 * words of `state`, summed from the longest down as NgramLM.expand does (float32). */
static void tails(const Model *m, uint64_t state, float *tail) {
    tail[m->order] = 0.0f;
    for (int j = m->order - 1; j >= 1; j--) {
        float b = 0.0f;
        if (j == 1) {
            b = m->unigram_backoff[state & 0xFFFF];
        } else {
            const Table *t = &m->tables[j - 2];
            if (t->backoff_codes != NULL) {
                Py_ssize_t row = find(t, state & history_mask(j));
                if (row >= 0)
                    b = t->backoff_book[t->backoff_codes[row]];
            }
        }
        tail[j] = tail[j + 1] + b;
    }
}

/* log P(word | state) given the state's tails (NgramLM.expand for one pair). */
static float logprob(const Model *m, uint64_t state, uint64_t word, const float *tail) {
    float lp = m->unigram_logp[word] + tail[1];
    for (int n = 2; n <= m->order; n++) {
        const Table *t = &m->tables[n - 2];
        Py_ssize_t row = find(t, ((state & history_mask(n - 1)) << ID_BITS) | word);
        if (row < 0)
            break;
        lp = t->logp_book[t->logp_codes[row]] + tail[n];
    }
    return lp;
}

/* ---- Model construction ---------------------------------------------------------- */

static Py_buffer *take_buffer(Model *m, PyObject *obj, const char *name, int itemsize, char kind,
                              Py_ssize_t min_len) {
    Py_buffer *view = &m->buffers[m->n_buffers];
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    m->n_buffers++;
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=' || *f == '<' || *f == '!' || *f == '>') {
        int little = 1;
        int native_little = *(const char *)&little == 1;
        if ((*f == '>' || *f == '!') && native_little) goto bad;
        if (*f == '<' && !native_little) goto bad;
        f++;
    }
    if (view->itemsize != itemsize && itemsize != 0) goto bad;
    if (kind == 'f' && strcmp(f, "f") != 0) goto bad;
    if (kind == 'u' && (f[0] == '\0' || f[1] != '\0' || strchr("BHILQN", f[0]) == NULL)) goto bad;
    if (view->ndim > 1 || view->len / view->itemsize < min_len) goto bad;
    return view;
bad:
    PyErr_Format(PyExc_ValueError, "array %s: not a native-endian %s array of the expected size",
                 name, kind == 'f' ? "float32" : "unsigned integer");
    return NULL;
}

static void Model_dealloc(Model *m) {
    for (int i = 0; i < m->n_buffers; i++)
        PyBuffer_Release(&m->buffers[i]);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static int setup_table(Model *m, Table *t, PyObject *spec) {
    int bits, bucket_bits;
    PyObject *offsets, *remainders, *logp, *logp_book, *backoff, *backoff_book;
    if (!PyArg_ParseTuple(spec, "iiOOOOOO", &bits, &bucket_bits, &offsets, &remainders, &logp, &logp_book,
                          &backoff, &backoff_book))
        return -1;
    if (bits < 1 || bits > 64 || bucket_bits < 0 || bucket_bits > 30 || bucket_bits > bits) {
        PyErr_SetString(PyExc_ValueError, "table bits out of range");
        return -1;
    }
    t->bits = bits;
    t->bucket_bits = bucket_bits;
    t->mask = bits < 64 ? (((uint64_t)1 << bits) - 1) : ~(uint64_t)0;
    t->mul1 = MIX1 & t->mask;
    t->mul2 = MIX2 & t->mask;
    t->half = (unsigned)(bits / 2);
    t->rem_shift = (unsigned)(bits - bucket_bits);
    t->rem_mask = t->rem_shift < 64 ? (((uint64_t)1 << t->rem_shift) - 1) : ~(uint64_t)0;
    Py_ssize_t n_offsets = ((Py_ssize_t)1 << bucket_bits) + 1;
    Py_buffer *v;
    if (!(v = take_buffer(m, remainders, "remainders", 0, 'u', 0))) return -1;
    t->remainders = v->buf;
    t->rem_size = (int)v->itemsize;
    t->rows = v->len / v->itemsize;
    t->rem_type_mask = t->rem_size < 8 ? (((uint64_t)1 << (8 * t->rem_size)) - 1) : ~(uint64_t)0;
    if (!(v = take_buffer(m, offsets, "offsets", 0, 'u', n_offsets))) return -1;
    t->offsets = v->buf;
    t->offset_size = (int)v->itemsize;
    /* every bucket's rows must lie inside the table */
    for (Py_ssize_t b = 0; b < n_offsets; b++) {
        uint64_t o = read_uint(t->offsets, t->offset_size, b);
        if (o > (uint64_t)t->rows || (b && o < read_uint(t->offsets, t->offset_size, b - 1))) {
            PyErr_SetString(PyExc_ValueError, "table offsets out of range");
            return -1;
        }
    }
    if (!(v = take_buffer(m, logp, "logp", 1, 'u', t->rows))) return -1;
    t->logp_codes = v->buf;
    if (!(v = take_buffer(m, logp_book, "logp_book", 4, 'f', BOOK_SIZE))) return -1;
    t->logp_book = v->buf;
    t->backoff_codes = NULL;
    t->backoff_book = NULL;
    if (backoff != Py_None && t->rows > 0) {
        if (!(v = take_buffer(m, backoff, "backoff", 1, 'u', t->rows))) return -1;
        t->backoff_codes = v->buf;
        if (!(v = take_buffer(m, backoff_book, "backoff_book", 4, 'f', BOOK_SIZE))) return -1;
        t->backoff_book = v->buf;
    }
    return 0;
}

static int Model_init(Model *m, PyObject *args, PyObject *kwds) {
    PyObject *ulogp, *ubackoff, *tables;
    static char *kwlist[] = {"unigram_logp", "unigram_backoff", "tables", NULL};
    if (m->n_buffers) {
        PyErr_SetString(PyExc_TypeError, "Model is already initialised");
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO!", kwlist, &ulogp, &ubackoff, &PyList_Type, &tables))
        return -1;
    Py_ssize_t n_tables = PyList_GET_SIZE(tables);
    if (n_tables < 1 || n_tables > MAX_ORDER - 1) {
        PyErr_Format(PyExc_ValueError, "orders 2 to %d are supported", MAX_ORDER);
        return -1;
    }
    m->order = (int)n_tables + 1;
    m->state_mask = history_mask(m->order - 1);
    Py_buffer *v;
    if (!(v = take_buffer(m, ulogp, "unigram_logp", 4, 'f', 0))) return -1;
    m->unigram_logp = v->buf;
    m->vocab = v->len / 4;
    if (!(v = take_buffer(m, ubackoff, "unigram_backoff", 4, 'f', m->vocab))) return -1;
    m->unigram_backoff = v->buf;
    if (m->vocab < 1 || m->vocab > (1 << ID_BITS)) {
        PyErr_SetString(PyExc_ValueError, "vocabulary size out of range");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n_tables; i++) {
        PyObject *spec = PyList_GET_ITEM(tables, i);
        if (!PyTuple_Check(spec)) {
            PyErr_SetString(PyExc_TypeError, "each table must be a tuple");
            return -1;
        }
        if (setup_table(m, &m->tables[i], spec) < 0)
            return -1;
    }
    return 0;
}

/* ---- reading the lattices -------------------------------------------------------- */

typedef struct {
    Py_ssize_t n_seg, n_pos, n_cand;
    Py_ssize_t *seg_start;   /* n_seg + 1: first position of each segment */
    Py_ssize_t *pos_start;   /* n_pos + 1: first candidate of each position */
    uint16_t *ids;           /* n_cand */
    double *costs;           /* n_cand */
    int32_t *picks;          /* n_pos: the result */
} Flat;

static void flat_free(Flat *f) {
    PyMem_RawFree(f->seg_start);
    PyMem_RawFree(f->pos_start);
    PyMem_RawFree(f->ids);
    PyMem_RawFree(f->costs);
    PyMem_RawFree(f->picks);
}

static int grow(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap : 1024;
    while (n < need) n *= 2;
    void *q = PyMem_RawRealloc(*p, (size_t)n * item);
    if (!q) { PyErr_NoMemory(); return -1; }
    *p = q;
    *cap = n;
    return 0;
}

static int read_costs(PyObject *row, Py_ssize_t t, Py_ssize_t n, double *out) {
    PyObject *cost = row == Py_None ? Py_None : PySequence_GetItem(row, t);
    if (!cost) return -1;
    if (cost == Py_None) {
        for (Py_ssize_t j = 0; j < n; j++) out[j] = 0.0;
        if (row != Py_None) Py_DECREF(cost);
        return 0;
    }
    PyObject *fast = PySequence_Fast(cost, "costs must be sequences of numbers or None");
    Py_DECREF(cost);
    if (!fast) return -1;
    int rc = 0;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        PyErr_SetString(PyExc_ValueError, "costs: one score per candidate");
        rc = -1;
    }
    for (Py_ssize_t j = 0; rc == 0 && j < n; j++) {
        out[j] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, j));
        if (out[j] == -1.0 && PyErr_Occurred()) rc = -1;
    }
    Py_DECREF(fast);
    return rc;
}

static int flatten(const Model *m, PyObject *lattices, PyObject *costs, Flat *f) {
    Py_ssize_t cap_pos = 0, cap_cand = 0, cap_costs = 0;
    PyObject *lats = PySequence_Fast(lattices, "lattices must be a sequence");
    if (!lats) return -1;
    f->n_seg = PySequence_Fast_GET_SIZE(lats);
    f->seg_start = PyMem_RawMalloc((size_t)(f->n_seg + 1) * sizeof(Py_ssize_t));
    if (!f->seg_start) { Py_DECREF(lats); PyErr_NoMemory(); return -1; }
    if (costs != Py_None && PySequence_Size(costs) != f->n_seg) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "costs must mirror lattices");
        Py_DECREF(lats);
        return -1;
    }
    for (Py_ssize_t s = 0; s < f->n_seg; s++) {
        f->seg_start[s] = f->n_pos;
        PyObject *lat = PySequence_Fast(PySequence_Fast_GET_ITEM(lats, s), "a lattice must be a sequence");
        if (!lat) goto fail;
        PyObject *row = costs == Py_None ? Py_None : PySequence_GetItem(costs, s);  /* a new reference */
        if (!row) { Py_DECREF(lat); goto fail; }
        if (row == Py_None) Py_INCREF(row);
        Py_ssize_t len = PySequence_Fast_GET_SIZE(lat);
        if (grow((void **)&f->pos_start, &cap_pos, f->n_pos + len + 1, sizeof(Py_ssize_t)) < 0) goto fail_row;
        for (Py_ssize_t t = 0; t < len; t++) {
            PyObject *cands = PySequence_Fast(PySequence_Fast_GET_ITEM(lat, t), "a position must be a sequence");
            if (!cands) goto fail_row;
            Py_ssize_t n = PySequence_Fast_GET_SIZE(cands);
            if (n == 0) {
                PyErr_SetString(PyExc_ValueError, "a lattice position has no candidates");
                Py_DECREF(cands);
                goto fail_row;
            }
            if (grow((void **)&f->ids, &cap_cand, f->n_cand + n, sizeof(uint16_t)) < 0 ||
                grow((void **)&f->costs, &cap_costs, f->n_cand + n, sizeof(double)) < 0) {
                Py_DECREF(cands);
                goto fail_row;
            }
            f->pos_start[f->n_pos++] = f->n_cand;
            for (Py_ssize_t j = 0; j < n; j++) {
                unsigned long long w = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(cands, j));
                if (w == (unsigned long long)-1 && PyErr_Occurred()) { Py_DECREF(cands); goto fail_row; }
                if (w >= (unsigned long long)m->vocab) {
                    PyErr_Format(PyExc_IndexError, "word id %llu is not in the model's vocabulary", w);
                    Py_DECREF(cands);
                    goto fail_row;
                }
                f->ids[f->n_cand + j] = (uint16_t)w;
            }
            Py_DECREF(cands);
            if (read_costs(row, t, n, f->costs + f->n_cand) < 0) goto fail_row;
            f->n_cand += n;
        }
        Py_DECREF(row);
        Py_DECREF(lat);
        continue;
    fail_row:
        Py_DECREF(row);
        Py_DECREF(lat);
        goto fail;
    }
    f->seg_start[f->n_seg] = f->n_pos;
    if (grow((void **)&f->pos_start, &cap_pos, f->n_pos + 1, sizeof(Py_ssize_t)) < 0) goto fail;
    f->pos_start[f->n_pos] = f->n_cand;
    Py_DECREF(lats);
    f->picks = PyMem_RawMalloc((size_t)(f->n_pos + 1) * sizeof(int32_t));
    if (!f->picks) { PyErr_NoMemory(); return -1; }
    return 0;
fail:
    Py_DECREF(lats);
    return -1;
}

/* ---- the beam search ------------------------------------------------------------- */

typedef struct {
    uint64_t state;
    double score;
} Expansion;  /* its index in the step's array is parent * candidates + candidate */

/* Growable arrays of one search, reused across segments and steps. */
typedef struct {
    Expansion *exp;
    Py_ssize_t cap_exp;
    float *lp;            /* per expansion */
    Py_ssize_t cap_lp;
    float *tail;          /* (order + 1) per hypothesis */
    Py_ssize_t cap_tail;
    uint64_t *state;      /* per hypothesis */
    Py_ssize_t cap_state;
    double *score;
    Py_ssize_t cap_score;
    int32_t *last_of;     /* per hypothesis: its last word's index in `lasts` */
    Py_ssize_t cap_last_of;
    uint64_t *lasts;      /* the distinct last words of the hypotheses */
    Py_ssize_t cap_lasts;
    uint64_t *keys;       /* a batch of n-gram keys to look up ... */
    Py_ssize_t cap_keys;
    Py_ssize_t *rows;     /* ... their rows (-1: absent) ... */
    Py_ssize_t cap_rows;
    Py_ssize_t *scratch;  /* ... (3 per key while looking up) ... */
    Py_ssize_t cap_scratch;
    int32_t *live, *next_live;  /* ... and which expansions they belong to */
    Py_ssize_t cap_live, cap_next_live;
    int32_t *slot;        /* recombination: hash slot -> expansion index */
    uint32_t *stamp;      /* slot in use when equal to `generation` */
    int32_t *used;        /* the slots in use, in order of first use */
    Py_ssize_t cap_used;
    Py_ssize_t cap_slot, cap_stamp;
    uint32_t generation;
    struct Ranked *best;  /* the kept expansions, best first */
    Py_ssize_t cap_best;
    int32_t *parent, *cand;  /* per step and kept hypothesis: back-pointers */
    Py_ssize_t cap_parent, cap_cand;
    Py_ssize_t *step_start;  /* where each step's back-pointers start */
    Py_ssize_t cap_step_start;
} Work;

static int reserve(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap : 64;
    while (n < need) n *= 2;
    void *q = PyMem_RawRealloc(*p, (size_t)n * item);
    if (!q) return -1;
    *p = q;
    *cap = n;
    return 0;
}
#define RESERVE(w, field, need) reserve((void **)&(w)->field, &(w)->cap_##field, (need), sizeof(*(w)->field))

static void work_free(Work *w) {
    void *all[] = {w->exp, w->lp, w->tail, w->state, w->score, w->last_of, w->lasts, w->keys, w->rows,
                   w->scratch, w->live, w->next_live, w->slot, w->stamp, w->used, w->best, w->parent, w->cand,
                   w->step_start};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        PyMem_RawFree(all[i]);
}

/* find() for n keys at once, in three passes so that the memory reads of all keys are
 * in flight together (the tables are far larger than the caches): mix and prefetch the
 * bucket offsets, read them and prefetch the remainders, compare. */
static void find_many(const Table *t, const uint64_t *keys, Py_ssize_t n, Py_ssize_t *rows, Py_ssize_t *scratch) {
    if (t->rows == 0) {
        for (Py_ssize_t i = 0; i < n; i++) rows[i] = -1;
        return;
    }
    uint64_t *h = (uint64_t *)(scratch + 2 * n);  /* the mixed keys */
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t x = (keys[i] * t->mul1) & t->mask;
        x ^= x >> t->half;
        x = (x * t->mul2) & t->mask;
        x ^= x >> t->half;
        h[i] = x;
        uint64_t bucket = t->bucket_bits ? x >> t->rem_shift : 0;
        __builtin_prefetch((const char *)t->offsets + bucket * (uint64_t)t->offset_size);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t bucket = t->bucket_bits ? h[i] >> t->rem_shift : 0;
        Py_ssize_t start = (Py_ssize_t)read_uint(t->offsets, t->offset_size, (Py_ssize_t)bucket);
        scratch[2 * i] = start;
        scratch[2 * i + 1] = (Py_ssize_t)read_uint(t->offsets, t->offset_size, (Py_ssize_t)bucket + 1);
        __builtin_prefetch((const char *)t->remainders + start * (Py_ssize_t)t->rem_size);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t rem = h[i] & t->rem_mask & t->rem_type_mask;
        Py_ssize_t found = -1;
        for (Py_ssize_t r = scratch[2 * i]; r < scratch[2 * i + 1]; r++)
            if (read_uint(t->remainders, t->rem_size, r) == rem) { found = r; break; }
        rows[i] = found;
        if (found >= 0) __builtin_prefetch(t->logp_codes + found);  /* read by the caller next */
    }
}

/* w->lp[h * nc + c] = log P(ids[c] | state of hypothesis h), as logprob() computes it,
 * with the look-ups batched: order 2 once per distinct last word and candidate, each
 * higher order for the pairs found at the order below (NgramLM.expand does the same). */
static int score_step(const Model *m, Work *w, Py_ssize_t n_hyp, const uint16_t *ids, Py_ssize_t nc) {
    int order = m->order;
    Py_ssize_t n_exp = n_hyp * nc, n_lasts = 0;
    if (RESERVE(w, lp, n_exp) < 0 || RESERVE(w, tail, n_hyp * (order + 1)) < 0 ||
        RESERVE(w, last_of, n_hyp) < 0 || RESERVE(w, lasts, n_hyp) < 0)
        return -1;
    for (Py_ssize_t h = 0; h < n_hyp; h++) {
        uint64_t last = w->state[h] & 0xFFFF;
        Py_ssize_t k = 0;
        while (k < n_lasts && w->lasts[k] != last) k++;
        if (k == n_lasts) w->lasts[n_lasts++] = last;
        w->last_of[h] = (int32_t)k;
        tails(m, w->state[h], w->tail + h * (order + 1));
    }
    Py_ssize_t n_keys = n_lasts * nc > n_exp ? n_lasts * nc : n_exp;
    if (RESERVE(w, keys, n_keys) < 0 || RESERVE(w, rows, n_keys) < 0 || RESERVE(w, scratch, 3 * n_keys) < 0 ||
        RESERVE(w, live, n_exp) < 0 || RESERVE(w, next_live, n_exp) < 0)
        return -1;
    for (Py_ssize_t k = 0; k < n_lasts; k++)
        for (Py_ssize_t c = 0; c < nc; c++)
            w->keys[k * nc + c] = (w->lasts[k] << ID_BITS) | ids[c];
    find_many(&m->tables[0], w->keys, n_lasts * nc, w->rows, w->scratch);
    const Table *t2 = &m->tables[0];
    Py_ssize_t n_live = 0;
    for (Py_ssize_t h = 0, e = 0; h < n_hyp; h++) {
        const float *tail = w->tail + h * (order + 1);
        const Py_ssize_t *row = w->rows + w->last_of[h] * nc;
        for (Py_ssize_t c = 0; c < nc; c++, e++) {
            w->lp[e] = m->unigram_logp[ids[c]] + tail[1];
            if (row[c] >= 0) {
                w->lp[e] = t2->logp_book[t2->logp_codes[row[c]]] + tail[2];
                w->live[n_live++] = (int32_t)e;
            }
        }
    }
    for (int n = 3; n <= order && n_live; n++) {
        const Table *t = &m->tables[n - 2];
        uint64_t mask = history_mask(n - 1);
        for (Py_ssize_t i = 0; i < n_live; i++) {
            Py_ssize_t e = w->live[i];
            w->keys[i] = ((w->state[e / nc] & mask) << ID_BITS) | ids[e % nc];
        }
        find_many(t, w->keys, n_live, w->rows, w->scratch);
        Py_ssize_t n_next = 0;
        for (Py_ssize_t i = 0; i < n_live; i++) {
            if (w->rows[i] < 0) continue;
            Py_ssize_t e = w->live[i];
            w->lp[e] = t->logp_book[t->logp_codes[w->rows[i]]] + w->tail[(e / nc) * (order + 1) + n];
            w->next_live[n_next++] = (int32_t)e;
        }
        int32_t *swap = w->live;
        w->live = w->next_live;
        w->next_live = swap;
        Py_ssize_t cap = w->cap_live;
        w->cap_live = w->cap_next_live;
        w->cap_next_live = cap;
        n_live = n_next;
    }
    return 0;
}

typedef struct Ranked {
    uint64_t state;
    double score;
    int32_t e;  /* expansion index */
} Ranked;

/* Whether a ranks before b in the beam: higher score, then lower state. */
static int ranks_before(const Ranked *a, const Ranked *b) {
    return a->score > b->score || (a->score == b->score && a->state < b->state);
}

static int by_rank(const void *x, const void *y) {
    return ranks_before(x, y) ? -1 : ranks_before(y, x) ? 1 : 0;
}

#define SMALL_BEAM 64

/* Recombination and pruning (decode._recombine, decode._best_per_segment): of the
 * expansions with one LM state only the best can win (of equal scores the first); of
 * those, the `beam` best in rank order go to w->best.  Returns how many, -1 if out of
 * memory.  The rank order is total (the winners' states differ), so how the winners
 * are gathered does not matter. */
static Py_ssize_t prune(Work *w, Py_ssize_t n_exp, Py_ssize_t beam) {
    Py_ssize_t size = 16;
    while (size < 2 * n_exp) size *= 2;
    Py_ssize_t had = w->cap_stamp;
    if (RESERVE(w, slot, size) < 0 || RESERVE(w, stamp, size) < 0 || RESERVE(w, best, n_exp) < 0 ||
        RESERVE(w, used, n_exp) < 0)
        return -1;
    if (w->cap_stamp != had)  /* new memory: no stamp may look current */
        memset(w->stamp, 0, (size_t)w->cap_stamp * sizeof(uint32_t));
    if (++w->generation == 0) {  /* the stamps wrapped: forget them all */
        memset(w->stamp, 0, (size_t)w->cap_stamp * sizeof(uint32_t));
        w->generation = 1;
    }
    Py_ssize_t n_win = 0;
    for (Py_ssize_t e = 0; e < n_exp; e++) {
        uint64_t s = w->exp[e].state;
        Py_ssize_t i = (Py_ssize_t)((s * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
        while (w->stamp[i] == w->generation && w->exp[w->slot[i]].state != s)
            i = (i + 1) & (size - 1);
        if (w->stamp[i] != w->generation) {
            w->stamp[i] = w->generation;
            w->slot[i] = (int32_t)e;
            w->used[n_win++] = (int32_t)i;
        } else if (w->exp[e].score > w->exp[w->slot[i]].score) {
            w->slot[i] = (int32_t)e;
        }
    }
    Ranked *win = w->best;
    for (Py_ssize_t k = 0; k < n_win; k++) {
        int32_t e = w->slot[w->used[k]];
        win[k].state = w->exp[e].state;
        win[k].score = w->exp[e].score;
        win[k].e = e;
    }
    if (n_win <= beam || beam > SMALL_BEAM) {
        qsort(win, (size_t)n_win, sizeof(Ranked), by_rank);
        return n_win < beam ? n_win : beam;
    }
    /* a small beam: insertion into the `beam` best so far */
    Ranked top[SMALL_BEAM];
    Py_ssize_t n_top = 0;
    for (Py_ssize_t i = 0; i < n_win; i++) {
        if (n_top == beam && !ranks_before(&win[i], &top[n_top - 1])) continue;
        Py_ssize_t j = n_top < beam ? n_top++ : n_top - 1;
        while (j > 0 && ranks_before(&win[i], &top[j - 1])) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = win[i];
    }
    memcpy(win, top, (size_t)n_top * sizeof(Ranked));
    return n_top;
}

/* Decode segment s of `f` into f->picks; -1 if out of memory. */
static int decode_segment(const Model *m, Flat *f, Py_ssize_t s, uint64_t bos, uint64_t eos, Py_ssize_t beam,
                          Work *w) {
    Py_ssize_t first = f->seg_start[s], len = f->seg_start[s + 1] - first;
    if (len == 0) return 0;
    if (RESERVE(w, step_start, len + 1) < 0 || RESERVE(w, state, 1) < 0 || RESERVE(w, score, 1) < 0)
        return -1;
    Py_ssize_t n_hyp = 1, n_hist = 0;
    w->state[0] = bos;
    w->score[0] = 0.0;
    for (Py_ssize_t t = 0; t < len; t++) {
        Py_ssize_t c0 = f->pos_start[first + t], nc = f->pos_start[first + t + 1] - c0;
        const uint16_t *ids = f->ids + c0;
        const double *costs = f->costs + c0;
        if (n_hyp * nc > INT32_MAX || RESERVE(w, exp, n_hyp * nc) < 0 || score_step(m, w, n_hyp, ids, nc) < 0)
            return -1;  /* (more expansions than an int32 counts: out of memory long before) */
        for (Py_ssize_t h = 0, e = 0; h < n_hyp; h++)
            for (Py_ssize_t c = 0; c < nc; c++, e++) {
                /* (path + LM) + prior, in decode.py's order (no multiply: nothing to fuse) */
                double score = w->score[h] + (double)w->lp[e];
                w->exp[e].score = score + costs[c];
                w->exp[e].state = ((w->state[h] << ID_BITS) | ids[c]) & m->state_mask;
            }
        Py_ssize_t kept = prune(w, n_hyp * nc, beam);
        if (kept < 0 || RESERVE(w, parent, n_hist + kept) < 0 || RESERVE(w, cand, n_hist + kept) < 0 ||
            RESERVE(w, state, kept) < 0 || RESERVE(w, score, kept) < 0)
            return -1;
        w->step_start[t] = n_hist;
        for (Py_ssize_t i = 0; i < kept; i++) {
            const Ranked *r = &w->best[i];
            w->parent[n_hist + i] = (int32_t)(r->e / nc);
            w->cand[n_hist + i] = (int32_t)(r->e % nc);
            w->state[i] = r->state;
            w->score[i] = r->score;
        }
        n_hist += kept;
        n_hyp = kept;
    }
    /* </s>: the first of the best totals */
    Py_ssize_t best = 0;
    double best_total = 0.0;
    float tail[MAX_ORDER + 1];
    for (Py_ssize_t h = 0; h < n_hyp; h++) {
        tails(m, w->state[h], tail);
        double total = w->score[h] + (double)logprob(m, w->state[h], eos, tail);
        if (h == 0 || total > best_total) {
            best = h;
            best_total = total;
        }
    }
    for (Py_ssize_t t = len - 1; t >= 0; t--) {
        f->picks[first + t] = w->cand[w->step_start[t] + best];
        best = w->parent[w->step_start[t] + best];
    }
    return 0;
}

static PyObject *Model_decode(Model *m, PyObject *args, PyObject *kwds) {
    PyObject *lattices, *costs = Py_None;
    unsigned long long bos, eos;
    Py_ssize_t beam;
    static char *kwlist[] = {"lattices", "costs", "bos_id", "eos_id", "beam", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOKKn", kwlist, &lattices, &costs, &bos, &eos, &beam))
        return NULL;
    if (beam < 1) {
        PyErr_SetString(PyExc_ValueError, "beam must be at least 1");
        return NULL;
    }
    if (bos >= (unsigned long long)m->vocab || eos >= (unsigned long long)m->vocab) {
        PyErr_SetString(PyExc_IndexError, "bos_id or eos_id is not in the model's vocabulary");
        return NULL;
    }
    Flat f = {0};
    if (flatten(m, lattices, costs, &f) < 0) {
        flat_free(&f);
        return NULL;
    }
    Work w = {0};
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t s = 0; !failed && s < f.n_seg; s++)
        failed = decode_segment(m, &f, s, bos, eos, beam, &w) < 0;
    Py_END_ALLOW_THREADS
    work_free(&w);
    PyObject *result = failed ? PyErr_NoMemory() : PyList_New(f.n_seg);
    for (Py_ssize_t s = 0; result && s < f.n_seg; s++) {
        Py_ssize_t first = f.seg_start[s], len = f.seg_start[s + 1] - first;
        PyObject *path = PyList_New(len);
        if (!path) { Py_CLEAR(result); break; }
        for (Py_ssize_t t = 0; t < len; t++) {
            PyObject *pick = PyLong_FromLong(f.picks[first + t]);
            if (!pick) { Py_DECREF(path); Py_CLEAR(result); break; }
            PyList_SET_ITEM(path, t, pick);
        }
        if (result) PyList_SET_ITEM(result, s, path);
    }
    flat_free(&f);
    return result;
}

/* score(states, words) -> (list of log-probabilities, list of new states), for tests:
 * the same numbers as NgramLM.score. */
static PyObject *Model_score(Model *m, PyObject *args) {
    PyObject *states, *words;
    if (!PyArg_ParseTuple(args, "OO", &states, &words))
        return NULL;
    PyObject *s = PySequence_Fast(states, "states must be a sequence");
    if (!s) return NULL;
    PyObject *wd = PySequence_Fast(words, "words must be a sequence");
    if (!wd) { Py_DECREF(s); return NULL; }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(s);
    PyObject *lps = NULL, *news = NULL, *result = NULL;
    if (PySequence_Fast_GET_SIZE(wd) != n) {
        PyErr_SetString(PyExc_ValueError, "states and words must have the same length");
        goto done;
    }
    lps = PyList_New(n);
    news = PyList_New(n);
    if (!lps || !news) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t state = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(s, i));
        uint64_t word = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(wd, i));
        if (PyErr_Occurred()) goto done;
        if (word >= (uint64_t)m->vocab || (state & 0xFFFF) >= (uint64_t)m->vocab) {
            PyErr_SetString(PyExc_IndexError, "word id is not in the model's vocabulary");
            goto done;
        }
        float tail[MAX_ORDER + 1];
        tails(m, state, tail);
        PyList_SET_ITEM(lps, i, PyFloat_FromDouble((double)logprob(m, state, word, tail)));
        PyList_SET_ITEM(news, i, PyLong_FromUnsignedLongLong(((state << ID_BITS) | word) & m->state_mask));
    }
    result = PyTuple_Pack(2, lps, news);
done:
    Py_XDECREF(lps);
    Py_XDECREF(news);
    Py_DECREF(s);
    Py_DECREF(wd);
    return result;
}

/* score_into(states, words, logps, new_states): score() over arrays, written into the
 * caller's arrays (uint64, uint64, float64, uint64, all one length), without the GIL:
 * what posterior.swap_scores calls for every swap of a block at once. */
static int array_view(PyObject *obj, Py_buffer *view, const char *name, char kind, int writable) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=')
        f++;
    int ok = view->ndim == 1 && view->itemsize == 8 && f[0] != '\0' && f[1] == '\0'
             && (kind == 'd' ? f[0] == 'd' : strchr("LQK", f[0]) != NULL);
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "%s: not a one-dimensional native %s array", name,
                     kind == 'd' ? "float64" : "uint64");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *Model_score_into(Model *m, PyObject *args) {
    PyObject *objs[4];
    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3]))
        return NULL;
    static const char *names[4] = {"states", "words", "logps", "new_states"};
    static const char kinds[4] = {'u', 'u', 'd', 'u'};
    Py_buffer views[4];
    int taken = 0;
    PyObject *result = NULL;
    for (; taken < 4; taken++)
        if (array_view(objs[taken], &views[taken], names[taken], kinds[taken], taken >= 2) < 0)
            goto done;
    Py_ssize_t n = views[0].len / 8;
    for (int i = 1; i < 4; i++)
        if (views[i].len / 8 != n) {
            PyErr_SetString(PyExc_ValueError, "states, words, logps and new_states must have one length");
            goto done;
        }
    const uint64_t *states = views[0].buf, *words = views[1].buf;
    double *logps = views[2].buf;
    uint64_t *news = views[3].buf;
    for (Py_ssize_t i = 0; i < n; i++)
        if (words[i] >= (uint64_t)m->vocab || (states[i] & 0xFFFF) >= (uint64_t)m->vocab) {
            PyErr_SetString(PyExc_IndexError, "word id is not in the model's vocabulary");
            goto done;
        }
    Py_BEGIN_ALLOW_THREADS
    float tail[MAX_ORDER + 1];
    uint64_t last = ~(uint64_t)0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t state = states[i];
        if (state != last) {  /* rows of one position share a state: its tails once */
            tails(m, state, tail);
            last = state;
        }
        logps[i] = (double)logprob(m, state, words[i], tail);
        news[i] = ((state << ID_BITS) | words[i]) & m->state_mask;
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    for (int i = 0; i < taken; i++)
        PyBuffer_Release(&views[i]);
    return result;
}

static PyMethodDef Model_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))Model_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(lattices, costs, bos_id, eos_id, beam) -> best candidate index per position (as decode.decode)"},
    {"score", (PyCFunction)Model_score, METH_VARARGS,
     "score(states, words) -> (log-probabilities, new states), as NgramLM.score"},
    {"score_into", (PyCFunction)Model_score_into, METH_VARARGS,
     "score_into(states, words, logps, new_states): score over uint64 arrays into float64/uint64 arrays"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "vnrestore._native.Model",
    .tp_basicsize = sizeof(Model),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Model(unigram_logp, unigram_backoff, tables): an n-gram model over lm.HashedTable arrays; "
              "tables is a list, order 2 first, of (bits, bucket_bits, offsets, remainders, logp codes, "
              "logp book, backoff codes or None, backoff book or None)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Model_init,
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_methods = Model_methods,
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT, "vnrestore._native",
    "The beam decoder over format-2 n-gram tables, compiled (see decode.py for the pure path).", -1, NULL,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    if (PyType_Ready(&ModelType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&native_module);
    if (!module)
        return NULL;
    Py_INCREF(&ModelType);
    if (PyModule_AddObject(module, "Model", (PyObject *)&ModelType) < 0) {
        Py_DECREF(&ModelType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
