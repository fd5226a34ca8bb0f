/* The coordinate descent sweeps of the QUIC Newton direction, compiled
 * ahead of time.
 *
 * The same loops as ``_sweeps`` in direction.py (read that first: this file
 * follows it line by line, in the same order of floating-point operations,
 * so that the directions are bit for bit those of its Numba build; build
 * with -ffp-contract=off so that no multiply-add is fused).  Compiled when
 * the package is installed, it needs nothing at run time: a process's first
 * solve pays no import of a compiler and no loading of cached code.
 *
 * Arrays come in through the buffer protocol (NumPy arrays, C-contiguous):
 * no NumPy headers are needed to build it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Four partial sums in a fixed order, as _dot_loop. */
static double dot(const double *x, const double *y, Py_ssize_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    Py_ssize_t k = 0;
    while (k + 4 <= n) {
        s0 += x[k] * y[k];
        s1 += x[k + 1] * y[k + 1];
        s2 += x[k + 2] * y[k + 2];
        s3 += x[k + 3] * y[k + 3];
        k += 4;
    }
    while (k < n) {
        s0 += x[k] * y[k];
        k += 1;
    }
    return (s0 + s1) + (s2 + s3);
}

static void axpy(double a, const double *x, double *out, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++)
        out[k] += a * x[k];
}

/* Coordinate descent for 1/2 w'Qw - q'w + alpha |w|_1 from w (_row_lasso);
 * Q has m rows of stride ld. */
static void row_lasso(const double *Q, Py_ssize_t ld, const double *q, double *w,
                      Py_ssize_t m, double alpha, long n_passes, double *Qw)
{
    for (Py_ssize_t t = 0; t < m; t++)
        Qw[t] = 0.0;
    for (Py_ssize_t t = 0; t < m; t++)
        axpy(w[t], Q + t * ld, Qw, m);
    for (long pass = 0; pass < n_passes; pass++) {
        double w_max = 0.0, dw_max = 0.0;
        for (Py_ssize_t t = 0; t < m; t++) {
            double qtt = Q[t * ld + t];
            if (qtt <= 0.0)
                continue;
            double old = w[t];
            double z = q[t] - Qw[t] + old * qtt;
            double new_ = (z > alpha ? z - alpha : z < -alpha ? z + alpha : 0.0) / qtt;
            if (new_ != old) {
                axpy(new_ - old, Q + t * ld, Qw, m);
                w[t] = new_;
            }
            double dw = fabs(new_ - old), aw = fabs(new_);
            dw_max = dw_max >= dw ? dw_max : dw;
            w_max = w_max >= aw ? w_max : aw;
        }
        if (w_max == 0.0 || dw_max <= 1e-12 * w_max)
            break;
    }
}

/* n_sweeps passes over the rows; updates d and U = D W in place (_sweeps).
 * Returns 0, or -1 when memory ran out. */
static int sweeps(const double *W, const double *G, const double *Theta, Py_ssize_t p,
                  double alpha, const int64_t *ptr, const int64_t *cols, const int64_t *tpos,
                  const int64_t *diag, double *d, double *U, long n_sweeps, long n_passes)
{
    Py_ssize_t m_max = 0;
    for (Py_ssize_t i = 0; i < p; i++) {
        Py_ssize_t m = (Py_ssize_t)(ptr[i + 1] - ptr[i] - 1);
        m_max = m_max >= m ? m_max : m;
    }
    size_t mm = (size_t)(m_max > 0 ? m_max : 1);
    double *y = malloc(sizeof(double) * (size_t)(p > 0 ? p : 1));
    double *Q = malloc(sizeof(double) * mm * mm);
    double *vec = malloc(sizeof(double) * mm * 7);
    int64_t *J = malloc(sizeof(int64_t) * mm * 2);
    if (!y || !Q || !vec || !J) {
        free(y); free(Q); free(vec); free(J);
        return -1;
    }
    double *delta = vec, *wJ = vec + mm, *v = vec + 2 * mm, *z = vec + 3 * mm;
    double *q = vec + 4 * mm, *w = vec + 5 * mm, *Qw = vec + 6 * mm;
    int64_t *pos = J + mm;
    for (long sweep = 0; sweep < n_sweeps; sweep++) {
        for (Py_ssize_t i = 0; i < p; i++) {
            const double *Wi = W + i * p;
            for (Py_ssize_t k = 0; k < p; k++)
                y[k] = U[k * p + i];  /* (D W)[:, i] = D w_i */
            double wii = Wi[i];
            double gii = G[i * p + i] + dot(Wi, y, p);  /* G + W D W at (i, i) */
            Py_ssize_t m = 0;
            for (int64_t idx = ptr[i]; idx < ptr[i + 1]; idx++) {
                if (idx != diag[i]) {
                    J[m] = cols[idx];
                    pos[m] = idx;
                    m++;
                }
            }
            for (Py_ssize_t t = 0; t < m; t++)
                delta[t] = 0.0;
            if (m) {
                for (Py_ssize_t t = 0; t < m; t++)
                    v[t] = dot(W + J[t] * p, y, p);  /* (W D W)_{J, i} */
                for (Py_ssize_t t = 0; t < m; t++) {
                    wJ[t] = Wi[J[t]];
                    z[t] = Theta[i * p + J[t]] + d[pos[t]];
                }
                /* The Schur complement Gram matrix, rows of stride m. */
                for (Py_ssize_t t = 0; t < m; t++) {
                    const double *Wt = W + J[t] * p;
                    for (Py_ssize_t u = 0; u < m; u++)
                        Q[t * m + u] = wii * Wt[J[u]] - wJ[t] * wJ[u];
                }
                double ratio = gii / wii;
                for (Py_ssize_t t = 0; t < m; t++)
                    q[t] = -(G[i * p + J[t]] + v[t]) + ratio * wJ[t];
                for (Py_ssize_t t = 0; t < m; t++)
                    q[t] += dot(Q + t * m, z, m);
                memcpy(w, z, sizeof(double) * (size_t)m);
                row_lasso(Q, m, q, w, m, alpha, n_passes, Qw);
                for (Py_ssize_t t = 0; t < m; t++) {
                    delta[t] = w[t] - z[t];
                    d[pos[t]] += delta[t];
                    d[tpos[pos[t]]] += delta[t];
                }
            }
            double eps = -(gii + 2.0 * wii * dot(wJ, delta, m)) / (wii * wii);
            d[diag[i]] += eps;
            /* Row i of D changed (J and the diagonal), and column i (J). */
            double *Ui = U + i * p;
            for (Py_ssize_t t = 0; t < m; t++) {
                double a = delta[t];
                if (a != 0.0) {
                    const double *Wj = W + J[t] * p;
                    double *Uj = U + J[t] * p;
                    for (Py_ssize_t k = 0; k < p; k++) {
                        Uj[k] += a * Wi[k];
                        Ui[k] += a * Wj[k];
                    }
                }
            }
            axpy(eps, Wi, Ui, p);
        }
    }
    free(y); free(Q); free(vec); free(J);
    return 0;
}

/* A C-contiguous buffer of 8-byte floats ('d') or integers ('l', 'q'). */
static int get(PyObject *obj, Py_buffer *view, int writable, int integer, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int ok = view->itemsize == 8 && f[1] == '\0'
             && (integer ? (f[0] == 'l' || f[0] == 'q') : f[0] == 'd');
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous array of %s", name,
                     integer ? "int64" : "float64");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *py_sweeps(PyObject *self, PyObject *args)
{
    PyObject *o[10];
    double alpha;
    long n_sweeps, n_passes;
    if (!PyArg_ParseTuple(args, "OOOdOOOOOOll", &o[0], &o[1], &o[2], &alpha, &o[3], &o[4],
                          &o[5], &o[6], &o[7], &o[8], &n_sweeps, &n_passes))
        return NULL;
    static const char *names[10] = {"W", "G", "Theta", "ptr", "cols", "tpos", "diag", "d", "U"};
    static const int writable[9] = {0, 0, 0, 0, 0, 0, 0, 1, 1};
    static const int integer[9] = {0, 0, 0, 1, 1, 1, 1, 0, 0};
    Py_buffer b[9];
    int n = 0;
    for (; n < 9; n++)
        if (get(o[n], &b[n], writable[n], integer[n], names[n]) < 0)
            goto done;
    Py_ssize_t p = b[0].ndim == 2 ? b[0].shape[0] : -1;
    Py_ssize_t nnz = b[4].len / 8;
    int shapes_ok = p >= 0 && b[0].shape[1] == p;
    for (int k = 1; k < 3; k++)
        shapes_ok &= b[k].len == b[0].len;
    shapes_ok &= b[8].len == b[0].len && b[3].len / 8 == p + 1 && b[6].len / 8 == p
                 && b[5].len / 8 == nnz && b[7].len / 8 == nnz;
    if (!shapes_ok) {
        PyErr_SetString(PyExc_ValueError, "sweeps: arrays of inconsistent shapes");
        goto done;
    }
    const int64_t *ptr = b[3].buf, *cols = b[4].buf, *diag = b[6].buf;
    /* Indices are trusted by the compiled loops: check them once here. */
    int idx_ok = ptr[0] == 0 && ptr[p] == nnz;
    for (Py_ssize_t i = 0; idx_ok && i < p; i++)
        idx_ok = ptr[i] <= ptr[i + 1] && diag[i] >= ptr[i] && diag[i] < ptr[i + 1];
    for (Py_ssize_t k = 0; idx_ok && k < nnz; k++)
        idx_ok = cols[k] >= 0 && cols[k] < p && ((const int64_t *)b[5].buf)[k] >= 0
                 && ((const int64_t *)b[5].buf)[k] < nnz;
    if (!idx_ok) {
        PyErr_SetString(PyExc_ValueError, "sweeps: indices out of range");
        goto done;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = sweeps(b[0].buf, b[1].buf, b[2].buf, p, alpha, ptr, cols, b[5].buf, diag, b[7].buf,
                b[8].buf, n_sweeps, n_passes);
    Py_END_ALLOW_THREADS
    if (rc < 0)
        PyErr_NoMemory();
done:
    for (int k = 0; k < n; k++)
        PyBuffer_Release(&b[k]);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sweeps", py_sweeps, METH_VARARGS,
     "sweeps(W, G, Theta, alpha, ptr, cols, tpos, diag, d, U, n_sweeps, n_passes)\n\n"
     "The Newton direction's coordinate descent sweeps (see direction._sweeps)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sweeps",
    "The Newton direction's sweeps, compiled ahead of time (see direction.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__sweeps(void)
{
    return PyModule_Create(&module);
}
