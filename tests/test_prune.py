"Fast checks of sparse_mu.prune on the 8×8 digits: masks stay binary, sparsity is exact, masks survive the cache format."
import copy, os

import pytest
import torch
from torch import nn

os.environ.setdefault('SPARSE_MU_PROGRESS', '0')
torch.set_num_threads(1)

from sparse_mu.data import make_splits
from sparse_mu.models import build_model
from sparse_mu.prune import Mask, imp, magnitude_mask, omp, prunable, synflow_mask, train_with_rewind, weight_sparsity
from sparse_mu.train import Recipe, train

RECIPE = Recipe(epochs=2, lr=0.05, momentum=0.9, weight_decay=5e-4, batch_size=128)


@pytest.fixture(scope='module')
def digits():
    splits = make_splits('digits', seed=0)
    return splits, build_model('cnn', splits.info, seed=0, width=8)


@pytest.fixture(scope='module')
def dense(digits):
    splits, init = digits
    return train_with_rewind(copy.deepcopy(init), splits.train, RECIPE, seed=0, rewind_epoch=1)


def test_pruned_weights_stay_zero_and_mask_round_trips(digits, tmp_path):
    splits, init = digits
    mask = magnitude_mask(init, 0.8, scope='conv+linear')
    torch.save(mask.state_dict(), tmp_path / 'mask.pt')
    mask = Mask.from_state_dict(torch.load(tmp_path / 'mask.pt', weights_only=True))
    net = train(copy.deepcopy(init), splits.train, RECIPE, seed=0, mask=mask)  # momentum + weight decay
    for name, w in prunable(net, 'conv+linear').items():
        assert (w[~mask[name]] == 0).all()
    assert weight_sparsity(net, 'conv+linear') == pytest.approx(mask.sparsity, abs=1e-6)


@pytest.mark.parametrize('sparsity', [0.5, 0.95])
def test_omp_reaches_requested_sparsity(digits, dense, sparsity):
    splits, init = digits
    net, mask = omp(init, splits.train, RECIPE, sparsity=sparsity, rewind_epoch=1, seed=0,
                    dense_model=dense[0], rewind_state=dense[1])
    assert mask.n_weights - mask.n_kept == round(sparsity * mask.n_weights)
    assert abs(weight_sparsity(net) - sparsity) < 1e-3


def test_imp_prunes_a_fifth_of_the_remaining_per_round(digits, dense):
    splits, init = digits
    _, mask, rounds = imp(init, splits.train, Recipe(epochs=1, lr=0.05, batch_size=256), sparsity=0.4,
                          rewind_epoch=1, seed=0, dense_model=dense[0], rewind_state=dense[1])
    assert [r['round'] for r in rounds] == [1, 2, 3]
    assert all(abs(r['pruned_of_remaining'] - 0.2) < 1e-3 for r in rounds[:-1])
    assert mask.n_weights - mask.n_kept == round(0.4 * mask.n_weights)


def test_synflow_is_data_free_and_sparsity_is_checked(digits):
    _, init = digits
    other = copy.deepcopy(init)
    for m in other.modules():  # what data would change outside the weights: normalisation and BN statistics
        if isinstance(m, nn.BatchNorm2d): m.running_mean.add_(0.5); m.running_var.mul_(3)
    other[0].mean.fill_(0.9); other[0].std.fill_(0.1)
    assert synflow_mask(init, 0.9, iterations=10) == synflow_mask(other, 0.9, iterations=10)
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match=r'sparsity must lie in \[0, 1\)'):
            synflow_mask(init, bad)
        with pytest.raises(ValueError, match=r'sparsity must lie in \[0, 1\)'):
            magnitude_mask(init, bad)
