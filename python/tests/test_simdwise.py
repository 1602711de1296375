"""The Python package against NumPy float64 references: values within each
kernel's declared bound, out= and in place, broadcasting, errors, threads."""

import threading

import numpy as np
import pytest

import simdwise

RNG = np.random.default_rng(7)
X = (RNG.random(100_003, dtype=np.float32) * 20 - 10).astype(np.float32)
POS = (10.0 ** (RNG.random(100_003) * 6 - 3)).astype(np.float32)


def ulp_error(got, want):
    """|got - want| in ulps of float32 at the correctly rounded result."""
    rounded = want.astype(np.float32)
    ulp = np.spacing(np.maximum(np.abs(rounded), np.float32(np.finfo(np.float32).tiny)))
    return np.abs(got.astype(np.float64) - want) / ulp.astype(np.float64)


REFERENCES = {
    "tanh": (X, np.tanh),
    "exp": (X, np.exp),
    "sigmoid": (X, lambda x: 1 / (1 + np.exp(-x))),
    "silu": (X, lambda x: x / (1 + np.exp(-x))),
    "log": (POS, np.log),
    "sqrt": (POS, np.sqrt),
    "relu": (X, lambda x: np.maximum(x, 0)),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_values_within_declared_bound(name):
    x, reference = REFERENCES[name]
    got = getattr(simdwise, name)(x)
    want = reference(x.astype(np.float64))
    bound = simdwise.KERNELS[name][2]
    assert got.dtype == np.float32 and got.shape == x.shape
    assert ulp_error(got, want).max() <= bound


def test_two_inputs_and_scalars():
    y = X[::-1].copy()
    np.testing.assert_array_equal(simdwise.add(X, y), X + y)
    np.testing.assert_array_equal(simdwise.mul(X, y), X * y)
    np.testing.assert_array_equal(simdwise.leaky_relu(X, alpha=0.25), np.where(X > 0, X, X * np.float32(0.25)))


def test_out_in_place_and_overlap():
    out = np.empty_like(X)
    assert simdwise.tanh(X, out=out) is out
    np.testing.assert_array_equal(out, simdwise.tanh(X))
    a = X.copy()
    simdwise.tanh(a, out=a)
    np.testing.assert_array_equal(a, out)
    # out is the second input: computed into a temporary, then copied.
    y = X[::-1].copy()
    z = y.copy()
    simdwise.mul(X, z, out=z)
    np.testing.assert_array_equal(z, X * y)


def test_broadcast_float_and_zero_d():
    np.testing.assert_array_equal(simdwise.add(X, 1.5), X + np.float32(1.5))
    np.testing.assert_array_equal(simdwise.mul(np.array(2.0, np.float32), X), X * 2)
    np.testing.assert_array_equal(simdwise.mul(X, np.float32(3.0)), X * 3)


def test_shapes_kept_and_empty():
    m = X[:1000].reshape(10, 100)
    got = simdwise.exp(m)
    assert got.shape == (10, 100)
    np.testing.assert_array_equal(got.ravel(), simdwise.exp(X[:1000]))
    assert simdwise.exp(np.zeros(0, np.float32)).shape == (0,)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: simdwise.tanh(X.astype(np.float64)), TypeError, "float64"),
        (lambda: simdwise.tanh(list(X[:3])), TypeError, "list"),
        (lambda: simdwise.tanh(X[::2]), ValueError, "C-contiguous"),
        (lambda: simdwise.add(X, X[:5]), ValueError, "shape"),
        (lambda: simdwise.tanh(X, out=np.empty(3, np.float32)), ValueError, "shape"),
        (lambda: simdwise.leaky_relu(X), TypeError, "alpha"),
        (lambda: simdwise.tanh(X, alpha=1.0), TypeError, "alpha"),
        (lambda: simdwise.add(X), TypeError, "2 array"),
        (lambda: simdwise.add(1.0, 2.0), TypeError, "array"),
    ],
)
def test_errors_say_what_was_wrong(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_threads_at_once():
    results = {}

    def work(i):
        x = X * np.float32(1 + i / 16)
        results[i] = (x, simdwise.gelu(x))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(8):
        x, got = results[i]
        np.testing.assert_array_equal(got, simdwise.gelu(x))
