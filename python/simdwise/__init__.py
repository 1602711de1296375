"""simdwise: element-wise kernels (relu, tanh, sigmoid, gelu, exp, add, ...)
generated for every SIMD target of the CPU at hand, for float32 NumPy arrays.

Every kernel is a function here, NumPy-style::

    import numpy as np, simdwise
    x = np.linspace(-5, 5, 1000, dtype=np.float32)
    y = simdwise.tanh(x)               # a new array
    simdwise.gelu(x, out=y)            # written into y
    simdwise.leaky_relu(x, alpha=0.1)  # scalar parameters by keyword
    simdwise.add(x, 1.5)               # a float or 0-d array is broadcast

Arrays must be float32 and C-contiguous (anything else is a TypeError or a
ValueError saying what was given); a Python float or 0-d array given for an
array input is broadcast to the others' shape (a copy). The GIL is released
while a kernel of 16K elements or more runs. ``out`` may be the first input (computed in place); an
``out`` that overlaps another input is computed into a temporary and copied.
"""


from . import _simdwise

__all__ = ["KERNELS", "active_isa"]

#: name -> (input names, scalar names, declared max ulp)
KERNELS = {name: (tuple(ins), tuple(scs), ulp) for name, ins, scs, ulp in _simdwise.kernels()}


def active_isa():
    """The instruction set dispatched calls use on this CPU (e.g. 'avx512')."""
    return _simdwise.active_isa()


# Each kernel is a native callable (`_simdwise.Function`): arguments are
# checked and broadcast in Rust, which keeps a call's overhead near a ufunc's.
for _name in KERNELS:
    globals()[_name] = _simdwise.Function(_name)
    __all__.append(_name)
