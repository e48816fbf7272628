"""A small NumPy interpreter for the ONNX graphs this pipeline writes (no onnxruntime for Python here).

It runs model.onnx / model_quantized.onnx exactly as stored (every node, every initializer) in float32,
so that the exported graphs can be checked against PyTorch and against each other without Node.
Only the operators that torch.onnx.export (opset 17) emits for raqib's encoder, plus the Cast/Mul
dequantisation nodes, are implemented; anything else raises.
"""
import math

import numpy as np
import onnx
from onnx import numpy_helper

_erf = np.vectorize(math.erf, otypes=[np.float64])

try:  # scipy is present on Debian with sklearn; fall back to math.erf otherwise
    from scipy.special import erf as _scipy_erf
except Exception:  # pragma: no cover
    _scipy_erf = None

ONNX_TO_NP = {
    1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64,
}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxGraph:
    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.nodes = list(g.node)
        self.inputs = [i.name for i in g.input if i.name not in self.inits]
        self.outputs = [o.name for o in g.output]

    def run(self, feeds):
        env = dict(self.inits)
        env.update(feeds)
        for node in self.nodes:
            args = [env[n] if n else None for n in node.input]
            outs = getattr(self, "op_" + node.op_type)(args, _attrs(node), node)
            if not isinstance(outs, (list, tuple)):
                outs = [outs]
            for name, val in zip(node.output, outs):
                env[name] = val
        return [env[o] for o in self.outputs]

    # --- operators -------------------------------------------------------------------------------
    def op_Constant(self, a, at, n):
        return numpy_helper.to_array(at["value"])

    def op_Identity(self, a, at, n):
        return a[0]

    def op_Shape(self, a, at, n):
        s = np.array(a[0].shape, dtype=np.int64)
        return s[at.get("start", 0): at.get("end", len(s))] if ("start" in at or "end" in at) else s

    def op_Gather(self, a, at, n):
        return np.take(a[0], a[1].astype(np.int64), axis=at.get("axis", 0))

    def op_Slice(self, a, at, n):
        data, starts, ends = a[0], a[1], a[2]
        axes = a[3] if len(a) > 3 and a[3] is not None else np.arange(len(starts))
        steps = a[4] if len(a) > 4 and a[4] is not None else np.ones(len(starts), dtype=np.int64)
        sl = [slice(None)] * data.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            dim = data.shape[ax]
            s = int(max(min(s, dim), -dim)) if abs(int(s)) < 2**62 else (0 if s < 0 else dim)
            e = int(max(min(e, dim), -dim - 1)) if abs(int(e)) < 2**62 else (0 if e < 0 else dim)
            sl[int(ax)] = slice(s, e, int(st))
        return data[tuple(sl)]

    def op_Unsqueeze(self, a, at, n):
        x = a[0]
        axes = sorted(int(v) % (x.ndim + len(a[1])) for v in a[1])
        for ax in axes:
            x = np.expand_dims(x, ax)
        return x

    def op_Squeeze(self, a, at, n):
        return np.squeeze(a[0], axis=tuple(int(v) for v in a[1])) if len(a) > 1 and a[1] is not None else np.squeeze(a[0])

    def op_Concat(self, a, at, n):
        return np.concatenate(a, axis=at["axis"])

    def op_Reshape(self, a, at, n):
        shape = [int(v) for v in a[1]]
        shape = [a[0].shape[i] if v == 0 else v for i, v in enumerate(shape)]
        return a[0].reshape(shape)

    def op_Transpose(self, a, at, n):
        return np.transpose(a[0], at.get("perm"))

    def op_Cast(self, a, at, n):
        return a[0].astype(ONNX_TO_NP[at["to"]])

    def op_Add(self, a, at, n):
        return a[0] + a[1]

    def op_Sub(self, a, at, n):
        return a[0] - a[1]

    def op_Mul(self, a, at, n):
        return a[0] * a[1]

    def op_Div(self, a, at, n):
        r = a[0] / a[1]
        return r.astype(a[0].dtype) if np.issubdtype(a[0].dtype, np.integer) else r

    def op_Pow(self, a, at, n):
        return np.power(a[0], a[1]).astype(a[0].dtype)

    def op_Sqrt(self, a, at, n):
        return np.sqrt(a[0])

    def op_Tanh(self, a, at, n):
        return np.tanh(a[0])

    def op_Erf(self, a, at, n):
        if _scipy_erf is not None:
            return _scipy_erf(a[0]).astype(a[0].dtype)
        return _erf(a[0]).astype(a[0].dtype)

    def op_Equal(self, a, at, n):
        return a[0] == a[1]

    def op_Where(self, a, at, n):
        return np.where(a[0], a[1], a[2])

    def op_Expand(self, a, at, n):
        shape = np.broadcast_shapes(a[0].shape, tuple(int(v) for v in a[1]))
        return np.broadcast_to(a[0], shape).copy()

    def op_ConstantOfShape(self, a, at, n):
        v = numpy_helper.to_array(at["value"]) if "value" in at else np.zeros(1, np.float32)
        return np.full(tuple(int(x) for x in a[0]), v.reshape(-1)[0], dtype=v.dtype)

    def op_Range(self, a, at, n):
        return np.arange(a[0], a[1], a[2]).astype(a[0].dtype)

    def op_Clip(self, a, at, n):
        x = a[0]
        lo = a[1] if len(a) > 1 and a[1] is not None else None
        hi = a[2] if len(a) > 2 and a[2] is not None else None
        if lo is not None:
            x = np.maximum(x, lo)
        if hi is not None:
            x = np.minimum(x, hi)
        return x

    def op_Max(self, a, at, n):
        r = a[0]
        for b in a[1:]:
            r = np.maximum(r, b)
        return r

    def op_MatMul(self, a, at, n):
        return np.matmul(a[0], a[1])

    def op_Gemm(self, a, at, n):
        A = a[0].T if at.get("transA", 0) else a[0]
        B = a[1].T if at.get("transB", 0) else a[1]
        y = at.get("alpha", 1.0) * (A @ B)
        if len(a) > 2 and a[2] is not None:
            y = y + at.get("beta", 1.0) * a[2]
        return y.astype(np.float32)

    def op_Softmax(self, a, at, n):
        x = a[0]
        ax = at.get("axis", -1)
        e = np.exp(x - x.max(axis=ax, keepdims=True))
        return e / e.sum(axis=ax, keepdims=True)

    def op_ReduceSum(self, a, at, n):
        axes = tuple(int(v) for v in a[1]) if len(a) > 1 and a[1] is not None else None
        return np.sum(a[0], axis=axes, keepdims=bool(at.get("keepdims", 1)))

    def op_ReduceMean(self, a, at, n):
        axes = tuple(at["axes"]) if "axes" in at else None
        return np.mean(a[0], axis=axes, keepdims=bool(at.get("keepdims", 1)))

    def op_LayerNormalization(self, a, at, n):
        x, scale = a[0], a[1]
        bias = a[2] if len(a) > 2 else None
        ax = at.get("axis", -1)
        eps = at.get("epsilon", 1e-5)
        axes = tuple(range(ax % x.ndim, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + eps) * scale
        return y + bias if bias is not None else y

    def op_DequantizeLinear(self, a, at, n):
        x, scale = a[0].astype(np.float32), a[1]
        zp = a[2].astype(np.float32) if len(a) > 2 and a[2] is not None else 0.0
        if scale.ndim == 1 and x.ndim > 1:
            shape = [1] * x.ndim
            shape[at.get("axis", 1)] = -1
            scale = scale.reshape(shape)
            if not np.isscalar(zp):
                zp = zp.reshape(shape)
        return (x - zp) * scale
