#!/usr/bin/python3
"""Writes PyTorch reference fixtures for the 1-D convolutional branch.

conv_stack.json:    [Conv1d -> ReLU] x 3, then the mean over time.
conv_bn_stack.json: [Conv1d -> BatchNorm1d (eval) -> ReLU] x 3, then the mean over time,
                    with the batch norm also folded into each convolution.

Every Conv1d: padding='same', stride 1, dilation 1, groups 1, bias=True. For kernel K,
'same' pads (K-1)//2 steps on the left and the rest on the right (K=8: 3 left, 4 right).
Inputs are batch-first [N, T, F]; the stack reads x.transpose(1, 2) ([N, F, T]).
All arrays are flat, row-major; floats are float32 values written at full precision.

Run from this folder with Debian's python3-torch (PyTorch 1.13):
    python3 make_conv_fixtures.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

SEED = 20261204
INPUT_SIZE = 3
CHANNELS = [5, 7, 4]
KERNEL_SIZES = [8, 5, 3]
WEIGHT_SCALE = 2.0
EPS = 1e-5
CASES = [(3, 11), (2, 2)]  # (batch N, steps T); T=2 is shorter than every kernel
HERE = os.path.dirname(os.path.abspath(__file__))

torch.manual_seed(SEED)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)


def flat(t):
    return [float(v) for v in t.detach().to(torch.float32).reshape(-1).tolist()]


def make_convs():
    convs = []
    c_in = INPUT_SIZE
    for c_out, k in zip(CHANNELS, KERNEL_SIZES):
        conv = nn.Conv1d(c_in, c_out, k, stride=1, padding="same", dilation=1, groups=1, bias=True)
        with torch.no_grad():
            conv.weight.mul_(WEIGHT_SCALE)  # weights only; biases keep the default init
        convs.append(conv)
        c_in = c_out
    return convs


def make_bns():
    bns = []
    for c in CHANNELS:
        bn = nn.BatchNorm1d(c, eps=EPS)
        with torch.no_grad():
            bn.running_mean.copy_(torch.randn(c) * 0.3)
            bn.running_var.copy_(torch.empty(c).uniform_(0.5, 2.0))
            bn.weight.copy_(torch.empty(c).uniform_(0.5, 1.5))
            bn.bias.copy_(torch.randn(c) * 0.2)
        bn.eval()
        bns.append(bn)
    return bns


def run_stack(x, convs, bns=None):
    """x: [N, T, F]. Returns (features [N, C_last], per-layer outputs [N, C_out, T] after ReLU)."""
    h = x.transpose(1, 2)
    outs = []
    with torch.no_grad():
        for i, conv in enumerate(convs):
            h = conv(h)
            if bns is not None:
                h = bns[i](h)
            h = torch.relu(h)
            outs.append(h.clone())
        features = h.mean(dim=2)
    return features, outs


def reference_numpy(x, layers):
    """Independent float64 check with explicit padding: left (K-1)//2, right K-1-left."""
    h = x.detach().double().numpy().transpose(0, 2, 1)  # [N, F, T]
    for w, b in layers:
        c_out, c_in, k = w.shape
        left = (k - 1) // 2
        right = k - 1 - left
        n, _, t = h.shape
        p = np.zeros((n, c_in, t + k - 1))
        p[:, :, left:left + t] = h
        y = np.empty((n, c_out, t))
        for s in range(t):
            y[:, :, s] = np.einsum("nck,ock->no", p[:, :, s:s + k], w) + b
        h = np.maximum(y, 0.0)
    return h.mean(axis=2)


def fold(conv, bn):
    w = conv.weight.detach().double()
    b = conv.bias.detach().double()
    gamma = bn.weight.detach().double()
    beta = bn.bias.detach().double()
    mean = bn.running_mean.detach().double()
    var = bn.running_var.detach().double()
    scale = gamma / torch.sqrt(var + bn.eps)
    return (w * scale[:, None, None]).float(), ((b - mean) * scale + beta).float()


def make_inputs():
    return [torch.randn(n, t, INPUT_SIZE) for n, t in CASES]


def case_json(x, features, outs):
    n, t, _ = x.shape
    return {"batch": n, "steps": t, "input": flat(x), "features": flat(features),
            "layer_outputs": [flat(o) for o in outs]}


def write(name, obj):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    size = os.path.getsize(path)
    assert size < 50_000, (name, size)
    return path, size


def header():
    return {"input_size": INPUT_SIZE, "channels": CHANNELS, "kernel_sizes": KERNEL_SIZES,
            "torch_version": torch.__version__, "seed": SEED}


def main():
    # 1. Conv1d -> ReLU stack.
    convs = make_convs()
    inputs = make_inputs()
    doc = header()
    doc["layers"] = [{"weight": flat(c.weight), "bias": flat(c.bias)} for c in convs]
    doc["cases"] = []
    report = []
    for x in inputs:
        features, outs = run_stack(x, convs)
        assert all(o.shape[2] == x.shape[1] for o in outs)
        ref = reference_numpy(x, [(c.weight.detach().double().numpy(), c.bias.detach().double().numpy()) for c in convs])
        err = float(np.abs(ref - features.double().numpy()).max())
        assert err < 1e-5, ("conv_stack vs explicit padding", err)
        doc["cases"].append(case_json(x, features, outs))
        report.append(("conv_stack.json", tuple(x.shape), float(features.abs().max())))
    print(write("conv_stack.json", doc))

    # 2. Conv1d -> BatchNorm1d (eval) -> ReLU stack, plus the folded convolutions.
    convs = make_convs()
    bns = make_bns()
    inputs = make_inputs()
    folded = [fold(c, b) for c, b in zip(convs, bns)]
    folded_convs = []
    for (w, b), c in zip(folded, convs):
        fc = nn.Conv1d(c.in_channels, c.out_channels, c.kernel_size[0], padding="same", bias=True)
        with torch.no_grad():
            fc.weight.copy_(w)
            fc.bias.copy_(b)
        folded_convs.append(fc)
    doc = header()
    doc["layers"] = []
    for c, bn, (fw, fb) in zip(convs, bns, folded):
        doc["layers"].append({
            "weight": flat(c.weight), "bias": flat(c.bias),
            "bn_weight": flat(bn.weight), "bn_bias": flat(bn.bias),
            "bn_mean": flat(bn.running_mean), "bn_var": flat(bn.running_var), "eps": bn.eps,
            "folded_weight": flat(fw), "folded_bias": flat(fb)})
    doc["cases"] = []
    for x in inputs:
        features, outs = run_stack(x, convs, bns)
        f_features, f_outs = run_stack(x, folded_convs)
        err = float((features - f_features).abs().max())
        assert err < 1e-5, ("folded stack vs conv+bn", err)
        for o, fo in zip(outs, f_outs):
            assert float((o - fo).abs().max()) < 1e-5
        ref = reference_numpy(x, [(w.double().numpy(), b.double().numpy()) for w, b in folded])
        err = float(np.abs(ref - features.double().numpy()).max())
        assert err < 1e-5, ("conv_bn_stack vs explicit padding", err)
        doc["cases"].append(case_json(x, features, outs))
        report.append(("conv_bn_stack.json", tuple(x.shape), float(features.abs().max())))
    print(write("conv_bn_stack.json", doc))

    print("torch", torch.__version__)
    for name, shape, m in report:
        print(f"{name} input {list(shape)}: max |feature| = {m!r}")


if __name__ == "__main__":
    main()
