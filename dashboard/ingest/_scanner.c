/* dashboard.ingest._scanner: one pass over a chunk of CLF-family access log lines.
 *
 * For each line it decides whether the line has the exact shape of one of Data Bloom's CLF regexes
 *   [vhost_combined: ^(\S+):(\d+|-) ]
 *   (\S+) (\S+) (\S+) \[([^\]]*)\] "(Q)" (\d{3}) (\d+|-)                       <- common ends here ($)
 *   "(Q)" "(Q)"  then: (?: .*)?$ (combined) | $ | ( \d+|-)$ (%D) | ( \d+(?:\.\d+)?|-)$ (%T)
 * with Q = (?:[^"\\]|\\.)* and a timestamp in the strict `dd/Mon/yyyy:HH:MM:SS +hhmm` form. It only ever
 * says "yes, and these are the fields" or "not sure": every line it is not sure about (escaped quotes in the
 * request, non-ASCII in the request or first fields, odd timestamps, numbers too long to be exact, ...) is
 * left to the polars regex path, which decides it as before. So it needs to agree with the regex only on the
 * lines it accepts, where every choice of the regex is forced.
 *
 * Outputs per line: ok flag, time (µs since the epoch, UTC), status, bytes, port and response time (with
 * validity flags: "-" is null), and for the string fields an Arrow "string view" (16 bytes: length, then
 * the string inline if <= 12 bytes, else a 4-byte prefix, buffer index 0 and offset into `data`). The views
 * point into `data`, so no string is copied here. The GIL is released during the scan, so chunks scan in
 * parallel on the parser's threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum { F_IP, F_IDENT, F_USER, F_METHOD, F_PATH, F_QUERY, F_PROTOCOL, F_REFERRER, F_AGENT, F_VHOST, N_FIELDS };

/* What follows the user agent's closing quote. */
enum { TAIL_ANY, TAIL_END, TAIL_MICROS, TAIL_SECONDS };

typedef struct {
    int vhost;         /* "%v:%p " before the client address */
    int agent;         /* "referrer" "user agent" after the bytes (else the line ends there) */
    int tail;          /* TAIL_* */
} Layout;

typedef struct { /* one line's numbers */
    int64_t time, nbytes;
    int16_t status;
    int32_t port;
    double seconds;
    uint8_t has_port, has_seconds;
} Numbers;

typedef struct {
    const uint8_t *data;
    int64_t n;
    uint8_t *views; /* N_FIELDS blocks of n * 16 bytes */
} Out;

static void put_view(const Out *o, int field, int64_t row, int64_t start, int64_t len) {
    uint8_t *v = o->views + ((int64_t)field * o->n + row) * 16;
    int32_t len32 = (int32_t)len;
    memset(v, 0, 16);
    memcpy(v, &len32, 4);
    if (len <= 12) {
        memcpy(v + 4, o->data + start, (size_t)len);
    } else {
        int32_t buffer_index = 0, offset = (int32_t)start;
        memcpy(v + 4, o->data + start, 4);
        memcpy(v + 8, &buffer_index, 4);
        memcpy(v + 12, &offset, 4);
    }
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* A byte of an unquoted \S+ field that needs no second opinion: printable ASCII other than space. */
static int is_plain(uint8_t c) { return c > 0x20 && c < 0x7f; }

static int two_digits(const uint8_t *p, int *out) {
    if (!is_digit(p[0]) || !is_digit(p[1])) return 0;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

static const char MONTHS[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int64_t days_from_civil(int64_t y, int m, int d) { /* H. Hinnant's algorithm, proleptic Gregorian */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return DAYS[m - 1] + (m == 2 && leap);
}

/* `dd/Mon/yyyy:HH:MM:SS +hhmm` (exactly 26 bytes) → µs since the epoch, UTC. 0 when not that form. */
static int clf_time(const uint8_t *p, int64_t *out) {
    int day, hh, mm, ss, c1, c2, oh, om, month = 0;
    if (p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' || p[20] != ' ') return 0;
    if (!two_digits(p, &day) || !two_digits(p + 12, &hh) || !two_digits(p + 15, &mm) || !two_digits(p + 18, &ss))
        return 0;
    if (!two_digits(p + 7, &c1) || !two_digits(p + 9, &c2)) return 0;
    for (int i = 0; i < 12; i++) {
        if (memcmp(p + 3, MONTHS + 3 * i, 3) == 0) month = i + 1;
    }
    if (p[21] != '+' && p[21] != '-') return 0;
    if (!two_digits(p + 22, &oh) || !two_digits(p + 24, &om)) return 0;
    int year = c1 * 100 + c2;
    if (!month || year < 1900 || day < 1 || day > days_in_month(year, month)) return 0;
    if (hh > 23 || mm > 59 || ss > 59 || oh > 23 || om > 59) return 0;
    int64_t offset = (int64_t)(oh * 60 + om) * 60 * (p[21] == '-' ? -1 : 1);
    int64_t seconds = days_from_civil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss - offset;
    *out = seconds * 1000000;
    return 1;
}

/* Whether any byte in [p, e) is >= 0x80, 8 bytes at a time. */
static int has_high(const uint8_t *p, const uint8_t *e) {
    uint64_t any = 0, w;
    for (; p + 8 <= e; p += 8) any |= (memcpy(&w, p, 8), w);
    for (; p < e; p++) any |= *p;
    return (any & 0x8080808080808080ULL) != 0;
}

/* End of a quoted field whose opening quote is at `p`: the closing quote's position, or -1. memchr finds the
 * next quote and then whether a backslash comes before it (a third of the scan's time went to a byte loop). */
static int64_t quoted_end(const uint8_t *d, int64_t p, int64_t end, int *escaped) {
    int64_t i = p + 1;
    while (i < end) {
        const uint8_t *quote = memchr(d + i, '"', (size_t)(end - i));
        int64_t q = quote ? quote - d : end;
        const uint8_t *slash = memchr(d + i, '\\', (size_t)(q - i));
        if (slash == NULL) return quote ? q : -1;
        *escaped = 1;
        i = (slash - d) + 2; /* the escaped character, whatever it is */
    }
    return -1;
}

/* The request line, split the way parse._split_request splits it. 0 when it must go to the regex path. */
static int split_request(const Out *o, int64_t row, int64_t s, int64_t e) {
    const uint8_t *d = o->data;
    if (has_high(d + s, d + e)) return 0; /* Unicode digits after HTTP/: leave to the regex */
    const uint8_t *space = memchr(d + s, ' ', (size_t)(e - s));
    int64_t sp = space ? space - d : e;
    int has_method = sp < e && sp > s && ((d[s] | 0x20) >= 'a' && (d[s] | 0x20) <= 'z');
    for (int64_t i = s + 1; has_method && i < sp; i++) {
        uint8_t c = d[i];
        if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || is_digit(c) || c == '_' || c == '-')) has_method = 0;
    }
    int64_t ts = s, te = e, ps = e, pe = e; /* target and protocol */
    if (has_method) {
        put_view(o, F_METHOD, row, s, sp - s);
        ts = sp + 1;
        int64_t last = e - 1;
        while (last >= ts && d[last] != ' ') last--;
        if (last >= ts) { /* " HTTP/<digits>[.<digits>]" at the end */
            int64_t q = last + 1;
            int good = e - q > 5 && memcmp(d + q, "HTTP/", 5) == 0;
            int64_t i = q + 5;
            int64_t digits = 0;
            while (good && i < e && is_digit(d[i])) i++, digits++;
            if (good && digits && i < e && d[i] == '.') {
                int64_t minor = 0;
                i++;
                while (i < e && is_digit(d[i])) i++, minor++;
                good = minor > 0;
            }
            if (good && digits && i == e) {
                ps = q;
                te = last;
            }
        }
    } else {
        put_view(o, F_METHOD, row, s, 0);
        if (e - s == 1 && d[s] == '-') te = s; /* "-": no request at all */
    }
    put_view(o, F_PROTOCOL, row, ps, pe - ps);
    const uint8_t *mark = te > ts ? memchr(d + ts, '?', (size_t)(te - ts)) : NULL;
    int64_t qm = mark ? mark - d : te;
    put_view(o, F_PATH, row, ts, qm - ts);
    put_view(o, F_QUERY, row, qm < te ? qm + 1 : te, qm < te ? te - qm - 1 : 0);
    return 1;
}

/* ASCII digits at p and their count; the value only while the count is at most `max_digits` (the scan stops
 * one digit past it, so a caller sees count > max_digits and refuses the line, and nothing overflows). */
static int64_t digits_at(const uint8_t *d, int64_t *p, int64_t e, int max_digits, int *count) {
    int64_t value = 0;
    *count = 0;
    while (*p < e && is_digit(d[*p]) && *count <= max_digits) {
        if (*count < max_digits) value = value * 10 + (d[*p] - '0');
        (*p)++;
        (*count)++;
    }
    return value;
}

/* " <number>" or " -" up to the end of the line: %D (µs, integer) or %T (seconds, decimals allowed). Exact only:
 * at most 15 significant digits, so the integer and the power of ten are exact doubles and one IEEE division
 * rounds correctly, as polars' string → float cast does. */
static int response_time(const uint8_t *d, int64_t p, int64_t e, int decimals, Numbers *out) {
    if (e - p < 2 || d[p] != ' ') return 0;
    p++;
    if (e - p == 1 && d[p] == '-') {
        out->has_seconds = 0;
        return 1;
    }
    int n = 0, m = 0;
    int64_t value = digits_at(d, &p, e, 15, &n);
    if (!n || n > 15) return 0;
    double scale = 1.0;
    if (decimals && p < e && d[p] == '.') {
        p++;
        int64_t fraction = digits_at(d, &p, e, 15 - n, &m);
        if (!m || n + m > 15) return 0;
        for (int k = 0; k < m; k++) value *= 10, scale *= 10;
        value += fraction;
    }
    if (p != e) return 0;
    out->seconds = decimals ? (double)value / scale : (double)value * 1e-6;
    out->has_seconds = 1;
    return 1;
}

static int scan_line(const Out *o, const Layout *layout, int64_t row, int64_t s, int64_t e, Numbers *num) {
    const uint8_t *d = o->data;
    int64_t p = s, f[3][2], vhost_end = s;
    if (layout->vhost) { /* (\S+):(\d+|-) and a space: the port starts after the token's last colon */
        int64_t colon = -1;
        while (p < e && is_plain(d[p])) {
            if (d[p] == ':') colon = p;
            p++;
        }
        if (p >= e || d[p] != ' ' || colon <= s || colon + 1 == p) return 0;
        vhost_end = colon;
        if (p - colon == 2 && d[colon + 1] == '-') {
            num->has_port = 0;
        } else {
            int64_t q = colon + 1;
            int n;
            int64_t port = digits_at(d, &q, p, 9, &n);
            if (q != p || n > 9) return 0; /* a non-digit, or too long for an exact Int32 */
            num->port = (int32_t)port;
            num->has_port = 1;
        }
        p++;
    }
    for (int k = 0; k < 3; k++) { /* ip, ident, user */
        int64_t start = p;
        while (p < e && is_plain(d[p])) p++;
        if (p == start || p >= e || d[p] != ' ') return 0;
        f[k][0] = start;
        f[k][1] = p - start;
        p++;
    }
    if (e - p < 29 || d[p] != '[' || d[p + 27] != ']' || d[p + 28] != ' ') return 0;
    if (!clf_time(d + p + 1, &num->time)) return 0;
    p += 29;
    if (p >= e || d[p] != '"') return 0;
    int escaped = 0;
    int64_t q = quoted_end(d, p, e, &escaped);
    if (q < 0 || escaped) return 0; /* `\"` in a request: the regex path unescapes before splitting */
    int64_t rs = p + 1, re = q;
    p = q + 1;
    if (e - p < 6 || d[p] != ' ' || !is_digit(d[p + 1]) || !is_digit(d[p + 2]) || !is_digit(d[p + 3]) ||
        d[p + 4] != ' ')
        return 0;
    num->status = (int16_t)((d[p + 1] - '0') * 100 + (d[p + 2] - '0') * 10 + (d[p + 3] - '0'));
    p += 5;
    num->nbytes = 0;
    if (d[p] == '-') {
        p++;
    } else {
        int n;
        num->nbytes = digits_at(d, &p, e, 18, &n);
        if (!n || n > 18) return 0;
    }
    int64_t r0 = 0, r1 = 0, a0 = 0, a1 = 0;
    if (!layout->agent) {
        if (p != e) return 0;
    } else {
        if (e - p < 2 || d[p] != ' ' || d[p + 1] != '"') return 0;
        r0 = p + 1;
        r1 = quoted_end(d, r0, e, &escaped);
        if (r1 < 0 || e - r1 < 3 || d[r1 + 1] != ' ' || d[r1 + 2] != '"') return 0;
        a0 = r1 + 2;
        a1 = quoted_end(d, a0, e, &escaped);
        if (a1 < 0) return 0;
        p = a1 + 1;
        if (layout->tail == TAIL_ANY && p < e && d[p] != ' ') return 0;
        if (layout->tail == TAIL_END && p != e) return 0;
        if (layout->tail == TAIL_MICROS && !response_time(d, p, e, 0, num)) return 0;
        if (layout->tail == TAIL_SECONDS && !response_time(d, p, e, 1, num)) return 0;
    }
    if (!split_request(o, row, rs, re)) return 0;
    put_view(o, F_IP, row, f[0][0], f[0][1]);
    put_view(o, F_IDENT, row, f[1][0], f[1][1]);
    put_view(o, F_USER, row, f[2][0], f[2][1]);
    if (layout->agent) {
        put_view(o, F_REFERRER, row, r0 + 1, r1 - r0 - 1);
        put_view(o, F_AGENT, row, a0 + 1, a1 - a0 - 1);
    }
    put_view(o, F_VHOST, row, s, vhost_end - s);
    return 1;
}

static PyObject *scan_lines(PyObject *self, PyObject *args) {
    (void)self;
    Layout layout;
    Py_buffer data, offsets, ok, times, status, nbytes, port, has_port, seconds, has_seconds, views;
    if (!PyArg_ParseTuple(args, "y*y*(iii)w*w*w*w*w*w*w*w*w*", &data, &offsets, &layout.vhost, &layout.agent,
                          &layout.tail, &ok, &times, &status, &nbytes, &port, &has_port, &seconds, &has_seconds,
                          &views))
        return NULL;
    int64_t n = offsets.len / 8 - 1;
    PyObject *result = NULL;
    if (n < 0 || ok.len < n || times.len < n * 8 || status.len < n * 2 || nbytes.len < n * 8 || port.len < n * 4 ||
        has_port.len < n || seconds.len < n * 8 || has_seconds.len < n || views.len < n * 16 * N_FIELDS ||
        data.len > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "scan_lines: buffer sizes do not match the line count");
        goto done;
    }
    if (layout.tail < TAIL_ANY || layout.tail > TAIL_SECONDS) {
        PyErr_SetString(PyExc_ValueError, "scan_lines: unknown tail");
        goto done;
    }
    const int64_t *off = (const int64_t *)offsets.buf;
    Out o = {(const uint8_t *)data.buf, n, (uint8_t *)views.buf};
    uint8_t *okp = (uint8_t *)ok.buf;
    int64_t accepted = 0;
    memset(views.buf, 0, (size_t)(n * 16 * N_FIELDS));
    Py_BEGIN_ALLOW_THREADS;
    for (int64_t i = 0; i < n; i++) {
        int64_t s = off[i], e = off[i + 1];
        Numbers num = {0, 0, 0, 0, 0.0, 0, 0};
        okp[i] = 0;
        if (s < 0 || e < s || e > data.len) continue; /* offsets that do not fit the buffer: nothing to read */
        while (e > s && (o.data[e - 1] == '\n' || o.data[e - 1] == '\r')) e--;
        if (!scan_line(&o, &layout, i, s, e, &num)) continue;
        okp[i] = 1;
        accepted++;
        ((int64_t *)times.buf)[i] = num.time;
        ((int16_t *)status.buf)[i] = num.status;
        ((int64_t *)nbytes.buf)[i] = num.nbytes;
        ((int32_t *)port.buf)[i] = num.port;
        ((uint8_t *)has_port.buf)[i] = num.has_port;
        ((double *)seconds.buf)[i] = num.seconds;
        ((uint8_t *)has_seconds.buf)[i] = num.has_seconds;
    }
    Py_END_ALLOW_THREADS;
    result = PyLong_FromLongLong(accepted);
done:
    PyBuffer_Release(&data);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&ok);
    PyBuffer_Release(&times);
    PyBuffer_Release(&status);
    PyBuffer_Release(&nbytes);
    PyBuffer_Release(&port);
    PyBuffer_Release(&has_port);
    PyBuffer_Release(&seconds);
    PyBuffer_Release(&has_seconds);
    PyBuffer_Release(&views);
    return result;
}

/* split_lines: Arrow offsets of the lines (each keeps its '\n'), indexes of those with a byte >= 0x80 */
static PyObject *split_lines(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer data; int last;
    if (!PyArg_ParseTuple(args, "y*p", &data, &last)) return NULL;
    const uint8_t *d = (const uint8_t *)data.buf, *end = d + data.len, *p = d;
    int64_t newlines = 0, n_high = 0;
    for (const uint8_t *q = d; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) newlines++;
    const int64_t count = newlines + (last ? 1 : 0);
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((count + 1) * 8));
    PyObject *high = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(count * 8)), *result = NULL;
    if (offsets != NULL && high != NULL) {
        int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets), *hi = (int64_t *)PyBytes_AS_STRING(high);
        Py_BEGIN_ALLOW_THREADS;
        off[0] = 0;
        for (int64_t i = 0; i < count; i++) {
            const uint8_t *nl = i < newlines ? (const uint8_t *)memchr(p, '\n', (size_t)(end - p)) + 1 : end;
            if (has_high(p, nl)) hi[n_high++] = i;
            off[i + 1] = (int64_t)((p = nl) - d);
        }
        Py_END_ALLOW_THREADS;
        if (_PyBytes_Resize(&high, (Py_ssize_t)(n_high * 8)) == 0) result = PyTuple_Pack(2, offsets, high);
    }
    Py_XDECREF(offsets); Py_XDECREF(high);
    PyBuffer_Release(&data);
    return result; /* NULL with the error set when an allocation failed */
}

static PyMethodDef METHODS[] = {
    {"split_lines", split_lines, METH_VARARGS, "split_lines(data, last_unterminated) -> (offsets, high)"},
    {"scan_lines", scan_lines, METH_VARARGS,
     "scan_lines(data, offsets, (vhost, agent, tail), ok, times, status, nbytes, port, has_port, seconds, "
     "has_seconds, views) -> lines accepted"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "dashboard.ingest._scanner", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__scanner(void) { return PyModule_Create(&MODULE); }
