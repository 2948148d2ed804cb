"""PyTorch side of `npm run bench`: the same landscape probes, done the way the Python tools
do them (Li et al.'s loss-landscape, the loss-landscapes package): for every point, write
theta_c + a*u + b*v into the model's parameters in place (torch.no_grad), then a forward pass
over the data in batches and the loss. Weights, directions, data and the training order come
from the raw float32 files `bench/ours.ts gen` wrote, so both sides compute the same numbers.

The loss is Keras' categorical cross-entropy on the softmax output (p / sum p, clipped to
[1e-7, 1 - 1e-7], -log p[label]), i.e. exactly what our engine computes, so losses can be
compared point by point. (F.cross_entropy on logits costs the same; it differs only where a
probability falls below 1e-7.)

    python3 bench/torch_probe.py info
    python3 bench/torch_probe.py peak --threads T
    python3 bench/torch_probe.py run <dataDir> '<workload json>' --threads T [--trick] [--device cuda]

--device cuda (npm run bench:gpu, on the GPU machine): model, data and directions on the GPU;
every timed section ends with torch.cuda.synchronize() (the per-batch .item() syncs anyway).

--trick: the first-layer linearity trick our engine uses (X.W(a,b) = XW_c + a XU + b XV,
precomputed once), to show what PyTorch would get with it. Not what the Python tools do.
Thread counts: the orchestrator also sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS = T, since
torch.set_num_threads does not reach OpenBLAS's own thread pool in Debian's build.
Prints one JSON object on the last line of stdout.
"""
import ctypes
import json
import os
import platform
import sys
import time

import numpy as np
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-7
# Evaluation batch: 1000 for the MLPs (as our AffineEvaluator; batch size hardly matters for
# PyTorch there), 250 for the conv net (measured: 1000 makes PyTorch's conv forward ~2x slower
# on this machine, 64..500 are all about equal). --batch overrides.
EVAL_BATCH = {'big': 1000, 'small': 1000, 'conv': 250, 'cnn': 250, 'resnet': 250}
IMAGE = ('conv', 'cnn', 'resnet')


def arg(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


DEV = torch.device(arg('--device', 'cpu'))


def sync():
    if DEV.type == 'cuda':
        torch.cuda.synchronize()


def set_threads():
    t = int(arg('--threads', '1'))
    torch.set_num_threads(t)
    return t


# ---- models (same layers as bench/ours.ts buildModel) ------------------------------------

def tf_same(x, k, s):
    """TF's 'same' padding (the odd pixel at the bottom/right, unlike torch's symmetric padding)."""
    def pads(n):
        total = max((-(-n // s) - 1) * s + k - n, 0)
        return total // 2, total - total // 2
    (t, b), (l, r) = pads(x.shape[2]), pads(x.shape[3])
    return F.pad(x, (l, r, t, b)) if t or b or l or r else x


class CNN(nn.Module):
    """bench/models.ts buildCnn; `named` maps our layer names to modules."""
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 32, 3)
        self.c3, self.c4 = nn.Conv2d(32, 64, 3), nn.Conv2d(64, 64, 3)
        self.fc = nn.Linear(1024, 10)
        self.named = {'c1': self.c1, 'c2': self.c2, 'c3': self.c3, 'c4': self.c4, 'fc': self.fc}
        self.flat = (4, 4, 64)  # the NHWC shape our dense layer's rows come from

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)
        x = F.max_pool2d(F.relu(self.c4(F.relu(self.c3(x)))), 2)
        return F.softmax(self.fc(x.flatten(1)), dim=1)


class ResNet(nn.Module):
    """bench/models.ts buildResnet: Keras BN (eps 1e-3, momentum 0.99 = torch's 0.01), TF 'same' padding."""
    def __init__(self):
        super().__init__()
        m = {}
        conv = lambda cin, cout, k, s: nn.Conv2d(cin, cout, k, stride=s, bias=False)
        bn = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
        m['stem'], m['stem_bn'] = conv(1, 16, 3, 1), bn(16)
        self.blocks, cin = [], 16
        for i, c, s in [(1, 16, 1), (2, 32, 2), (3, 64, 2)]:
            m[f'b{i}_conv1'], m[f'b{i}_bn1'] = conv(cin, c, 3, s), bn(c)
            m[f'b{i}_conv2'], m[f'b{i}_bn2'] = conv(c, c, 3, 1), bn(c)
            proj = not (s == 1 and c == cin)
            if proj:
                m[f'b{i}_proj'], m[f'b{i}_projbn'] = conv(cin, c, 1, s), bn(c)
            self.blocks.append((i, s, proj))
            cin = c
        m['fc'] = nn.Linear(64, 10)
        self.mods = nn.ModuleDict(m)
        self.named = m
        self.flat = None

    def forward(self, x):
        m = self.mods
        cb = lambda x, conv, k, s: m[conv](tf_same(x, k, s))
        h = F.relu(m['stem_bn'](cb(x, 'stem', 3, 1)))
        for i, s, proj in self.blocks:
            r = F.relu(m[f'b{i}_bn1'](cb(h, f'b{i}_conv1', 3, s)))
            r = m[f'b{i}_bn2'](cb(r, f'b{i}_conv2', 3, 1))
            sc = m[f'b{i}_projbn'](cb(h, f'b{i}_proj', 1, s)) if proj else h
            h = F.relu(r + sc)
        return F.softmax(m['fc'](h.mean((2, 3))), dim=1)


def named_tensor(model, entry):
    """The torch parameter/buffer behind one of our weights ('c1/kernel', 'b2_bn1/moving_mean_1', ...)."""
    layer, what = entry['name'].split('/')[0], re.sub(r'_\d+$', '', entry['name'].split('/')[1])
    mod = model.named[layer]
    return {'kernel': mod.weight, 'bias': mod.bias, 'gamma': mod.weight, 'beta': mod.bias,
            'moving_mean': getattr(mod, 'running_mean', None), 'moving_variance': getattr(mod, 'running_var', None)}[what]


def to_torch_named(model, flat, layout):
    """Our flat vector (TF shapes) -> tensors shaped like the torch ones, in layout order."""
    out = []
    for e in layout:
        a = torch.from_numpy(flat[e['offset']:e['offset'] + e['size']]).reshape(e['shape'])
        if len(e['shape']) == 4:
            a = a.permute(3, 2, 0, 1)
        elif len(e['shape']) == 2:
            a = a.reshape(*model.flat, -1).permute(3, 2, 0, 1).reshape(a.shape[1], -1) if model.flat and a.shape[0] > 64 else a.t()
        out.append(a.contiguous().to(DEV))
    return out


def from_torch_named(model, layout):
    parts = []
    for e in layout:
        t = named_tensor(model, e).detach()
        if len(e['shape']) == 4:
            t = t.permute(2, 3, 1, 0)
        elif len(e['shape']) == 2:
            t = t.reshape(-1, model.flat[2], *model.flat[:2]).permute(2, 3, 1, 0).reshape(e['shape']) if model.flat and e['shape'][0] > 64 else t.t()
        parts.append(t.contiguous().reshape(-1))
    return torch.cat(parts).cpu().numpy()


NAMED = ('cnn', 'resnet')


def model_params(model, name, layout):
    """The torch tensors behind our flat vector's entries, in its order."""
    return [named_tensor(model, e) for e in layout] if name in NAMED else list(model.parameters())


def to_torch(model, name, flat, layout):
    return to_torch_named(model, flat, layout) if name in NAMED else to_torch_layout(name, flat, layout)


def load_state(model, name, state, state_layout):
    """BatchNorm moving statistics (our non-trainable state) into the torch buffers."""
    if state is None:
        return
    with torch.no_grad():
        for p, t in zip(model_params(model, name, state_layout), to_torch(model, name, state, state_layout)):
            p.copy_(t)


def build(name):
    if name == 'cnn':
        return CNN()
    if name == 'resnet':
        return ResNet()
    if name == 'big':
        return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10), nn.Softmax(dim=1))
    if name == 'small':
        return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10), nn.Softmax(dim=1))
    return nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 10), nn.Softmax(dim=1))


def to_torch_layout(name, flat, layout):
    """TF.js flat theta (layer order, TF shapes) -> list of tensors shaped like model.parameters()."""
    out = []
    for e in layout:
        a = torch.from_numpy(flat[e['offset']:e['offset'] + e['size']]).reshape(e['shape'])
        if len(e['shape']) == 4:      # conv kernel [kh, kw, in, out] -> [out, in, kh, kw]
            a = a.permute(3, 2, 0, 1)
        elif len(e['shape']) == 2:    # dense kernel [in, out] -> weight [out, in]
            if name == 'conv':        # rows of the flattened NHWC [5, 5, 16] -> torch's NCHW flatten
                a = a.reshape(5, 5, 16, -1).permute(3, 2, 0, 1).reshape(a.shape[1], -1)
            else:
                a = a.t()
        out.append(a.contiguous().to(DEV))
    return out


def from_torch_layout(name, tensors, layout):
    parts = []
    for e, t in zip(layout, tensors):
        t = t.detach()
        if len(e['shape']) == 4:
            t = t.permute(2, 3, 1, 0)
        elif len(e['shape']) == 2:
            if name == 'conv':
                t = t.reshape(-1, 16, 5, 5).permute(2, 3, 1, 0).reshape(400, -1)
            else:
                t = t.t()
        parts.append(t.contiguous().reshape(-1))
    return torch.cat(parts).cpu().numpy()


def keras_ce(out, labels):
    """Per-example Keras categorical cross-entropy of softmax outputs."""
    p = (out / out.sum(1, keepdim=True)).clamp(EPS, 1 - EPS)
    return -torch.log(p.gather(1, labels[:, None])).squeeze(1)


def linspace(lo, hi, n):
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)] if n > 1 else [lo]


# ---- probes ------------------------------------------------------------------------------

def evaluate(model, xb, yb, n):
    """Mean loss and accuracy over batches (the naive forward)."""
    total, correct = 0.0, 0
    for x, y in zip(xb, yb):
        out = model(x)
        total += keras_ce(out, y).sum().item()
        correct += (out.argmax(1) == y).sum().item()
    return total / n, correct / n


def probe(w, name, layout, base, dirs, coeff_list, xb, yb, n, trick, state=None):
    """Loss at base + sum_k c_k dir_k for every c in coeff_list (timed by the caller)."""
    model = build(name).to(DEV).eval()
    if state is not None:
        load_state(model, name, *state)
    params = model_params(model, name, layout)
    B = to_torch(model, name, base, layout)
    D = [to_torch(model, name, d, layout) for d in dirs]
    losses, accs = [], []
    with torch.no_grad():
        if not trick:
            for cs in coeff_list:
                for i, p in enumerate(params):
                    p.copy_(B[i])
                    for c, d in zip(cs, D):
                        p.add_(d[i], alpha=c)
                l, a = evaluate(model, xb, yb, n)
                losses.append(l); accs.append(a)
            return losses, accs
        # first-layer trick: pre_k = X W_k^T + b_k once per batch; per point only the rest
        pre = [[torch.addmm(W[1], x, W[0].t()) for W in [B] + D] for x in xb]
        first_act = model[1]
        rest = model[2:]
        rest_params = params[2:]
        for cs in coeff_list:
            for i, p in enumerate(rest_params):
                p.copy_(B[i + 2])
                for c, d in zip(cs, D):
                    p.add_(d[i + 2], alpha=c)
            total, correct = 0.0, 0
            for pb, y in zip(pre, yb):
                z = pb[0].clone()
                for c, pk in zip(cs, pb[1:]):
                    z.add_(pk, alpha=c)
                out = rest(first_act(z))
                total += keras_ce(out, y).sum().item()
                correct += (out.argmax(1) == y).sum().item()
            losses.append(total / n); accs.append(correct / n)
    return losses, accs


def hessian_at_thetaT(name, layout, f, X, labels, n):
    """The model at θ_T: its parameters, Hessian-vector products by double backprop over the full
    set in batches (the batch-size-weighted mean loss), the dot product and normalization of
    parameter lists, and a seeded generator (PyHessian's utilities)."""
    model = build(name).to(DEV).eval()
    with torch.no_grad():
        for p, t in zip(model.parameters(), to_torch_layout(name, f('thetaT'), layout)):
            p.copy_(t)
    params = [p for p in model.parameters()]
    bs = EVAL_BATCH[name]
    batches = [(X[s:s + bs], labels[s:s + bs]) for s in range(0, n, bs)]
    def hvp(v):
        out = [torch.zeros_like(p) for p in params]
        for xb, yb in batches:
            loss = keras_ce(model(xb), yb).mean() * (len(yb) / n)
            g = torch.autograd.grad(loss, params, create_graph=True)
            hv = torch.autograd.grad(g, params, grad_outputs=v)
            out = [o + h for o, h in zip(out, hv)]
        return out
    dot = lambda a, b: sum((x * y).sum() for x, y in zip(a, b))
    def normalize(v):
        s = torch.sqrt(dot(v, v))
        return [x / (s + 1e-6) for x in v]
    return params, hvp, dot, normalize, torch.Generator().manual_seed(1)


def run(data_dir, w, trick):
    threads = set_threads()
    man = json.load(open(os.path.join(data_dir, 'manifest.json')))
    name = w['model']
    layout = man['models'][name]['layout']
    f = lambda k: np.fromfile(os.path.join(data_dir, f'{name}_{k}.f32'), dtype=np.float32)
    n = w['n']
    X = torch.from_numpy(np.fromfile(os.path.join(data_dir, 'mnist_x.f32'), dtype=np.float32)[:n * 784].copy())
    X = (X.reshape(n, 1, 28, 28) if name in IMAGE else X.reshape(n, 784)).to(DEV)
    state_layout = man['models'][name].get('stateLayout') or []
    state = (f('stateT'), state_layout) if state_layout else None
    Y1h = np.fromfile(os.path.join(data_dir, 'mnist_y.f32'), dtype=np.float32)[:n * 10].reshape(n, 10)
    labels = torch.from_numpy(Y1h.argmax(1).astype(np.int64)).to(DEV)
    res = {'id': w['id'], 'threads': threads, 'trick': trick,
           'torch_threads': torch.get_num_threads(), 'device': str(DEV)}
    if DEV.type == 'cuda':
        res['gpu'] = torch.cuda.get_device_name(0)
    c0 = time.process_time()
    if w['kind'] in ('line', 'plane'):
        bs = int(arg('--batch', EVAL_BATCH[name]))
        res['eval_batch'] = bs
        xb = [X[s:s + bs] for s in range(0, n, bs)]
        yb = [labels[s:s + bs] for s in range(0, n, bs)]
        if w['kind'] == 'line':
            theta0, thetaT = f('theta0'), f('thetaT')
            coeffs = [[a] for a in linspace(w['alpha'][0], w['alpha'][1], w['points'])]
            t0 = time.perf_counter()
            base, dirs = theta0, [thetaT - theta0]
            losses, accs = probe(w, name, layout, base, dirs, coeffs, xb, yb, n, trick)
        else:
            ax = linspace(w['range'][0], w['range'][1], w['grid'])
            coeffs = [[a, b] for b in ax for a in ax]   # row i = b[i], column j = a[j] (as ours)
            t0 = time.perf_counter()
            losses, accs = probe(w, name, layout, f('thetaT'), [f('u'), f('v')], coeffs, xb, yb, n, trick, state)
        sync()
        res.update(seconds=time.perf_counter() - t0, losses=losses, accuracy=accs)
    elif w['kind'] == 'density':
        # PyHessian's density() (pyhessian/hessian.py), written here: n_v runs of `iter` Lanczos steps
        # from a normalized Rademacher vector, each new vector orthonormalized against all the
        # previous ones (its orthnormal()), HVPs by double backprop over the full set in batches;
        # Ritz values and weights (first components of T's eigenvectors, squared) per run.
        params, hvp, dot, normalize, gen = hessian_at_thetaT(name, layout, f, X, labels, n)
        def orthnormal(w, vs):
            for u in vs:
                w = [x - dot(w, u) * y for x, y in zip(w, u)]
            return normalize(w)
        t0 = time.perf_counter()
        nodes, weights, products = [], [], 0
        for _ in range(int(w.get('runs', 1))):
            v = normalize([(torch.randint(0, 2, p.shape, generator=gen).float() * 2 - 1).to(DEV) for p in params])
            vs, alphas, betas = [v], [], []
            for i in range(int(w.get('steps', 100))):
                if i > 0:
                    beta = torch.sqrt(dot(wv, wv))
                    betas.append(beta.item())
                    v = orthnormal(wv, vs)
                    vs.append(v)
                hv = hvp(v); products += 1
                alpha = dot(hv, v)
                alphas.append(alpha.item())
                wv = [h - alpha * x for h, x in zip(hv, v)]
                if i > 0:
                    wv = [x - betas[-1] * y for x, y in zip(wv, vs[-2])]
            m = len(alphas)
            T = torch.zeros(m, m, dtype=torch.float64)
            for i in range(m):
                T[i, i] = alphas[i]
                if i + 1 < m:
                    T[i, i + 1] = T[i + 1, i] = betas[i]
            evals, evecs = torch.linalg.eigh(T)
            order = torch.argsort(evals, descending=True)
            nodes.append(evals[order].tolist()); weights.append((evecs[0, order] ** 2).tolist())
        sync()
        res.update(seconds=time.perf_counter() - t0, losses=nodes[0], nodes=nodes, weights=weights, products=products)
    elif w['kind'] == 'curvature':
        # PyHessian's method (Yao et al. 2020), written here: power iteration with deflation for
        # the top-k eigenvalues, HVPs by double backprop over the full set in batches,
        # maxIter 100, tol 1e-3 (PyHessian's defaults).
        params, hvp, dot, normalize, gen = hessian_at_thetaT(name, layout, f, X, labels, n)
        def orth(v, vs):
            for u in vs:
                c = dot(v, u)
                v = [x - c * y for x, y in zip(v, u)]
            return normalize(v)
        t0 = time.perf_counter()
        eigs, vecs, products = [], [], 0
        for _ in range(int(w.get('k', 5))):
            v = normalize([torch.randn(p.shape, generator=gen).to(DEV) for p in params])
            lam = None
            for _ in range(100):
                v = orth(v, vecs)
                hv = hvp(v); products += 1
                tmp = dot(hv, v).item()
                v = normalize(hv)
                if lam is not None and abs(lam - tmp) / (abs(lam) + 1e-6) < 1e-3:
                    lam = tmp
                    break
                lam = tmp
            eigs.append(lam); vecs.append(v)
        sync()
        res.update(seconds=time.perf_counter() - t0, losses=eigs, products=products)
    else:
        order = np.fromfile(os.path.join(data_dir, f'w3_order_{n}.i32'), dtype=np.int32).astype(np.int64)
        order_t = torch.from_numpy(order).to(DEV)
        model = build(name).to(DEV).train()
        with torch.no_grad():
            for p, t in zip(model_params(model, name, layout), to_torch(model, name, f('theta0'), layout)):
                p.copy_(t)
        bs = w['batch']
        t0 = time.perf_counter()
        opt = torch.optim.SGD(model.parameters(), lr=w['lr'])
        losses = []
        for _ in range(w.get('epochs', 1)):
            for s in range(0, n, bs):
                idx = order_t[s:s + bs]
                xb, yb = X[idx], labels[idx]
                opt.zero_grad(set_to_none=True)
                loss = keras_ce(model(xb), yb).mean()
                loss.backward()
                opt.step()
                losses.append(loss.item())
        sync()
        res['seconds'] = time.perf_counter() - t0
        res['losses'] = losses
        out = os.path.join(data_dir, f"out_{w['id']}_torch_thetaT.f32")
        flat = from_torch_named(model, layout) if name in NAMED else from_torch_layout(name, list(model.parameters()), layout)
        flat.astype(np.float32).tofile(out)
        res['thetaFile'] = out
    res['cpuSeconds'] = time.process_time() - c0
    res['maxRSS_MiB'] = __import__('resource').getrusage(__import__('resource').RUSAGE_SELF).ru_maxrss / 1024
    return res


# ---- machine / BLAS ----------------------------------------------------------------------

def peak():
    threads = set_threads()
    n = 4096 if DEV.type == 'cuda' else 1024
    a, b = torch.randn(n, n, device=DEV), torch.randn(n, n, device=DEV)
    for _ in range(3):
        a @ b
    sync()
    reps = 30
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    s = time.perf_counter() - t0
    return {'threads': threads, 'n': n, 'reps': reps, 'seconds': s, 'gflops': 2 * n ** 3 * reps / s / 1e9}


def openblas_info():
    libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})
    info = {'loaded_blas_libraries': libs}
    for lib in libs:
        if 'openblas' in lib:
            try:
                ob = ctypes.CDLL(lib)
                ob.openblas_get_corename.restype = ctypes.c_char_p
                ob.openblas_get_config.restype = ctypes.c_char_p
                info['openblas_corename'] = ob.openblas_get_corename().decode()
                info['openblas_config'] = ob.openblas_get_config().decode()
                info['openblas_num_threads'] = ob.openblas_get_num_threads()
            except OSError as e:  # pragma: no cover
                info['openblas_error'] = str(e)
            break
    return info


def info():
    a = torch.randn(64, 64)
    (a @ a).sum().item()  # make sure the BLAS is loaded
    alts = {}
    d = '/etc/alternatives'
    if os.path.isdir(d):
        for k in sorted(os.listdir(d)):
            if k.startswith(('libblas.so.3', 'liblapack.so.3', 'libopenblas')):
                alts[k] = os.path.realpath(os.path.join(d, k))
    return {
        'python': platform.python_version(), 'python_executable': sys.executable,
        'torch': torch.__version__, 'numpy': np.__version__,
        'config': torch.__config__.show(), 'parallel_info': torch.__config__.parallel_info(),
        'alternatives': alts, **openblas_info(),
    }


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'info':
        r = info()
    elif cmd == 'peak':
        r = peak()
    elif cmd == 'run':
        if '--warmup' in sys.argv:  # once untimed in this process first (CUDA context, cuBLAS, kernels)
            run(sys.argv[2], json.loads(sys.argv[3]), '--trick' in sys.argv)
        r = run(sys.argv[2], json.loads(sys.argv[3]), '--trick' in sys.argv)
    else:
        raise SystemExit(f'unknown command {cmd!r} (info | peak | run)')
    print()
    print(json.dumps(r))
