"Shared test settings: one CPU thread per test process, no progress bars, helpers that write real file formats."
import gzip, os, pickle
from pathlib import Path

os.environ['SPARSE_MU_PROGRESS'] = '0'

import numpy as np
import pytest
import torch

torch.set_num_threads(1)

FASHION_MNIST = Path('/usr/share/datasets/fashion-mnist')


def idx_bytes(a: np.ndarray) -> bytes:
    "An uint8 array in the IDX format (magic 0x00 0x00 0x08 ndim, big-endian sizes, raw bytes)."
    a = np.ascontiguousarray(a, dtype=np.uint8)
    header = bytes([0, 0, 8, a.ndim]) + b''.join(int(s).to_bytes(4, 'big') for s in a.shape)
    return header + a.tobytes()


def write_idx_set(folder: Path, n_train: int = 20, n_test: int = 10, seed: int = 0, gz: bool = True) -> dict:
    "Write the four Fashion-MNIST IDX files (tiny, random) into `folder`; returns the arrays written."
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {'train-images-idx3-ubyte': rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              'train-labels-idx1-ubyte': (np.arange(n_train) % 10).astype(np.uint8),
              't10k-images-idx3-ubyte': rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              't10k-labels-idx1-ubyte': (np.arange(n_test) % 10).astype(np.uint8)}
    for stem, a in arrays.items():
        raw = idx_bytes(a)
        if gz: (folder/(stem + '.gz')).write_bytes(gzip.compress(raw))
        else: (folder/stem).write_bytes(raw)
    return arrays


def write_cifar(root: Path, num_classes: int, n: int = 4, seed: int = 0) -> dict:
    "Tiny CIFAR-10/100 python batches in the real format; returns {file name: dict written}."
    folder = root/('cifar-10-batches-py' if num_classes == 10 else 'cifar-100-python')
    folder.mkdir(parents=True)
    names = [f'data_batch_{i}' for i in range(1, 6)] + ['test_batch'] if num_classes == 10 else ['train', 'test']
    rng = np.random.default_rng(seed); written = {}
    for name in names:
        d = {'data': rng.integers(0, 256, (n, 3072), dtype=np.uint8)}
        if num_classes == 10: d['labels'] = [int(v) for v in rng.integers(0, 10, n)]
        else: d['fine_labels'] = [int(v) for v in rng.integers(0, 100, n)]; d['coarse_labels'] = [0] * n
        with open(folder/name, 'wb') as f: pickle.dump(d, f)
        written[name] = d
    return written


@pytest.fixture
def no_download(monkeypatch):
    "Make every torchvision download attempt fail at once (no internet in tests)."
    import torchvision.datasets as tvd
    calls = []
    def refuse(name):
        def cls(*args, **kws):
            calls.append((name, kws)); raise RuntimeError('no internet in tests')
        return cls
    for name in ('FashionMNIST', 'CIFAR10', 'CIFAR100', 'SVHN'): monkeypatch.setattr(tvd, name, refuse(name))
    return calls

def digits_dense_and_sparse(recipe, sparsity: float = 0.8, width: int = 8):
    "(splits, dense CNN, the same CNN pruned to `sparsity` by magnitude and retrained, its mask) on the digits, by `recipe`."
    import copy
    from sparse_mu.data import make_splits
    from sparse_mu.models import build_model
    from sparse_mu.prune import magnitude_mask
    from sparse_mu.train import train
    s = make_splits('digits', seed=0)
    model = train(build_model('cnn', s.info, seed=0, width=width), s.train, recipe, seed=0)
    mask = magnitude_mask(model, sparsity)
    sparse = train(mask.apply_(copy.deepcopy(model)), s.train, recipe, seed=0, mask=mask)
    return s, model, sparse, mask
