/* A template's read and its safe replacement, each in one call that lets go of the interpreter
   lock once, for injector/files.py.

   read(path, max_bytes) -> (data | None, signature)
       open, fstat, read to the end (even if the file grew since the fstat), close. data is None,
       and nothing is read, when the file is larger than max_bytes.
   replace(path, temp, data, signature) -> 0 | CHANGED | TEMP_TAKEN
       lstat path; unless its signature is still the one given (CHANGED, nothing written), create
       temp (O_EXCL: TEMP_TAKEN if the name is in use), write data, give it path's permission bits
       and owner (where allowed), fdatasync, close, rename over path. On an error the temp file is
       removed and OSError raised, naming the template.

   A signature is (st_ino, st_size, st_mtime_ns, st_mode), as files._signature makes it from
   os.stat. Both do what files.read and files.write_atomic do in Python, where each of those system
   calls lets go of the lock and must take it back: with a dozen writer threads that hand-over,
   not the calls, is what a small file's write costs. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { REPLACED = 0, CHANGED = 1, TEMP_TAKEN = 2 }; /* returned negated by the C helpers below */

static long long mtime_ns(const struct stat *st)
{
    return (long long)st->st_mtim.tv_sec * 1000000000LL + (long long)st->st_mtim.tv_nsec;
}

static PyObject *signature(const struct stat *st)
{
    return Py_BuildValue("(KLLl)", (unsigned long long)st->st_ino, (long long)st->st_size, mtime_ns(st),
                         (long)st->st_mode);
}

/* Reads the whole file into *buffer (malloc'd, to be freed by the caller); no Python here, so it
   runs without the interpreter lock. Returns 0 or an errno value; *too_large when nothing was read
   because the file is larger than max_bytes. */
static int read_whole(const char *path, Py_ssize_t max_bytes, struct stat *st, char **buffer, size_t *length,
                      int *too_large)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), error = 0;
    if (fd < 0)
        return errno;
    if (fstat(fd, st) < 0) {
        error = errno;
    } else if (st->st_size > max_bytes) {
        *too_large = 1;
    } else {
        size_t room = (size_t)st->st_size + 1; /* one byte more: a read that fills it means the file grew */
        *buffer = malloc(room);
        error = *buffer == NULL ? ENOMEM : 0;
        while (!error) {
            if (*length == room) {
                size_t more = room < 65536 ? 65536 : room;
                char *grown = realloc(*buffer, room + more);
                if (grown == NULL) {
                    error = ENOMEM;
                    break;
                }
                *buffer = grown;
                room += more;
            }
            ssize_t got = read(fd, *buffer + *length, room - *length);
            if (got == 0)
                break;
            if (got > 0)
                *length += (size_t)got;
            else if (errno != EINTR)
                error = errno;
        }
    }
    close(fd);
    return error;
}

static PyObject *fastio_read(PyObject *self, PyObject *args)
{
    PyObject *path_arg, *path_bytes = NULL, *result = NULL;
    Py_ssize_t max_bytes;
    if (!PyArg_ParseTuple(args, "On", &path_arg, &max_bytes) || !PyUnicode_FSConverter(path_arg, &path_bytes))
        return NULL;
    struct stat st;
    char *buffer = NULL;
    size_t length = 0;
    int error, too_large = 0;
    Py_BEGIN_ALLOW_THREADS
    error = read_whole(PyBytes_AS_STRING(path_bytes), max_bytes, &st, &buffer, &length, &too_large);
    Py_END_ALLOW_THREADS
    if (error == ENOMEM) {
        PyErr_NoMemory();
    } else if (error) {
        errno = error;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_arg);
    } else if (too_large) {
        result = Py_BuildValue("(ON)", Py_None, signature(&st));
    } else {
        PyObject *data = PyBytes_FromStringAndSize(buffer, (Py_ssize_t)length);
        if (data != NULL)
            result = Py_BuildValue("(NN)", data, signature(&st));
    }
    free(buffer);
    Py_DECREF(path_bytes);
    return result;
}

struct want {
    unsigned long long ino;
    long long size, mtime_ns;
    long mode;
};

/* Writes data to a new temp file with the mode and owner of st, syncs it and renames it over path;
   no Python here. Returns 0, TEMP_TAKEN or an errno value (the temp file is then gone). */
static int write_replace(const char *path, const char *temp, const char *data, size_t left, const struct stat *st)
{
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), error = 0;
    if (fd < 0)
        return errno == EEXIST ? -TEMP_TAKEN : errno;
    while (left && !error) {
        ssize_t put = write(fd, data, left);
        if (put >= 0) {
            data += put;
            left -= (size_t)put;
        } else if (errno != EINTR) {
            error = errno;
        }
    }
    if (!error && fchmod(fd, st->st_mode & 07777) < 0)
        error = errno;
    /* Keep the owner where allowed: only root may give a file away. */
    if (!error && (st->st_uid != geteuid() || st->st_gid != getegid()) && fchown(fd, st->st_uid, st->st_gid) < 0 &&
        errno != EPERM && errno != EACCES)
        error = errno;
    if (!error && fdatasync(fd) < 0)
        error = errno;
    if (close(fd) < 0 && !error)
        error = errno;
    if (!error && rename(temp, path) < 0)
        error = errno;
    if (error)
        unlink(temp);
    return error;
}

/* REPLACED, CHANGED or TEMP_TAKEN (as negative values), or an errno value. */
static int replace_if_unchanged(const char *path, const char *temp, const Py_buffer *data, const struct want *want)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno;
    if (st.st_ino != want->ino || st.st_size != want->size || mtime_ns(&st) != want->mtime_ns ||
        (long)st.st_mode != want->mode)
        return -CHANGED;
    return write_replace(path, temp, data->buf, (size_t)data->len, &st);
}

static PyObject *fastio_replace(PyObject *self, PyObject *args)
{
    PyObject *path_arg, *temp_arg, *path_bytes = NULL, *temp_bytes = NULL, *result = NULL;
    Py_buffer data;
    struct want want;
    if (!PyArg_ParseTuple(args, "OOy*(KLLl)", &path_arg, &temp_arg, &data, &want.ino, &want.size, &want.mtime_ns,
                          &want.mode))
        return NULL;
    if (PyUnicode_FSConverter(path_arg, &path_bytes) && PyUnicode_FSConverter(temp_arg, &temp_bytes)) {
        int outcome;
        Py_BEGIN_ALLOW_THREADS
        outcome = replace_if_unchanged(PyBytes_AS_STRING(path_bytes), PyBytes_AS_STRING(temp_bytes), &data, &want);
        Py_END_ALLOW_THREADS
        if (outcome > 0) {
            errno = outcome;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_arg);
        } else {
            result = PyLong_FromLong(-outcome);
        }
    }
    PyBuffer_Release(&data);
    Py_XDECREF(path_bytes);
    Py_XDECREF(temp_bytes);
    return result;
}


/* Writer: replace() on native threads that never take the interpreter lock.

   Writer(threads, capacity, cpus=())
       start the threads; where cpus names CPUs, the threads run on those only (the caller keeps
       another to itself: the threads' wake-ups then never take it from the thread feeding them).
   submit(token, path, data, signature)
       queue one file's replacement (waits, without the lock, while `capacity` are queued); the
       temp file is named as files._replace names it: ".<name>.<8 hex digits>.tiktok-injector.tmp"
       beside it, another name tried while one is taken.
   finished() -> [(token, status, errno)]
       the replacements done since the last call: status REPLACED, CHANGED, TEMP_TAKEN (no free
       name after TEMP_TRIES) or FAILED (errno says why); never waits.
   close() -> [(token, status, errno)]
       wait for every queued file, stop the threads, and return what finished() would.

   A queued file holds a reference to its data (bytes are immutable: the threads read them
   without the lock); finished() and close() drop it. */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

enum { FAILED = 3, TEMP_TRIES = 100, MAX_THREADS = 64 };
static const char TEMP_SUFFIX[] = ".tiktok-injector.tmp";

struct job {
    struct job *next;
    long long token;
    char *path;
    PyObject *data; /* bytes */
    struct want want;
    int status, error;
};

typedef struct {
    PyObject_HEAD
    pthread_mutex_t lock;
    pthread_cond_t queued_cond, room_cond;
    struct job *head, *tail, *done, *done_tail;
    Py_ssize_t queued, capacity;
    int closing, started, nthreads, placed;
    cpu_set_t cpus;
    pthread_t threads[MAX_THREADS];
} Writer;

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64*: names, not secrets; O_EXCL makes a taken name fail */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

/* Fills job->status and job->error; no Python here. */
static void write_job(struct job *job, uint64_t *random_state)
{
    const char *slash = strrchr(job->path, '/');
    size_t dir_length = slash ? (size_t)(slash - job->path) + 1 : 0;
    const char *name = job->path + dir_length;
    size_t room = strlen(job->path) + 2 + 9 + sizeof TEMP_SUFFIX;
    char *temp = malloc(room);
    if (temp == NULL) {
        job->status = FAILED;
        job->error = ENOMEM;
        return;
    }
    Py_buffer data = {.buf = PyBytes_AS_STRING(job->data), .len = PyBytes_GET_SIZE(job->data)};
    int outcome = -TEMP_TAKEN;
    for (int try = 0; try < TEMP_TRIES && outcome == -TEMP_TAKEN; try++) {
        snprintf(temp, room, "%.*s.%s.%08x%s", (int)dir_length, job->path, name,
                 (unsigned)(next_random(random_state) >> 32), TEMP_SUFFIX);
        outcome = replace_if_unchanged(job->path, temp, &data, &job->want);
    }
    free(temp);
    job->status = outcome <= 0 ? -outcome : FAILED;
    job->error = outcome > 0 ? outcome : 0;
}

static void *writer_thread(void *arg)
{
    Writer *self = arg;
    if (self->placed)
        sched_setaffinity(0, sizeof self->cpus, &self->cpus); /* where it cannot, the thread runs anywhere */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t random_state = ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)now.tv_sec ^ (uint64_t)(uintptr_t)&now ^
                            ((uint64_t)getpid() << 40) ^ 0x9E3779B97F4A7C15ULL;
    pthread_mutex_lock(&self->lock);
    for (;;) {
        while (self->head == NULL && !self->closing)
            pthread_cond_wait(&self->queued_cond, &self->lock);
        struct job *job = self->head;
        if (job == NULL)
            break;
        self->head = job->next;
        if (self->head == NULL)
            self->tail = NULL;
        pthread_mutex_unlock(&self->lock);
        write_job(job, &random_state);
        pthread_mutex_lock(&self->lock);
        job->next = NULL;
        if (self->done_tail)
            self->done_tail->next = job;
        else
            self->done = job;
        self->done_tail = job;
        self->queued--;
        pthread_cond_signal(&self->room_cond);
    }
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

/* Fills self->cpus from a sequence of CPU numbers; sets self->placed when there is one. */
static int read_cpus(Writer *self, PyObject *cpus)
{
    PyObject *items = PySequence_Fast(cpus, "cpus must be a sequence of CPU numbers");
    if (items == NULL)
        return -1;
    CPU_ZERO(&self->cpus);
    for (Py_ssize_t n = 0; n < PySequence_Fast_GET_SIZE(items); n++) {
        long cpu = PyLong_AsLong(PySequence_Fast_GET_ITEM(items, n));
        if (cpu == -1 && PyErr_Occurred()) {
            Py_DECREF(items);
            return -1;
        }
        if (cpu < 0 || cpu >= CPU_SETSIZE) {
            Py_DECREF(items);
            PyErr_Format(PyExc_ValueError, "no such CPU: %ld", cpu);
            return -1;
        }
        CPU_SET((int)cpu, &self->cpus);
        self->placed = 1;
    }
    Py_DECREF(items);
    return 0;
}

static int Writer_init(Writer *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"threads", "capacity", "cpus", NULL};
    int threads;
    Py_ssize_t capacity;
    PyObject *cpus = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "in|O", keywords, &threads, &capacity, &cpus))
        return -1;
    if (self->started) {
        PyErr_SetString(PyExc_RuntimeError, "Writer already started");
        return -1;
    }
    if (threads < 1 || threads > MAX_THREADS || capacity < 1) {
        PyErr_SetString(PyExc_ValueError, "threads must be 1-64 and capacity at least 1");
        return -1;
    }
    if (cpus != NULL && cpus != Py_None && read_cpus(self, cpus) < 0)
        return -1;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->queued_cond, NULL);
    pthread_cond_init(&self->room_cond, NULL);
    self->capacity = capacity;
    self->started = 1;
    for (int n = 0; n < threads; n++) {
        int error = pthread_create(&self->threads[n], NULL, writer_thread, self);
        if (error) {
            pthread_mutex_lock(&self->lock);
            self->closing = 1;
            pthread_cond_broadcast(&self->queued_cond);
            pthread_mutex_unlock(&self->lock);
            for (int m = 0; m < n; m++)
                pthread_join(self->threads[m], NULL);
            self->nthreads = 0;
            errno = error;
            PyErr_SetFromErrno(PyExc_OSError);
            return -1;
        }
        self->nthreads = n + 1;
    }
    return 0;
}

static PyObject *Writer_submit(Writer *self, PyObject *args)
{
    long long token;
    PyObject *path_arg, *data, *path_bytes = NULL;
    struct want want;
    if (!PyArg_ParseTuple(args, "LOO!(KLLl)", &token, &path_arg, &PyBytes_Type, &data, &want.ino, &want.size,
                          &want.mtime_ns, &want.mode))
        return NULL;
    if (!self->started || self->closing) {
        PyErr_SetString(PyExc_RuntimeError, "Writer is closed");
        return NULL;
    }
    if (!PyUnicode_FSConverter(path_arg, &path_bytes))
        return NULL;
    struct job *job = calloc(1, sizeof *job);
    char *path = job ? strdup(PyBytes_AS_STRING(path_bytes)) : NULL;
    Py_DECREF(path_bytes);
    if (path == NULL) {
        free(job);
        return PyErr_NoMemory();
    }
    job->token = token;
    job->path = path;
    job->want = want;
    Py_INCREF(data);
    job->data = data;
    pthread_mutex_lock(&self->lock);
    while (self->queued >= self->capacity) { /* full: wait for a thread, letting go of the interpreter lock */
        pthread_mutex_unlock(&self->lock); /* never wait for one lock while holding the other */
        Py_BEGIN_ALLOW_THREADS
        pthread_mutex_lock(&self->lock);
        while (self->queued >= self->capacity)
            pthread_cond_wait(&self->room_cond, &self->lock);
        pthread_mutex_unlock(&self->lock);
        Py_END_ALLOW_THREADS
        pthread_mutex_lock(&self->lock);
    }
    if (self->tail)
        self->tail->next = job;
    else
        self->head = job;
    self->tail = job;
    self->queued++;
    pthread_cond_signal(&self->queued_cond);
    pthread_mutex_unlock(&self->lock);
    Py_RETURN_NONE;
}

/* The finished jobs, as a list; frees them. */
static PyObject *take_done(Writer *self)
{
    pthread_mutex_lock(&self->lock);
    struct job *job = self->done;
    self->done = self->done_tail = NULL;
    pthread_mutex_unlock(&self->lock);
    PyObject *list = PyList_New(0);
    while (job != NULL) {
        struct job *next = job->next;
        PyObject *item = list ? Py_BuildValue("(Lii)", job->token, job->status, job->error) : NULL;
        if (item == NULL || PyList_Append(list, item) < 0)
            Py_CLEAR(list);
        Py_XDECREF(item);
        Py_DECREF(job->data);
        free(job->path);
        free(job);
        job = next;
    }
    return list;
}

static PyObject *Writer_finished(Writer *self, PyObject *unused)
{
    return take_done(self);
}

static void stop_threads(Writer *self)
{
    if (!self->started || self->nthreads == 0)
        return;
    pthread_mutex_lock(&self->lock);
    self->closing = 1;
    pthread_cond_broadcast(&self->queued_cond);
    pthread_mutex_unlock(&self->lock);
    Py_BEGIN_ALLOW_THREADS
    for (int n = 0; n < self->nthreads; n++)
        pthread_join(self->threads[n], NULL);
    Py_END_ALLOW_THREADS
    self->nthreads = 0;
}

static PyObject *Writer_close(Writer *self, PyObject *unused)
{
    stop_threads(self);
    self->closing = 1;
    return take_done(self);
}

static void Writer_dealloc(Writer *self)
{
    if (self->started) {
        stop_threads(self);
        PyObject *rest = take_done(self);
        Py_XDECREF(rest);
        pthread_mutex_destroy(&self->lock);
        pthread_cond_destroy(&self->queued_cond);
        pthread_cond_destroy(&self->room_cond);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef writer_methods[] = {
    {"submit", (PyCFunction)Writer_submit, METH_VARARGS, "Queue one file's safe replacement."},
    {"finished", (PyCFunction)Writer_finished, METH_NOARGS, "[(token, status, errno)] done since the last call."},
    {"close", (PyCFunction)Writer_close, METH_NOARGS, "Wait for every queued file; what finished() would return."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WriterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "injector._fastio.Writer",
    .tp_basicsize = sizeof(Writer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Safe replacements on native threads.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Writer_init,
    .tp_dealloc = (destructor)Writer_dealloc,
    .tp_methods = writer_methods,
};

static PyMethodDef methods[] = {
    {"read", fastio_read, METH_VARARGS, "(data | None, signature) of a whole file, in one call."},
    {"replace", fastio_replace, METH_VARARGS, "Replace a file safely through a temp file, in one call."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastio", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fastio(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyType_Ready(&WriterType) < 0 || PyModule_AddIntConstant(m, "CHANGED", CHANGED) < 0 ||
        PyModule_AddIntConstant(m, "TEMP_TAKEN", TEMP_TAKEN) < 0 || PyModule_AddIntConstant(m, "FAILED", FAILED) < 0 ||
        PyModule_AddIntConstant(m, "REPLACED", REPLACED) < 0 || PyModule_AddObjectRef(m, "Writer", (PyObject *)&WriterType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
