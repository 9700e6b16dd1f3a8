"Benchmark building blocks: vectorised Fisher / per-sample gradients equal their loops; the reference-style pipeline feeds the model what ours does."
import numpy as np
import pytest
import torch

from sparse_mu.bench import (ArrayImages, Targets, fashion_mnist_reference, loglog_slope, reference_loader,
                             reference_transform, synthetic_images, throughput, torchvision_root)
from sparse_mu.data import MNIST_FILES, augment, fashion_mnist_folder, load_dataset, read_mnist_folder
from sparse_mu.models import build_model
from sparse_mu.unlearn import fisher_diagonal, fisher_diagonal_loop, per_sample_grads, per_sample_grads_loop

from conftest import write_idx_set


@pytest.fixture(scope='module')
def digits():
    train, _, info = load_dataset('digits')
    return train, info


@pytest.fixture(scope='module')
def tiny_model(digits):
    return build_model('cnn', digits[1], seed=0, width=4).eval()


def test_vectorised_fisher_equals_loop(digits, tiny_model):
    data = digits[0].subset(torch.arange(6))
    loop = fisher_diagonal_loop(tiny_model, data)
    for bs in (4, 64):                                  # a full and a partial batch, or one batch
        torch.testing.assert_close(fisher_diagonal(tiny_model, data, 'exact', batch_size=bs, device='cpu'), loop,
                                   rtol=1e-4, atol=1e-6 * loop.abs().max().item())


def test_vectorised_per_sample_grads_equal_loop(digits, tiny_model):
    x, y = digits[0].x[:24], digits[0].y[:24]
    loop = per_sample_grads_loop(tiny_model, x, y)
    vec = torch.cat([per_sample_grads(tiny_model, xb, yb) for xb, yb in zip(x.split(10), y.split(10))])
    assert vec.shape == (24, sum(p.numel() for p in tiny_model.parameters()))
    torch.testing.assert_close(vec, loop, rtol=1e-4, atol=1e-6 * loop.abs().max().item())


@pytest.fixture
def idx_folder(tmp_path):
    write_idx_set(tmp_path/'src', n_train=20, n_test=10)
    return tmp_path/'src'


def test_torchvision_root_layout(tmp_path, idx_folder):
    root = torchvision_root(tmp_path/'tv', idx_folder)
    raw = root/'FashionMNIST'/'raw'
    assert sorted(p.name for p in raw.iterdir()) == sorted(MNIST_FILES)                     # uncompressed, as torchvision reads them
    assert torchvision_root(tmp_path/'tv', idx_folder) == root                              # second call: nothing to do
    write_idx_set(tmp_path/'plain', n_train=20, gz=False)
    raw2 = torchvision_root(tmp_path/'tv2', tmp_path/'plain')/'FashionMNIST'/'raw'
    assert all((raw2/s).is_symlink() for s in MNIST_FILES)


def test_missing_files_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr('sparse_mu.data.SYSTEM_FASHION_MNIST', tmp_path/'nowhere')
    with pytest.raises(FileNotFoundError, match='SPARSE_MU_DATA'): fashion_mnist_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match='not found'): torchvision_root(tmp_path/'tv', tmp_path)


def test_reference_batch_matches_ours(tmp_path, idx_folder):
    "One batch of each pipeline: same shape, float [0, 1] = our uint8 / 255, same logits from the same model."
    ours, _ = read_mnist_folder(idx_folder)
    root = torchvision_root(tmp_path/'tv', idx_folder)
    ds = fashion_mnist_reference(root, reference_transform(28))
    x_ref, y_ref = next(iter(reference_loader(ds, 8, workers=1, seed=0)))      # through a worker process
    assert x_ref.shape == (8, 1, 28, 28) and x_ref.dtype == torch.float32 and y_ref.dtype == torch.int64
    assert 0 <= x_ref.min() and x_ref.max() <= 1
    idx = torch.tensor([3, 0, 7, 19])
    x = torch.stack([ds[int(i)][0] for i in idx])
    x_ours = ours.x[idx]
    assert x.shape == x_ours.shape and x_ours.dtype == torch.uint8
    assert torch.equal(x, x_ours.float() / 255)
    assert [ds[int(i)][1] for i in idx] == ours.y[idx].tolist()
    from sparse_mu.data import DatasetInfo
    info = DatasetInfo('fashion_mnist', 10, 1, 28, (0.286,), (0.353,), 2, True)
    model = build_model('cnn', info, seed=0, width=4).eval()
    with torch.no_grad(): assert torch.equal(model(x), model(x_ours))           # Normalize: float input skips the /255


def test_reference_augmentation_matches_ours_in_kind(tmp_path, idx_folder):
    "With crop + flip both pipelines give batches of the same shape whose pixels are the same uint8 values (/255)."
    root = torchvision_root(tmp_path/'tv', idx_folder)
    ds = fashion_mnist_reference(root, reference_transform(28, 2, True), indices=range(8))
    assert len(ds) == 8
    x_ref, _ = next(iter(reference_loader(ds, 8, workers=0)))
    ours, _ = read_mnist_folder(idx_folder)
    x_ours = augment(ours.x[:8], 2, True, torch.Generator().manual_seed(0))
    assert x_ref.shape == x_ours.shape
    assert torch.equal((x_ref * 255).round(), x_ref * 255)                       # still uint8 pixels, scaled to [0, 1]
    counts = lambda a: sorted(a.flatten().tolist())
    for i in range(8):                                      # a crop of image i only holds image i's pixels (and padding zeros)
        xi = (ds[i][0] * 255).round().to(torch.uint8)
        assert set(counts(xi)) <= set(counts(ours.x[i])) | {0}


def test_array_images_like_cifar():
    data = synthetic_images(5, 3, 32, seed=1)
    img, label = ArrayImages(data, reference_transform(32))[4]
    assert torch.equal(img, data.x[4].float() / 255) and label == data.y[4].item()
    x, y = next(iter(reference_loader(ArrayImages(data, reference_transform(32, 4, True)), 5, workers=0)))
    assert x.shape == (5, 3, 32, 32) and x.dtype == torch.float32


def test_throughput_slope_targets():
    assert throughput(1000, [5.0, 1.0, 2.0, 1.0]) == 1000.0
    assert abs(loglog_slope([100, 200, 400], [1.0, 2.0, 4.0]) - 1.0) < 1e-9
    t = Targets(); t.target('fast', [1.6, 1.7, 1.65], 1.5); t.target('one timing', [1.7], 1.5); t.not_measured('GPU', 'no GPU')
    t.target('cheap', [0.2, 0.21, 0.22], 0.1, at_least=False)
    assert t.frame().verdict.tolist() == ['reproduced', 'inconclusive', 'undefined', 'contradicted']
    assert list(t.frame().columns) == ['claim', 'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds', 'verdict', 'detail']
