"A CPU training run is repeatable: same seed, same weights and accuracy; another seed, other weights."
import copy

import pytest
import torch

from sparse_mu.data import make_splits
from sparse_mu.models import build_model
from sparse_mu.train import Recipe, accuracy, predict, train

from conftest import FASHION_MNIST

RECIPE = Recipe(epochs=2, lr=0.05, batch_size=64, schedule='onecycle')


@pytest.fixture(scope='module')
def splits():
    if not (FASHION_MNIST/'train-images-idx3-ubyte.gz').exists(): pytest.skip('Fashion-MNIST is not installed')
    return make_splits('fashion_mnist', per_class=30, test_per_class=20)


def _run(splits, seed, train_seed=None):
    model = build_model('cnn', splits.info, seed=seed)
    model = train(model, splits.train, RECIPE, seed=seed if train_seed is None else train_seed,
                  augment=(splits.info.pad, splits.info.flip), device='cpu')
    return model, accuracy(model, splits.test, device='cpu')


def _same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.fixture(scope='module')
def run0(splits):
    return _run(splits, 0)


def test_same_seed_same_run(splits, run0):
    m1, a1 = run0
    m2, a2 = _run(splits, 0)
    assert a1 == a2
    assert _same_state(m1, m2)                                   # weights and BN statistics, bit for bit
    assert torch.equal(predict(m1, splits.test, device='cpu'), predict(m2, splits.test, device='cpu'))
    assert a1 > 10                                               # it learned something in 2 epochs (chance: 10%)


def test_training_changes_the_weights(splits, run0):
    m, _ = run0
    assert not _same_state(m, build_model('cnn', splits.info, seed=0))
    assert not m.training                                        # returned in eval mode


def test_other_seed_other_weights(splits, run0):
    m1, _ = run0
    m2, _ = _run(splits, 1)
    assert not torch.equal(m1[1][0].weight, m2[1][0].weight)
    # the same initialisation trained with another data-order/augmentation seed also ends elsewhere
    m3, _ = _run(splits, 0, train_seed=1)
    assert not _same_state(m1, m3)


def test_recipe_bad_input():
    with pytest.raises(ValueError, match='choose one of: multistep, onecycle, constant'): Recipe(epochs=1, lr=0.1, schedule='cosine')
    with pytest.raises(ValueError, match='learning rate'): Recipe(epochs=1, lr=0)
    with pytest.raises(ValueError, match='epochs must be a positive integer'): Recipe(epochs=0, lr=0.1)
    with pytest.raises(ValueError, match='batch_size must be a positive integer'): Recipe(epochs=1, lr=0.1, batch_size=0)
    with pytest.raises(ValueError, match='cpu_bf16 must be True or False'): Recipe(epochs=1, lr=0.1, cpu_bf16=1)


def test_channels_last_model_saves_and_loads(splits, run0):
    "Training leaves conv weights in channels_last layout; the state dict loads into a fresh model with the same logits."
    model, _ = run0
    assert all(p.is_contiguous(memory_format=torch.channels_last) for p in model.parameters() if p.ndim == 4)
    fresh = build_model('cnn', splits.info, seed=1)
    fresh.load_state_dict(copy.deepcopy(model.state_dict()))
    assert torch.equal(predict(fresh, splits.test, device='cpu'), predict(model, splits.test, device='cpu'))


def test_cpu_bf16_is_a_switch(splits, run0):
    "Recipe(cpu_bf16=True) trains under bf16 autocast on the CPU: other weights than the default fp32 run."
    model = train(build_model('cnn', splits.info, seed=0), splits.train, Recipe(**{**RECIPE.__dict__, 'cpu_bf16': True}),
                  seed=0, augment=(splits.info.pad, splits.info.flip), device='cpu')
    assert not _same_state(model, run0[0])
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_train_on_empty_data_fails(splits):
    empty = splits.train.subset(torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match='empty'): train(build_model('cnn', splits.info, seed=0), empty, RECIPE, seed=0)
    with pytest.raises(ValueError, match='empty'): accuracy(build_model('cnn', splits.info, seed=0), empty)
