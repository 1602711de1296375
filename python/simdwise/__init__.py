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

import numpy as _np
from numpy import ndarray as _ndarray

from . import _simdwise

__all__ = ["KERNELS", "active_isa"]

#: name -> (input names, scalar names, declared max ulp)
KERNELS = {name: (tuple(ins), tuple(scs), ulp) for name, ins, scs, ulp in _simdwise.kernels()}


def active_isa():
    """The instruction set dispatched calls use on this CPU (e.g. 'avx512')."""
    return _simdwise.active_isa()


def _is_scalar(value):
    return isinstance(value, (float, int, _np.floating, _np.integer)) or (
        isinstance(value, _np.ndarray) and value.ndim == 0
    )


def _make(name, inputs, scalars, max_ulp):
    call = _simdwise.call

    def kernel(*args, out=None, **kwargs):
        if kwargs or scalars:
            unknown = set(kwargs) - set(scalars)
            if unknown:
                raise TypeError(
                    f"{name}() got unexpected keyword argument(s) {sorted(unknown)}; scalars: {list(scalars)}"
                )
            missing = [s for s in scalars if s not in kwargs]
            if missing:
                raise TypeError(f"{name}() needs the scalar keyword argument(s) {missing}")
        values = [float(kwargs[s]) for s in scalars]
        if len(args) > 1 and not all(type(a) is _ndarray and a.ndim for a in args):
            shape = next((a.shape for a in args if not _is_scalar(a) and hasattr(a, "shape")), None)
            if shape is None:
                raise TypeError(f"{name}(): at least one input must be an array")
            args = [_np.full(shape, a, dtype=_np.float32) if _is_scalar(a) else a for a in args]
        return call(name, list(args), values, out)

    kernel.__name__ = kernel.__qualname__ = name
    params = ", ".join(inputs) + ", *, " + "".join(f"{s}, " for s in scalars) + "out=None"
    kernel.__doc__ = (
        f"{name}({params}): element-wise on float32 arrays; declared accuracy {max_ulp} ulp "
        f"on every SIMD variant."
    )
    return kernel


for _name, (_inputs, _scalars, _ulp) in KERNELS.items():
    globals()[_name] = _make(_name, _inputs, _scalars, _ulp)
    __all__.append(_name)
