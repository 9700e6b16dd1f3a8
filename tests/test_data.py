"Checks of sparse_mu.data: the Fashion-MNIST split, forget sets, augmentation, the on-disk readers and bad input."
import gzip, pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import sparse_mu.data as data
from sparse_mu.core import generator
from sparse_mu.data import augment, load_dataset, make_forget, make_splits, read_idx
from sparse_mu.models import build_model

from conftest import FASHION_MNIST, idx_bytes, write_cifar, write_idx_set

needs_fmnist = pytest.mark.skipif(not (FASHION_MNIST/'train-images-idx3-ubyte.gz').exists(),
                                  reason='Fashion-MNIST is not installed in /usr/share/datasets')


def _row_hash(x: torch.Tensor) -> torch.Tensor:
    "An (almost surely) injective int64 fingerprint of every image: a random linear form mod 2^61-1 done twice."
    flat = x.reshape(len(x), -1).long()
    g = torch.Generator().manual_seed(123)
    w1, w2 = (torch.randint(1, 2**20, (flat.shape[1],), generator=g) for _ in range(2))
    return (flat @ w1) * 1_000_003 + (flat @ w2)


# ----------------------------------------------------------------------------------------------- the split

@pytest.fixture(scope='module')
def fmnist_split():
    "The full 10% split of Fashion-MNIST, with the index sets `per_class_take` produced for it."
    if not (FASHION_MNIST/'train-images-idx3-ubyte.gz').exists(): pytest.skip('Fashion-MNIST is not installed')
    taken = []
    real = data.per_class_take
    def spy(y, sizes, seed):
        out = real(y, sizes, seed); taken.append(out); return out
    mp = pytest.MonkeyPatch(); mp.setattr(data, 'per_class_take', spy)
    try: s = make_splits('fashion_mnist', seed=0)
    finally: mp.undo()
    raw_train, raw_test, _ = load_dataset('fashion_mnist')
    return s, taken[0], raw_train, raw_test


def test_fashion_mnist_split_sizes(fmnist_split):
    s, _, _, _ = fmnist_split
    assert (len(s.train), len(s.val), len(s.test)) == (54_000, 6_000, 10_000)
    assert s.train.x.shape == (54_000, 1, 28, 28) and s.train.x.dtype == torch.uint8 and s.train.y.dtype == torch.int64
    assert torch.bincount(s.train.y).tolist() == [5_400] * 10        # 10% of each class held out
    assert torch.bincount(s.val.y).tolist() == [600] * 10
    info = s.info
    assert (info.name, info.num_classes, info.in_channels, info.size, info.pad, info.flip) == ('fashion_mnist', 10, 1, 28, 2, True)
    assert 0.2 < info.mean[0] < 0.4 and 0.25 < info.std[0] < 0.45   # Fashion-MNIST: about 0.286 / 0.353
    assert s.key == dict(dataset='fashion_mnist', seed=0, val_frac=0.1, per_class=None, test_per_class=None)


def test_fashion_mnist_train_val_disjoint(fmnist_split):
    s, (val_idx, train_idx), raw, _ = fmnist_split
    vi, ti = set(val_idx.tolist()), set(train_idx.tolist())
    assert len(vi) == 6_000 and len(ti) == 54_000
    assert not vi & ti and vi | ti == set(range(60_000))            # a partition of the official training set
    assert torch.equal(s.train.x, raw.x[train_idx]) and torch.equal(s.train.y, raw.y[train_idx])
    assert torch.equal(s.val.x, raw.x[val_idx]) and torch.equal(s.val.y, raw.y[val_idx])
    # the images themselves: a validation image found in the training split must be an image that
    # occurs more than once in the raw training set (Fashion-MNIST has a few exact duplicates)
    h_raw, h_train, h_val = _row_hash(raw.x), _row_hash(s.train.x), _row_hash(s.val.x)
    uniq, counts = h_raw.unique(return_counts=True)
    duplicated = set(uniq[counts > 1].tolist())
    shared = set(h_val.tolist()) & set(h_train.tolist())
    assert shared <= duplicated


@needs_fmnist
def test_split_is_seeded():
    a, b = make_splits('fashion_mnist', seed=0, per_class=50), make_splits('fashion_mnist', seed=0, per_class=50)
    c = make_splits('fashion_mnist', seed=1, per_class=50)
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.val.x, b.val.x)
    assert not torch.equal(a.train.x, c.train.x)


@needs_fmnist
def test_per_class_caps():
    s = make_splits('fashion_mnist', per_class=30, test_per_class=20)
    assert torch.bincount(s.train.y, minlength=10).tolist() == [30] * 10
    assert torch.bincount(s.val.y, minlength=10).tolist() == [3] * 10      # same 9:1 ratio as the full split
    assert torch.bincount(s.test.y, minlength=10).tolist() == [20] * 10
    assert s.key['per_class'] == 30 and s.key['test_per_class'] == 20
    hv, ht = set(_row_hash(s.val.x).tolist()), set(_row_hash(s.train.x).tolist())
    assert not hv & ht


def test_per_class_caps_never_exceed_the_data():
    s = make_splits('digits', per_class=10_000, test_per_class=10_000)
    full = make_splits('digits')
    assert (len(s.train), len(s.val), len(s.test)) == (len(full.train), len(full.val), len(full.test))


# ----------------------------------------------------------------------------------------------- forget sets

@pytest.fixture(scope='module')
def small():
    return make_splits('digits', seed=0)


def _rows(d):
    return sorted(map(tuple, torch.cat([d.x.reshape(len(d), -1).long(), d.y[:, None]], 1).tolist()))


@pytest.mark.parametrize('c', [0, 3, 9])
def test_class_forget_set(small, c):
    t = make_forget(small, 'class', forget_class=c)
    n = len(small.train)
    assert t.scenario == 'class' and t.forget_class == c
    assert len(t.forget) == int((small.train.y == c).sum()) > 0
    assert set(t.forget.y.tolist()) == {c} and c not in t.retain.classes_present
    fi = set(t.forget_idx.tolist()); ri = set(range(n)) - fi
    assert len(t.retain) + len(t.forget) == n and len(fi) == len(t.forget)     # Df ∩ Dr = ∅, Df ∪ Dr = D
    assert torch.equal(t.forget.x, small.train.x[t.forget_idx])
    assert torch.equal(t.retain.x, small.train.x[sorted(ri)])
    assert sorted(_rows(t.retain) + _rows(t.forget)) == _rows(small.train)            # as a multiset of samples
    # TA is measured on the test set without the class; the MIA keeps the full test set
    assert c not in t.test.classes_present and len(t.test) == int((small.test.y != c).sum())
    assert t.full_test is small.test or torch.equal(t.full_test.y, small.test.y)


def test_random_forget_set(small):
    n = len(small.train)
    t = make_forget(small, 'random', fraction=0.1, seed=0)
    assert t.scenario == 'random' and t.forget_class is None
    assert len(t.forget) == round(0.1 * n) and len(t.retain) == n - round(0.1 * n)
    fi = t.forget_idx.tolist()
    assert len(set(fi)) == len(fi) and all(0 <= i < n for i in fi)
    keep = sorted(set(range(n)) - set(fi))
    assert torch.equal(t.retain.x, small.train.x[keep]) and torch.equal(t.forget.y, small.train.y[t.forget_idx])
    assert torch.equal(t.test.y, small.test.y)                         # random forgetting: the whole test set
    # seeded: same seed, same set; another seed, another set
    assert torch.equal(make_forget(small, 'random', fraction=0.1, seed=0).forget_idx, t.forget_idx)
    assert not torch.equal(make_forget(small, 'random', fraction=0.1, seed=1).forget_idx, t.forget_idx)
    assert len(make_forget(small, 'random', count=7, seed=0).forget) == 7
    assert make_forget(small, 'random', count=n - 1).retain.x.shape[0] == 1


@needs_fmnist
def test_forget_sets_on_fashion_mnist():
    s = make_splits('fashion_mnist', per_class=30, test_per_class=20)
    t = make_forget(s, 'class', forget_class=2)
    assert (len(t.forget), len(t.retain), len(t.test), len(t.full_test)) == (30, 270, 180, 200)
    r = make_forget(s, 'random', fraction=0.1, seed=0)
    assert (len(r.forget), len(r.retain)) == (30, 270)


# ----------------------------------------------------------------------------------------------- augmentation

def test_augment_deterministic_under_seed():
    x = torch.randint(0, 256, (32, 3, 8, 8), generator=generator(5), dtype=torch.uint8)
    a, b = augment(x, 2, True, generator(0)), augment(x, 2, True, generator(0))
    assert torch.equal(a, b) and a.dtype == torch.uint8 and a.shape == x.shape
    assert not torch.equal(a, augment(x, 2, True, generator(1)))
    assert not torch.equal(a, x)
    assert torch.equal(augment(x, 0, False, generator(0)), x)
    # without flips every output is a window of the zero-padded image
    p = torch.nn.functional.pad(x, (2, 2, 2, 2)); c = augment(x, 2, False, generator(3))
    assert all(any(torch.equal(c[i], p[i, :, r:r + 8, q:q + 8]) for r in range(5) for q in range(5)) for i in range(32))
    # flips alone mirror about half the images, and nothing else
    f = augment(x, 0, True, generator(4))
    flipped = [torch.equal(f[i], x[i].flip(2)) for i in range(32)]
    assert all(flipped[i] or torch.equal(f[i], x[i]) for i in range(32)) and 4 < sum(flipped) < 28


# ----------------------------------------------------------------------------------------------- readers

def test_cifar10_reader(tmp_path, no_download):
    written = write_cifar(tmp_path, 10, n=4)
    tr, te, info = load_dataset('cifar10', tmp_path)
    assert not no_download                                              # the files were there: no download
    assert tr.x.shape == (20, 3, 32, 32) and te.x.shape == (4, 3, 32, 32) and tr.x.dtype == torch.uint8
    assert tr.y.tolist() == sum((written[f'data_batch_{i}']['labels'] for i in range(1, 6)), [])
    assert te.y.tolist() == written['test_batch']['labels']
    row = written['data_batch_2']['data'][1]                           # sample 5 overall
    for c, h, w in [(0, 0, 0), (1, 3, 7), (2, 31, 30), (2, 0, 31)]:    # channel-major, then rows, then columns
        assert tr.x[5, c, h, w].item() == row[c * 1024 + h * 32 + w]
    assert (info.name, info.num_classes, info.in_channels, info.size, info.pad, info.flip) == ('cifar10', 10, 3, 32, 4, True)
    assert len(info.mean) == 3 and len(info.std) == 3


def test_cifar100_reader(tmp_path, no_download):
    written = write_cifar(tmp_path, 100, n=6)
    tr, te, info = load_dataset('cifar100', tmp_path)
    assert tr.x.shape == (6, 3, 32, 32) and te.x.shape == (6, 3, 32, 32)
    assert tr.y.tolist() == written['train']['fine_labels'] and te.y.tolist() == written['test']['fine_labels']
    assert tr.x[2, 1, 4, 5].item() == written['train']['data'][2][1024 + 4 * 32 + 5]
    assert info.num_classes == 100 and not no_download


def test_svhn_reader(tmp_path, no_download):
    from scipy.io import savemat
    folder = tmp_path/'svhn'; folder.mkdir()
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8)
    y = np.array([[10], [1], [2], [9], [10]], dtype=np.uint8)          # SVHN stores digit 0 as 10
    savemat(folder/'train_32x32.mat', {'X': X, 'y': y})
    savemat(folder/'test_32x32.mat', {'X': X[..., :3], 'y': y[:3]})
    tr, te, info = load_dataset('svhn', tmp_path)
    assert tr.x.shape == (5, 3, 32, 32) and te.x.shape == (3, 3, 32, 32) and tr.x.dtype == torch.uint8
    assert tr.y.tolist() == [0, 1, 2, 9, 0] and te.y.tolist() == [0, 1, 2]
    assert tr.x[3, 2, 10, 20].item() == X[10, 20, 2, 3]                # X[h, w, c, n] -> x[n, c, h, w]
    assert (info.num_classes, info.pad, info.flip) == (10, 4, False)   # flipping digits changes them
    assert not no_download


def test_fashion_mnist_from_SPARSE_MU_DATA(tmp_path, monkeypatch, no_download):
    arrays = write_idx_set(tmp_path/'fashion-mnist', n_train=20, n_test=10)
    monkeypatch.setenv('SPARSE_MU_DATA', str(tmp_path))
    assert data.data_dir() == tmp_path
    tr, te, info = load_dataset('fashion_mnist')
    assert (len(tr), len(te)) == (20, 10) and tr.x.shape == (20, 1, 28, 28)
    assert np.array_equal(tr.x[:, 0].numpy(), arrays['train-images-idx3-ubyte'])
    assert tr.y.tolist() == list(range(10)) * 2 and tr.y.dtype == torch.int64
    s = make_splits('fashion_mnist', val_frac=0.5)
    assert (len(s.train), len(s.val), len(s.test)) == (10, 10, 10)
    assert not no_download


def test_uncompressed_idx_and_explicit_dir(tmp_path, monkeypatch):
    monkeypatch.delenv('SPARSE_MU_DATA', raising=False)
    write_idx_set(tmp_path, n_train=12, n_test=4, gz=False)            # the files directly in the folder
    tr, te, _ = load_dataset('fashion_mnist', tmp_path)
    assert (len(tr), len(te)) == (12, 4)


def test_data_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv('SPARSE_MU_DATA', raising=False); monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert data.data_dir() == tmp_path/'sparse_mu'/'data'
    assert data.data_dir('/x/y') == Path('/x/y')


def test_idx_truncated_data_is_reported(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    (tmp_path/'imgs').write_bytes(raw[:-100])
    with pytest.raises(ValueError, match='truncated'): read_idx(tmp_path/'imgs')
    (tmp_path/'t.gz').write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(ValueError, match='truncated'): read_idx(tmp_path/'t.gz')
    (tmp_path/'bad').write_bytes(b'\x08\x03' + raw[2:])
    with pytest.raises(ValueError, match='not an uint8 IDX'): read_idx(tmp_path/'bad')


def test_truncated_idx_in_data_dir(tmp_path, monkeypatch):
    write_idx_set(tmp_path/'fashion-mnist', gz=False)
    p = tmp_path/'fashion-mnist'/'t10k-images-idx3-ubyte'; p.write_bytes(p.read_bytes()[:500])
    monkeypatch.setenv('SPARSE_MU_DATA', str(tmp_path))
    with pytest.raises(ValueError, match='truncated'): load_dataset('fashion_mnist')


@pytest.mark.parametrize('cut', ['gzip_stream', 'header'])
def test_idx_cut_file_gives_clear_error(tmp_path, cut):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    if cut == 'gzip_stream':
        gz = gzip.compress(raw); p = tmp_path/'a.gz'; p.write_bytes(gz[:len(gz) // 2])   # an interrupted download
    else:
        p = tmp_path/'a'; p.write_bytes(raw[:10])
    with pytest.raises(ValueError, match='truncated|corrupted') as e: read_idx(p)
    assert str(p) in str(e.value)


# ----------------------------------------------------------------------------------------------- bad input

def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown dataset 'mnist3d'; choose one of: fashion_mnist, cifar10, cifar100, svhn"):
        load_dataset('mnist3d')
    with pytest.raises(ValueError, match='choose one of'): make_splits('imagenet')


def test_unknown_model(small):
    with pytest.raises(ValueError, match="unknown model 'resnet50'; choose one of: cnn, resnet18, vgg16_bn"):
        build_model('resnet50', small.info)


@pytest.mark.parametrize('c', [10, -1, 1.0, '3', None])
def test_forget_class_out_of_range(small, c):
    with pytest.raises(ValueError, match=r'class index in 0\.\.9'): make_forget(small, 'class', forget_class=c)


@pytest.mark.parametrize('f', [0, 0.0, 1, 1.0, 1.5, -0.1])
def test_forget_fraction_outside_unit_interval(small, f):
    with pytest.raises(ValueError, match=r'forget fraction must lie in \(0, 1\)'): make_forget(small, 'random', fraction=f)


@pytest.mark.parametrize('k', ['n', 'n+1', 10**6, 0, -3, 2.5])
def test_forget_count_outside_split(small, k):
    n = len(small.train)
    k = {'n': n, 'n+1': n + 1}.get(k, k)
    with pytest.raises(ValueError, match=f'training split has {n} samples'): make_forget(small, 'random', count=k)


def test_tiny_fraction_gives_no_empty_set(small):
    with pytest.raises(ValueError, match='forget count'): make_forget(small, 'random', fraction=1e-6)


def test_empty_forget_set(small):
    t = make_forget(small, 'class', forget_class=3)
    no3 = data.Splits(t.retain, small.val, small.test, small.info)
    with pytest.raises(ValueError, match='forget set is empty'): make_forget(no3, 'class', forget_class=3)


def test_unknown_scenario(small):
    with pytest.raises(ValueError, match="choose one of: class, random"): make_forget(small, 'clas')


@pytest.mark.parametrize('v', [1.0, 1.5, -0.1])
def test_bad_val_frac(v):
    with pytest.raises(ValueError, match='val_frac'): make_splits('digits', val_frac=v)


def test_tensor_data_checks():
    with pytest.raises(TypeError, match='uint8'): data.TensorData(torch.zeros(2, 1, 2, 2), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match='2 images but 3 labels'):
        data.TensorData(torch.zeros(2, 1, 2, 2, dtype=torch.uint8), torch.zeros(3, dtype=torch.long))


@pytest.mark.parametrize('name', ['cifar10', 'cifar100', 'svhn'])
def test_missing_files_say_what_to_do(tmp_path, name, no_download):
    "An empty data dir: the (failing) download is attempted once, and the error says where and what to do."
    with pytest.raises(FileNotFoundError) as e: load_dataset(name, tmp_path)
    msg = str(e.value)
    assert 'not found in' in msg and str(tmp_path) in msg and 'SPARSE_MU_DATA' in msg and 'download failed' in msg
    assert len(no_download) == 1


def test_missing_fashion_mnist_says_what_to_do(tmp_path, monkeypatch, no_download):
    monkeypatch.setattr(data, 'SYSTEM_FASHION_MNIST', tmp_path/'nowhere')    # hide Debian's copy
    with pytest.raises(FileNotFoundError, match='SPARSE_MU_DATA'): load_dataset('fashion_mnist', tmp_path)
    assert no_download and no_download[0][0] == 'FashionMNIST'


def test_download_hook_can_be_replaced(tmp_path, monkeypatch):
    "The loaders go through `_torchvision_download`, so a test (or an offline setup) can stub it."
    calls = []
    def fake(cls_name, root, **kws):
        calls.append(cls_name); raise data._missing(cls_name, root, 'stubbed')
    monkeypatch.setattr(data, '_torchvision_download', fake)
    with pytest.raises(FileNotFoundError, match='stubbed'): load_dataset('cifar10', tmp_path)
    assert calls == ['CIFAR10']


def test_torchvision_download_wraps_errors(tmp_path, monkeypatch):
    import torchvision.datasets as tvd
    def boom(root, download, **kws):
        assert download is True and root == str(tmp_path); raise OSError('Name or service not known')
    monkeypatch.setattr(tvd, 'CIFAR10', boom)
    with pytest.raises(FileNotFoundError, match='download failed \\(Name or service not known\\)') as e:
        data._torchvision_download('CIFAR10', tmp_path, splits=[dict(train=True)])
    assert isinstance(e.value.__cause__, OSError)


# ----------------------------------------------------------------------------------------------- your own data

def register_tiny_digits(name: str = 'tiny_digits') -> None:
    "scikit-learn's digits, 4 classes, registered through the public API (also the $SPARSE_MU_DATASETS target below)."
    from sklearn.datasets import load_digits
    d = load_digits(); keep = d.target < 4
    x = np.round(d.images[keep] * 255 / 16).astype(np.uint8)[:, None]; y = d.target[keep]
    data.register_dataset(name, lambda root: ((x[::2], y[::2]), (x[1::2], y[1::2])), num_classes=4, pad=1, replace=True)


@pytest.fixture
def tiny_digits():
    register_tiny_digits()
    yield 'tiny_digits'
    data.unregister_dataset('tiny_digits')


def test_registered_dataset_runs_a_smoke_study(tiny_digits, tmp_path):
    "A registered dataset goes through the whole pipeline: split, original, OMP, unlearning, every metric."
    import dataclasses
    from sparse_mu.cache import Cache
    from sparse_mu.pipeline import get_profile, run_grid
    P = dataclasses.replace(get_profile('smoke'), name='smoke_tiny', dataset=tiny_digits)
    df = run_grid(P, ('class', 'random'), ('original', 'retrain', 'FT', 'l1_sparse'), [0.0, 0.5], (0,), cache=Cache(tmp_path))
    assert len(df) == 16 and set(df.dataset) == {tiny_digits}
    for m in ('UA', 'MIA_Efficacy', 'RA', 'TA', 'MIA_Privacy'): assert df[m].between(0, 100).all(), m
    assert (df.query("scenario == 'class' and method == 'retrain'").UA == 100).all()   # Retrain never saw the class


def test_registered_dataset_checks(tiny_digits):
    s = make_splits(tiny_digits, per_class=12)
    assert s.train.y.bincount().tolist() == [12] * 4 and len(s.key['fingerprint']) == 16
    with pytest.raises(ValueError, match='lower per_class'): make_splits(tiny_digits, per_class=1000)
    x, y = torch.zeros(8, 1, 4, 4, dtype=torch.uint8), torch.tensor([0, 1] * 4)
    with pytest.raises(ValueError, match='built-in'): data.register_dataset('digits', train=(x, y), test=(x, y), num_classes=2)
    with pytest.raises(TypeError, match='uint8'): data.register_dataset('t', train=(x.float(), y), test=(x, y), num_classes=2)
    with pytest.raises(ValueError, match=r'\[N, C, H, W\]'): data.register_dataset('t', train=(x[:, 0], y), test=(x, y), num_classes=2)
    with pytest.raises(ValueError, match=r'outside \[0, 2\)'): data.register_dataset('t', train=(x, y), test=(x, y + 1), num_classes=2)
    with pytest.raises(ValueError, match=r'classes \[2\] have no training'): data.register_dataset('t', train=(x, y), test=(x, y), num_classes=3)
    with pytest.raises(TypeError, match='integers'): data.register_dataset('t', train=(x, y.float()), test=(x, y), num_classes=2)
    # a loader's data is checked when it is loaded
    data.register_dataset('bad_loader', lambda root: ((x, y + 5), (x, y)), num_classes=2)
    try:
        with pytest.raises(ValueError, match='outside'): load_dataset('bad_loader')
    finally: data.unregister_dataset('bad_loader')
    # the same name with other data: another split key, so the cache keeps them apart
    k1 = make_splits(tiny_digits).key['fingerprint']
    data.register_dataset(tiny_digits, train=(x, y), test=(x, y), num_classes=2, replace=True)
    assert make_splits(tiny_digits).key['fingerprint'] != k1


def test_registered_dataset_in_a_fresh_process(tmp_path):
    "$SPARSE_MU_DATASETS registers a dataset in a new process (as in a papermill kernel)."
    import subprocess, sys, os
    code = "from sparse_mu.pipeline import profile_splits, get_profile; import dataclasses; " \
           "print(len(profile_splits(dataclasses.replace(get_profile('smoke'), dataset='tiny_digits')).train))"
    import inspect
    (tmp_path/'my_data.py').write_text('import numpy as np\nfrom sparse_mu import data\n\n' + inspect.getsource(register_tiny_digits))
    env = dict(os.environ, SPARSE_MU_DATASETS=f'{tmp_path}/my_data.py:register_tiny_digits', SPARSE_MU_CACHE=str(tmp_path))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '48'                   # 4 classes x 12 (the smoke profile's per_class)
    env['SPARSE_MU_DATASETS'] = f'{tmp_path}/missing.py:register'
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode != 0 and 'does not exist' in out.stderr
