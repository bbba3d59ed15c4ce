/* The tokenizers of injector/scan.py, compiled.

   scan_fast(data: bytes) -> (regions, candidates) | None
   scan_exact(data: bytes) -> (regions, candidates)

   They return exactly what scan._scan_fast(data, data.lower()) and scan._scan_exact(data,
   data.lower(), False)[:2] return, step for step: the same searches in the same order, the same
   hand-over (None) wherever the fast Python code hands over to the exact tokenizer. The Python
   functions stay the reference; tests hold each pair equal on generated documents, the fixtures
   and the corpus. Bytes are only read, every read is checked against the length, and nothing is
   allocated per byte. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

typedef Py_ssize_t ssize;
typedef const unsigned char uchar;

static PyObject *K_COMMENT, *K_CDATA, *K_PHP, *K_ASP, *K_TPL, *K_SCRIPT, *K_RAW, *K_START, *K_END, *K_CONTROL;

enum token {
    T_NONE, T_COMMENT, T_CDATA, T_PHP, T_ASP, T_END_HEAD, T_END_BODY, T_HEAD, T_BODY, T_HTML, T_CONTROL, T_RAWTEXT
};

static const char *CONTROLS[] = {
    "buybutton", "skuselection", "skurichselection", "productname", "productimage", "buyinpage",
    "buytogether", "skujson", "closedorder", "searchresult", "searchnavigator",
    "singledepartmentnavigator", "searchtitle", "breadcrumb", "template", "metatags", NULL
};
static const char *RAWTEXT[] = {"script", "style", "textarea", "xmp", "iframe", "noembed", "noframes", NULL};

static inline unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* \w of a bytes pattern (ASCII letters, digits, "_"), and [\w:.-] */
static inline int word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
static inline int name_char(unsigned char c) { return word(c) || c == ':' || c == '.' || c == '-'; }

/* data[at:] starts with `lit` (already lowercase), compared case-insensitively */
static int starts_lower(uchar *s, ssize n, ssize at, const char *lit)
{
    ssize len = (ssize)strlen(lit);
    if (at < 0 || len > n - at)
        return 0;
    for (ssize i = 0; i < len; i++)
        if (lower(s[at + i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

static ssize find_char(uchar *s, ssize from, ssize to, unsigned char c)
{
    if (from < 0)
        from = 0;
    if (from >= to)
        return -1;
    uchar *hit = memchr(s + from, c, (size_t)(to - from));
    return hit ? hit - s : -1;
}

static ssize rfind_char(uchar *s, ssize to, unsigned char c)
{
    if (to <= 0)
        return -1;
    uchar *hit = memrchr(s, c, (size_t)to);
    return hit ? hit - s : -1;
}

static ssize find2(uchar *s, ssize n, ssize from, unsigned char a, unsigned char b)
{
    while (from >= 0 && from < n - 1) {
        ssize at = find_char(s, from, n - 1, a);
        if (at < 0)
            return -1;
        if (s[at + 1] == b)
            return at;
        from = at + 1;
    }
    return -1;
}

/* "< since the last >": data.find(b"<", data.rfind(b">", 0, at) + 1, at) >= 0 */
static int open_tag_before(uchar *s, ssize at)
{
    return find_char(s, rfind_char(s, at, '>') + 1, at, '<') >= 0;
}

/* data[at:] holds `lit` (lowercase), in any case: then `*after` is where it ends */
static int literal(uchar *s, ssize n, ssize at, const char *lit, ssize *after)
{
    if (!starts_lower(s, n, at, lit))
        return 0;
    *after = at + (ssize)strlen(lit);
    return 1;
}

/* vtex[\w.-]*:(?:CONTROLS)(?![\w:.-]) at p (just after "<") */
static int control(uchar *s, ssize n, ssize p, ssize *after)
{
    if (!starts_lower(s, n, p, "vtex"))
        return 0;
    ssize q = p + 4;
    while (q < n && (word(s[q]) || s[q] == '.' || s[q] == '-'))
        q++;
    if (q >= n || s[q] != ':')
        return 0;
    ssize start = ++q;
    while (q < n && name_char(s[q]))
        q++;
    for (int i = 0; CONTROLS[i]; i++)
        if ((ssize)strlen(CONTROLS[i]) == q - start && starts_lower(s, n, start, CONTROLS[i])) {
            *after = q;
            return 1;
        }
    return 0;
}

static enum token rawtext(uchar *s, ssize n, ssize p, ssize *after, int *raw)
{
    for (int i = 0; RAWTEXT[i]; i++)
        if (literal(s, n, p, RAWTEXT[i], after)) {
            *raw = i;
            return T_RAWTEXT;
        }
    return T_NONE;
}

/* _SIGNIFICANT matched at `at` (s[at] == '<'): the token and where it ends, or T_NONE. No two
   alternatives can match at the same place, so the byte after "<" picks the ones to try. */
static enum token significant_at(uchar *s, ssize n, ssize at, ssize *after, int *raw)
{
    ssize p = at + 1;
    if (p >= n)
        return T_NONE;
    switch (lower(s[p])) {
    case '!':
        return literal(s, n, p, "!--", after) ? T_COMMENT : literal(s, n, p, "![cdata[", after) ? T_CDATA : T_NONE;
    case '?':
        *after = p + 1;
        return T_PHP;
    case '%':
        *after = p + 1;
        return T_ASP;
    case '/':
        return literal(s, n, p, "/head", after) ? T_END_HEAD : literal(s, n, p, "/body", after) ? T_END_BODY : T_NONE;
    case 'h':
        return literal(s, n, p, "head", after) ? T_HEAD : literal(s, n, p, "html", after) ? T_HTML : T_NONE;
    case 'b':
        return literal(s, n, p, "body", after) ? T_BODY : T_NONE;
    case 'v':
        return control(s, n, p, after) ? T_CONTROL : T_NONE;
    case 's': case 't': case 'x': case 'i': case 'n':
        return rawtext(s, n, p, after, raw);
    default:
        return T_NONE;
    }
}

/* the next _SIGNIFICANT match at or after pos; its start, or n when there is none */
static ssize next_significant(uchar *s, ssize n, ssize pos, enum token *kind, ssize *after, int *raw)
{
    for (ssize at = find_char(s, pos, n, '<'); at >= 0; at = find_char(s, at + 1, n, '<')) {
        *kind = significant_at(s, n, at, after, raw);
        if (*kind != T_NONE)
            return at;
    }
    *kind = T_NONE;
    return n;
}

/* _TEMPLATE_OPEN ("{{" or "{%") at or after pos, or -1 */
static ssize next_template(uchar *s, ssize n, ssize pos)
{
    for (ssize at = find_char(s, pos, n, '{'); at >= 0 && at < n - 1; at = find_char(s, at + 1, n, '{'))
        if (s[at + 1] == '{' || s[at + 1] == '%')
            return at;
    return -1;
}

static ssize template_end(uchar *s, ssize n, ssize at)
{
    ssize end = at + 1 < n && s[at + 1] == '{' ? find2(s, n, at + 2, '}', '}') : find2(s, n, at + 2, '%', '}');
    return end < 0 ? n : end + 2;
}

/* _START_TAG.match(data, at).end(); s[at] == '<' and s[at + 1] is a letter */
static ssize start_tag_end(uchar *s, ssize n, ssize at)
{
    ssize p = at + 2;
    while (p < n && name_char(s[p]))
        p++;
    while (p < n) {
        unsigned char c = s[p];
        if (c == '>')
            break;
        if (c == '=') {
            ssize q = p + 1;
            while (q < n && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\f' || s[q] == '\r'))
                q++;
            if (q < n && (s[q] == '"' || s[q] == '\'')) {
                ssize close = find_char(s, q + 1, n, s[q]);
                p = close < 0 ? n : close + 1;
            } else {
                p++;
            }
        } else if (c == '<' && p + 1 < n && (s[p + 1] == '?' || s[p + 1] == '%')) {
            ssize close = find2(s, n, p + 2, s[p + 1], '>');
            p = close < 0 ? n : close + 2;
        } else if (c == '{' && p + 1 < n && (s[p + 1] == '{' || s[p + 1] == '%')) {
            ssize close = s[p + 1] == '{' ? find2(s, n, p + 2, '}', '}') : find2(s, n, p + 2, '%', '}');
            p = close < 0 ? n : close + 2;
        } else if (c == '<' || c == '{' || c == '"' || c == '\'') {
            p++;
        } else {
            while (p < n && s[p] != '>' && s[p] != '"' && s[p] != '\'' && s[p] != '<' && s[p] != '{' && s[p] != '=')
                p++;
        }
    }
    return p < n ? p + 1 : n;
}

/* _rawtext_end: after the first "</name" + [\s/>] (any case) from content_start, past its ">" */
static ssize rawtext_end(uchar *s, ssize n, ssize from, const char *name)
{
    ssize len = (ssize)strlen(name);
    for (ssize at = find2(s, n, from, '<', '/'); at >= 0; at = find2(s, n, at + 1, '<', '/')) {
        ssize next = at + 2 + len;
        if (next < n && starts_lower(s, n, at + 2, name)) {
            unsigned char c = s[next];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '/' || c == '>') {
                ssize gt = find_char(s, at, n, '>');
                return gt < 0 ? n : gt + 1;
            }
        }
    }
    return n;
}

static ssize comment_end(uchar *s, ssize n, ssize at)
{
    if (at + 4 < n && s[at + 4] == '>')
        return at + 5;
    if (at + 5 < n && s[at + 4] == '-' && s[at + 5] == '>')
        return at + 6;
    for (ssize p = find2(s, n, at + 4, '-', '-'); p >= 0; p = find2(s, n, p + 1, '-', '-')) {
        if (p + 2 < n && s[p + 2] == '>')
            return p + 3;
        if (p + 3 < n && s[p + 2] == '!' && s[p + 3] == '>')
            return p + 4;
    }
    return n;
}

static ssize close_after(uchar *s, ssize n, ssize from, const char *close)
{
    ssize len = (ssize)strlen(close);
    for (ssize at = find_char(s, from, n, (unsigned char)close[0]); at >= 0; at = find_char(s, at + 1, n, (unsigned char)close[0]))
        if (len <= n - at && memcmp(s + at, close, (size_t)len) == 0)
            return at + len;
    return n;
}

/* _QUOTED_ANGLE.search(data, pos, endpos) found something */
static int quoted_angle(uchar *s, ssize pos, ssize endpos)
{
    for (ssize p = find_char(s, pos, endpos, '='); p >= 0; p = find_char(s, p + 1, endpos, '=')) {
        ssize q = p + 1;
        while (q < endpos && (s[q] == ' ' || s[q] == '\t' || s[q] == '\n' || s[q] == '\f' || s[q] == '\r'))
            q++;
        if (q >= endpos || (s[q] != '"' && s[q] != '\''))
            continue;
        unsigned char quote = s[q];
        for (ssize r = q + 1; r < endpos; r++) {
            if (s[r] == '<' || s[r] == '>')
                return 1;
            if (s[r] == quote)
                break;
        }
    }
    return 0;
}

struct region { ssize start, end; int tpl; };
struct regions { struct region *items; ssize count, size; };

static int keep(struct regions *all, ssize start, ssize end, int tpl)
{
    if (all->count == all->size) {
        ssize size = all->size ? all->size * 2 : 64;
        struct region *items = PyMem_Realloc(all->items, (size_t)size * sizeof *items);
        if (!items) {
            PyErr_NoMemory();
            return -1;
        }
        all->items = items;
        all->size = size;
    }
    all->items[all->count++] = (struct region){start, end, tpl};
    return 0;
}

static int append(PyObject *list, PyObject *item)
{
    if (!item)
        return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* 1: found, 0: hand over (None), -1: Python error */
static int scan(uchar *s, ssize n, PyObject *regions, PyObject *candidates)
{
    struct regions kept = {NULL, 0, 0};
    int result = -1;
    ssize pos = 0, tpl = next_template(s, n, 0);
    ssize cached_at = -1, cached_after = 0;
    enum token cached_kind = T_NONE;
    int cached_raw = 0;
    for (;;) {
        if (cached_at < pos) {
            cached_at = next_significant(s, n, pos, &cached_kind, &cached_after, &cached_raw);
        }
        ssize at = cached_at, after = cached_after;
        enum token kind = cached_kind;
        if (tpl >= 0 && tpl < at) {
            ssize end = template_end(s, n, tpl);
            int in_tag = open_tag_before(s, tpl);
            if (in_tag && (find_char(s, tpl, end, '<') >= 0 || find_char(s, tpl, end, '>') >= 0)) {
                result = 0;
                goto done;
            }
            if (keep(&kept, tpl, end, 1) || append(regions, Py_BuildValue("(nnO)", tpl, end, K_TPL)))
                goto done;
            pos = end;
            tpl = next_template(s, n, pos);
            continue;
        }
        if (kind == T_NONE)
            break;
        PyObject *label = NULL;
        int candidate = 0;
        unsigned char next = after < n ? s[after] : 0;
        switch (kind) {
        case T_COMMENT: label = K_COMMENT; break;
        case T_CDATA:
            if (memcmp(s + at, "<![CDATA[", 9) != 0) {  /* case matters here */
                pos = after;
                continue;
            }
            label = K_CDATA;
            break;
        case T_PHP: label = K_PHP; break;
        case T_ASP: label = K_ASP; break;
        case T_CONTROL: label = K_CONTROL; candidate = 1; break;
        case T_END_HEAD: case T_END_BODY:
            if (after < n && !(next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == '\f'
                               || next == '\v' || next == '/' || next == '>')) {
                pos = after;
                continue;
            }
            label = K_END;
            candidate = 1;
            break;
        default:
            if (after < n && name_char(next)) {
                pos = after;  /* <header>, <scripts>: an ordinary tag */
                continue;
            }
            if (kind == T_HEAD || kind == T_BODY || kind == T_HTML) {
                label = K_START;
                candidate = 1;
            } else {
                label = cached_raw == 0 ? K_SCRIPT : K_RAW;
            }
        }
        if (open_tag_before(s, at)) {
            result = 0;
            goto done;
        }
        if (candidate) {
            ssize skip = kind == T_END_HEAD || kind == T_END_BODY ? 2 : 1;
            PyObject *name = PyBytes_FromStringAndSize((const char *)s + at + skip, after - at - skip);
            if (append(candidates, name ? Py_BuildValue("(OnN)", label, at, name) : NULL))
                goto done;
            pos = after;
        } else {
            ssize end;
            if (kind == T_COMMENT)
                end = comment_end(s, n, at);
            else if (kind == T_RAWTEXT)
                end = rawtext_end(s, n, start_tag_end(s, n, at), RAWTEXT[cached_raw]);
            else
                end = close_after(s, n, after, kind == T_CDATA ? "]]>" : kind == T_PHP ? "?>" : "%>");
            if (keep(&kept, at, end, 0) || append(regions, Py_BuildValue("(nnO)", at, end, label)))
                goto done;
            pos = end;
        }
        if (tpl >= 0 && tpl < pos)
            tpl = next_template(s, n, pos);
    }
    /* _quoted_angles_in_regions: only between the regions that are not template tokens */
    pos = 0;
    for (ssize i = 0; i < kept.count; i++) {
        struct region *r = &kept.items[i];
        if (r->tpl)
            continue;
        if (r->start > pos && quoted_angle(s, pos, r->start + 1)) {
            result = 0;
            goto done;
        }
        pos = r->end;
    }
    result = quoted_angle(s, pos, n) ? 0 : 1;
done:
    PyMem_Free(kept.items);
    return result;
}

/* Run a tokenizer (1: found, 0: hand over, -1: Python error) over a bytes-like object:
   (regions, candidates), None, or NULL with the error set. */
static PyObject *tokenize(PyObject *arg, int (*run)(uchar *, ssize, PyObject *, PyObject *))
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *regions = PyList_New(0), *candidates = PyList_New(0), *answer = NULL;
    if (regions && candidates) {
        int found = run((uchar *)view.buf, view.len, regions, candidates);
        if (found == 1)
            answer = PyTuple_Pack(2, regions, candidates);
        else if (found == 0)
            answer = Py_NewRef(Py_None);
    }
    Py_XDECREF(regions);
    Py_XDECREF(candidates);
    PyBuffer_Release(&view);
    return answer;
}

static PyObject *scan_fast(PyObject *module, PyObject *arg)
{
    (void)module;
    return tokenize(arg, scan);
}

/* ---- The exact tokenizer (scan._scan_exact without tag names): every tag walked. ---- */

enum exact { X_NONE, X_COMMENT, X_CDATA, X_PHP, X_ASP, X_PLAIN, X_END, X_START, X_RAW, X_CONTROL };

static int end_stop(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '/' || c == '>';
}

static int letter(unsigned char c) { c = lower(c); return c >= 'a' && c <= 'z'; }

static ssize past_gt(uchar *s, ssize n, ssize from)
{
    ssize gt = find_char(s, from, n, '>');
    return gt < 0 ? n : gt + 1;
}

/* head|body|html|RAWTEXT|CONTROL followed by no [\w:.-], at p (just after "<"); its length */
static enum exact start_name(uchar *s, ssize n, ssize p, ssize *len, int *raw)
{
    static const char *pages[] = {"head", "body", "html", NULL};
    for (int i = 0; pages[i]; i++) {
        ssize l = (ssize)strlen(pages[i]);
        if (starts_lower(s, n, p, pages[i]) && (p + l >= n || !name_char(s[p + l]))) {
            *len = l;
            return X_START;
        }
    }
    for (int i = 0; RAWTEXT[i]; i++) {
        ssize l = (ssize)strlen(RAWTEXT[i]);
        if (starts_lower(s, n, p, RAWTEXT[i]) && (p + l >= n || !name_char(s[p + l]))) {
            *len = l;
            *raw = i;
            return X_RAW;
        }
    }
    ssize after;
    if (control(s, n, p, &after)) {
        *len = after - p;
        return X_CONTROL;
    }
    return X_NONE;
}

/* The _EXACT alternative matching at `at` (s[at] == '<'), and where the match ends */
static enum exact exact_at(uchar *s, ssize n, ssize at, ssize *end, ssize *len, int *raw)
{
    ssize p = at + 1;
    if (p >= n)
        return X_NONE;
    unsigned char c = lower(s[p]);
    if (c == '!') {
        if (starts_lower(s, n, p, "!--")) {
            *end = comment_end(s, n, at);
            return X_COMMENT;
        }
        if (starts_lower(s, n, p, "![cdata[")) {
            *end = close_after(s, n, at + 9, "]]>");
            return X_CDATA;
        }
        *end = past_gt(s, n, at + 2);  /* <![^>]*+>? */
        return X_PLAIN;
    }
    if (c == '?' || c == '%') {
        ssize close = find2(s, n, at + 2, c, '>');
        *end = close < 0 ? n : close + 2;
        return c == '?' ? X_PHP : X_ASP;
    }
    if (c == '/') {
        ssize q = at + 2;
        if (q < n && letter(s[q]) && (starts_lower(s, n, q, "head") || starts_lower(s, n, q, "body"))
            && (q + 4 >= n || end_stop(s[q + 4]))) {
            *end = past_gt(s, n, q + 4);
            return X_END;
        }
        *end = past_gt(s, n, q);  /* </(?![a-z])[^>]*+>? and </[a-z][^>]*+>? */
        return X_PLAIN;
    }
    if (c >= 'a' && c <= 'z') {
        enum exact kind = start_name(s, n, p, len, raw);
        *end = start_tag_end(s, n, at);
        return kind == X_NONE ? X_PLAIN : kind;
    }
    return X_NONE;
}

/* 1 done (the exact walk always finds), -1 Python error */
static int walk(uchar *s, ssize n, PyObject *regions, PyObject *candidates)
{
    ssize pos = 0, tpl = next_template(s, n, 0);
    while (pos < n) {
        ssize resume = -1, from = pos, at;
        while ((at = find_char(s, from, n, '<')) >= 0) {
            ssize end = 0, len = 0;
            int raw = 0;
            enum exact kind = exact_at(s, n, at, &end, &len, &raw);
            if (kind == X_NONE) {
                from = at + 1;
                continue;
            }
            if (kind == X_PLAIN && tpl < 0) {  /* an ordinary tag: most tokens */
                from = end;
                continue;
            }
            if (tpl >= 0 && tpl < at) {  /* a template token in text comes first */
                resume = template_end(s, n, tpl);
                if (append(regions, Py_BuildValue("(nnO)", tpl, resume, K_TPL)))
                    return -1;
                tpl = next_template(s, n, resume);
                break;
            }
            PyObject *item = NULL;
            switch (kind) {
            case X_START: case X_CONTROL:
                item = Py_BuildValue("(Ony#)", kind == X_START ? K_START : K_CONTROL, at, s + at + 1, len);
                break;
            case X_RAW:
                resume = rawtext_end(s, n, end, RAWTEXT[raw]);
                item = Py_BuildValue("(nnO)", at, resume, raw == 0 ? K_SCRIPT : K_RAW);
                break;
            case X_END:
                item = Py_BuildValue("(Ony#)", K_END, at, s + at + 2, (ssize)4);
                break;
            case X_CDATA:
                if (memcmp(s + at, "<![CDATA[", 9) != 0) {  /* lowercase "cdata" is just a declaration */
                    resume = past_gt(s, n, at + 2);
                    break;
                }
                item = Py_BuildValue("(nnO)", at, end, K_CDATA);
                break;
            case X_COMMENT: case X_PHP: case X_ASP:
                item = Py_BuildValue("(nnO)", at, end, kind == X_COMMENT ? K_COMMENT : kind == X_PHP ? K_PHP : K_ASP);
                break;
            default:
                break;
            }
            if (item && append(kind == X_START || kind == X_CONTROL || kind == X_END ? candidates : regions, item))
                return -1;
            if (PyErr_Occurred())
                return -1;
            ssize stop = resume >= 0 ? resume : end;
            if (tpl >= 0 && tpl < stop)
                tpl = next_template(s, n, stop);
            if (resume >= 0)
                break;
            from = end;
        }
        if (resume < 0)
            break;  /* no token left */
        pos = resume;
    }
    return 1;
}

static PyObject *scan_exact(PyObject *module, PyObject *arg)
{
    (void)module;
    return tokenize(arg, walk);
}

static PyMethodDef methods[] = {
    {"scan_fast", scan_fast, METH_O, "(regions, candidates) of a template's bytes, or None: see injector/scan.py"},
    {"scan_exact", scan_exact, METH_O, "(regions, candidates) of a template's bytes, every tag walked: see injector/scan.py"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT, "injector._fastscan", "The fast template tokenizer, compiled (see injector/scan.py).",
    -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__fastscan(void)
{
    struct { PyObject **slot; const char *text; } kinds[] = {
        {&K_COMMENT, "comment"}, {&K_CDATA, "cdata"}, {&K_PHP, "php"}, {&K_ASP, "asp"}, {&K_TPL, "tpl"},
        {&K_SCRIPT, "script"}, {&K_RAW, "raw"}, {&K_START, "start"}, {&K_END, "end"}, {&K_CONTROL, "control"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!(*kinds[i].slot = PyUnicode_InternFromString(kinds[i].text)))
            return NULL;
    return PyModule_Create(&definition);
}
