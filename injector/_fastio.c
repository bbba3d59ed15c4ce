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
    if (PyModule_AddIntConstant(m, "CHANGED", CHANGED) < 0 || PyModule_AddIntConstant(m, "TEMP_TAKEN", TEMP_TAKEN) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
