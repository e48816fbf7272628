"""Weight-only int8 quantisation of raqib's ONNX graph, with nothing but the `onnx` package.

Every large MatMul weight is stored as an int8 initializer with one float scale per output column, and
every large embedding table (Gather data) as int8 with one scale per row; a Cast(int8 -> float) + Mul
(scale) pair in front of the consumer rebuilds the float weight. Activations are never quantised, so
compute stays float32 and a record's scores cannot depend on what it is batched with (dynamic
activation quantisation -- DynamicQuantizeLinear -- shifts scores with batch composition). The
Cast/Mul pairs read only initializers, so onnxruntime's constant folding turns them into float
weights once, at session creation: inference costs what fp32 costs, the file is ~4x smaller.

  /usr/bin/python3 scripts/train/quantize.py model.onnx model_quantized.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MIN_ELEMENTS = 4096


def quantize_weights(src, dst, min_elements=MIN_ELEMENTS):
    model = onnx.load(src)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    uses = {}
    for node in g.node:
        for k, name in enumerate(node.input):
            uses.setdefault(name, []).append((node.op_type, k))

    new_nodes, report = [], []
    for name, t in list(inits.items()):
        if t.data_type != TensorProto.FLOAT or len(t.dims) != 2:
            continue
        u = uses.get(name, [])
        if u and all(op == "MatMul" and k == 1 for op, k in u):
            axis = 0  # reduce over the input dimension: one scale per output column
        elif u and all(op == "Gather" and k == 0 for op, k in u):
            axis = 1  # one scale per row (token)
        else:
            continue
        w = numpy_helper.to_array(t).astype(np.float32)
        if w.size < min_elements:
            continue
        scale = np.abs(w).max(axis=axis, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        scale = scale.astype(np.float32)
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        g.initializer.remove(t)
        g.initializer.extend([
            numpy_helper.from_array(q, name + "_int8"),
            numpy_helper.from_array(scale, name + "_scale"),
        ])
        new_nodes += [
            helper.make_node("Cast", [name + "_int8"], [name + "_int8_float"], to=TensorProto.FLOAT,
                             name=name + "_dequant_cast"),
            helper.make_node("Mul", [name + "_int8_float", name + "_scale"], [name], name=name + "_dequant_mul"),
        ]
        err = float(np.abs(q.astype(np.float32) * scale - w).max())
        report.append((name, tuple(w.shape), "per-column" if axis == 0 else "per-row", err))

    nodes = new_nodes + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return report


if __name__ == "__main__":
    for name, shape, kind, err in quantize_weights(sys.argv[1], sys.argv[2]):
        print(f"{name} {shape} {kind} max abs weight error {err:.2e}")
