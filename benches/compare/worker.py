"""Times NumPy, PyTorch (CPU) and, where installed, this project's own Python
package (`pip install ./python`) for the comparison command.

Driven by `cargo run --release -p simdwise-benches --bin compare` over stdin and
stdout, one JSON object per line, so the Rust side can interleave the libraries
cell by cell. Installs nothing: a missing library is reported with the exact
`pip install` line, and the comparison runs with whatever is present.

Every call writes into a preallocated output (`out=`), as the Rust side does.
Ops NumPy lacks (sigmoid, silu, gelu, ...) use the expression a NumPy user
would write, as a chain of ufuncs with `out=` into preallocated buffers.
"""

import json
import sys
import time

try:
    import numpy as np
except ImportError:
    np = None
try:
    import torch
except ImportError:
    torch = None
try:
    import simdwise
except ImportError:
    simdwise = None

GELU_C = 0.7978845608028654  # sqrt(2 / pi)


def numpy_ops(alpha):
    """op -> function(inputs, out, tmp) computing into out."""

    def sigmoid(x, out, tmp):
        np.negative(x, out=out)
        np.exp(out, out=out)
        np.add(out, 1.0, out=out)
        np.reciprocal(out, out=out)

    def silu(x, out, tmp):
        sigmoid(x, tmp, None)
        np.multiply(x, tmp, out=out)

    def gelu(x, out, tmp):
        # 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3)))
        np.multiply(x, x, out=tmp)
        np.multiply(tmp, x, out=tmp)
        np.multiply(tmp, 0.044715, out=tmp)
        np.add(tmp, x, out=tmp)
        np.multiply(tmp, GELU_C, out=tmp)
        np.tanh(tmp, out=tmp)
        np.add(tmp, 1.0, out=tmp)
        np.multiply(tmp, x, out=out)
        np.multiply(out, 0.5, out=out)

    def elu(x, out, tmp):
        np.expm1(x, out=tmp)
        np.multiply(tmp, alpha, out=tmp)
        np.copyto(out, x)
        np.copyto(out, tmp, where=x <= 0)

    def hardswish(x, out, tmp):
        np.add(x, 3.0, out=tmp)
        np.clip(tmp, 0.0, 6.0, out=tmp)
        np.multiply(x, tmp, out=out)
        np.divide(out, 6.0, out=out)

    def leaky_relu(x, out, tmp):
        np.multiply(x, alpha, out=tmp)
        np.maximum(x, tmp, out=out)

    return {
        "relu": lambda i, o, t: np.maximum(i[0], 0.0, out=o),
        "leaky_relu": lambda i, o, t: leaky_relu(i[0], o, t),
        "add": lambda i, o, t: np.add(i[0], i[1], out=o),
        "mul": lambda i, o, t: np.multiply(i[0], i[1], out=o),
        "exp": lambda i, o, t: np.exp(i[0], out=o),
        "tanh": lambda i, o, t: np.tanh(i[0], out=o),
        "sigmoid": lambda i, o, t: sigmoid(i[0], o, t),
        "silu": lambda i, o, t: silu(i[0], o, t),
        "gelu": lambda i, o, t: gelu(i[0], o, t),
        "exp2": lambda i, o, t: np.exp2(i[0], out=o),
        "log": lambda i, o, t: np.log(i[0], out=o),
        "expm1": lambda i, o, t: np.expm1(i[0], out=o),
        "sqrt": lambda i, o, t: np.sqrt(i[0], out=o),
        "reciprocal": lambda i, o, t: np.reciprocal(i[0], out=o),
        "softplus": lambda i, o, t: np.logaddexp(0.0, i[0], out=o),
        "elu": lambda i, o, t: elu(i[0], o, t),
        "hardswish": lambda i, o, t: hardswish(i[0], o, t),
        "abs": lambda i, o, t: np.abs(i[0], out=o),
    }


def torch_ops(alpha):
    aten = torch.ops.aten
    return {
        "relu": lambda i, o, t: aten.clamp_min.out(i[0], 0.0, out=o),
        "leaky_relu": lambda i, o, t: aten.leaky_relu.out(i[0], alpha, out=o),
        "add": lambda i, o, t: torch.add(i[0], i[1], out=o),
        "mul": lambda i, o, t: torch.mul(i[0], i[1], out=o),
        "exp": lambda i, o, t: torch.exp(i[0], out=o),
        "tanh": lambda i, o, t: torch.tanh(i[0], out=o),
        "sigmoid": lambda i, o, t: torch.sigmoid(i[0], out=o),
        "silu": lambda i, o, t: aten.silu.out(i[0], out=o),
        "gelu": lambda i, o, t: aten.gelu.out(i[0], approximate="tanh", out=o),
        "exp2": lambda i, o, t: torch.exp2(i[0], out=o),
        "log": lambda i, o, t: torch.log(i[0], out=o),
        "expm1": lambda i, o, t: torch.expm1(i[0], out=o),
        "sqrt": lambda i, o, t: torch.sqrt(i[0], out=o),
        "reciprocal": lambda i, o, t: torch.reciprocal(i[0], out=o),
        "softplus": lambda i, o, t: aten.softplus.out(i[0], 1, 20, out=o),
        "elu": lambda i, o, t: aten.elu.out(i[0], alpha, 1, 1, out=o),
        "hardswish": lambda i, o, t: aten.hardswish.out(i[0], out=o),
        "abs": lambda i, o, t: torch.abs(i[0], out=o),
        "erf": lambda i, o, t: torch.erf(i[0], out=o),
        "gelu_erf": lambda i, o, t: aten.gelu.out(i[0], out=o),
    }


def simdwise_ops(alpha):
    """Every kernel of the package, called as a NumPy user would."""
    ops = {}
    for name, (_, scalars, _) in simdwise.KERNELS.items():
        f = getattr(simdwise, name)
        kwargs = {s: alpha for s in scalars}
        ops[name] = lambda i, o, t, f=f, kwargs=kwargs: f(*i, out=o, **kwargs)
    return ops


class Worker:
    def __init__(self):
        self.buffers = {}
        self.torch_threads = torch.get_num_threads() if torch else None

    def hello(self):
        missing = [name for name, mod in (("numpy", np), ("torch", torch)) if mod is None]
        return {
            "python": sys.version.split()[0],
            "numpy": np.__version__ if np else None,
            "torch": torch.__version__ if torch else None,
            "simdwise": "installed" if simdwise else None,
            # NumPy ufuncs run on the calling thread; PyTorch uses its intra-op pool.
            "numpy_threads": 1 if np else None,
            "torch_threads": self.torch_threads,
            "install": ("pip install " + " ".join(missing)) if missing else None,
        }

    def buffers_for(self, lib, n, arity, dist, lo, hi, seed, dtype):
        key = (lib, n, arity, dist, lo, hi, dtype)
        if key not in self.buffers:
            # Keep one size at a time: 10M-100M buffers add up.
            self.buffers = {k: v for k, v in self.buffers.items() if k[1] == n}
            rng = np.random.default_rng(seed)
            inputs = [rng.uniform(lo, hi, n) for _ in range(arity)]
            if dist == "pow10":
                inputs = [np.power(10.0, u) for u in inputs]
            inputs = [u.astype(np.float32) for u in inputs]
            out = np.empty(n, dtype=np.float32)
            tmp = np.empty(n, dtype=np.float32)
            if lib == "torch":
                # bfloat16: the same values rounded once, outputs of that type.
                kind = torch.bfloat16 if dtype == "bfloat16" else torch.float32
                inputs = [torch.from_numpy(x.copy()).to(kind) for x in inputs]
                out, tmp = torch.from_numpy(out).to(kind), torch.from_numpy(tmp).to(kind)
            self.buffers[key] = (inputs, out, tmp)
        return self.buffers[key]

    def time(self, req):
        lib, op, n = req["lib"], req["op"], req["n"]
        dtype = req.get("dtype", "float32")
        if np is None or (lib == "torch" and torch is None) or (lib == "simdwise" and simdwise is None):
            return {"unavailable": True}
        if dtype != "float32" and lib != "torch":
            return {"unavailable": True}
        table = {"numpy": numpy_ops, "torch": torch_ops, "simdwise": simdwise_ops}[lib](req["alpha"])
        if op not in table:
            return {"unavailable": True}
        f = table[op]
        inputs, out, tmp = self.buffers_for(lib, n, req["arity"], req["dist"], req["lo"], req["hi"], req["seed"], dtype)
        # Warm-up, the same as the Rust side's: first-touch pages, lazy dispatch,
        # threads woken and clocks up; at least one call and 1 ms.
        warm = time.perf_counter()
        f(inputs, out, tmp)
        while time.perf_counter() - warm < 1e-3:
            f(inputs, out, tmp)
        reps = req["reps"]
        start = time.perf_counter()
        for _ in range(reps):
            f(inputs, out, tmp)
        elapsed = time.perf_counter() - start
        return {"ns_per_call": elapsed * 1e9 / reps}


def main():
    # `--threads N` fixes PyTorch's intra-op threads for the whole process:
    # switching them between calls costs up to 200 ms and slows later calls.
    if "--threads" in sys.argv and torch is not None:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    worker = Worker()
    for line in sys.stdin:
        req = json.loads(line)
        if req["cmd"] == "hello":
            reply = worker.hello()
        elif req["cmd"] == "time":
            reply = worker.time(req)
        else:
            reply = {"error": "unknown command " + req["cmd"]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
