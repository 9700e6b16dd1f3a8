"Sparse tickets in transfer (sparse_mu.tickets): the k-per-class sampler, the test-set shifts, PGD and PGD training, and one smoke run of nbs/23_sparse_tickets.ipynb."
from pathlib import Path

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from sparse_mu.core import generator
from sparse_mu.data import Splits, TensorData, make_splits
from sparse_mu.models import build_model
from sparse_mu.tickets import (PGDConfig, adversarial_train, contrast, gaussian_noise, k_per_class, low_data_splits, pgd,
                               robust_accuracy)
from sparse_mu.train import Recipe, accuracy, train

NBS = Path(__file__).resolve().parent.parent/'nbs'


@pytest.fixture(scope='module')
def digits():
    return make_splits('digits')


def _id_images(ids: torch.Tensor) -> torch.Tensor:
    "Images whose two first pixels encode a unique id (base 256)."
    x = torch.zeros(len(ids), 1, 4, 4, dtype=torch.uint8)
    x[:, 0, 0, 0], x[:, 0, 0, 1] = (ids // 256).to(torch.uint8), (ids % 256).to(torch.uint8)
    return x


def test_sampler_sizes_and_determinism(digits):
    for k in (1, 5, 25):
        idx = k_per_class(digits.train, k, seed=3)
        assert torch.bincount(digits.train.y[idx], minlength=10).tolist() == [k] * 10
        assert len(idx.unique()) == len(idx)                   # without replacement
        assert torch.equal(idx, k_per_class(digits.train, k, seed=3))
    assert not torch.equal(k_per_class(digits.train, 5, seed=0), k_per_class(digits.train, 5, seed=1))
    assert len(k_per_class(digits.train, None)) == len(digits.train)
    with pytest.raises(ValueError, match='fewer than k'): k_per_class(digits.train, 500)
    with pytest.raises(ValueError, match='positive integer'): k_per_class(digits.train, -1)


def test_sampler_is_disjoint_from_test(digits):
    "Every image carries its id: the k-per-class training set holds only training ids, never a test id."
    n_tr, n_te = len(digits.train), len(digits.test)
    ids = torch.arange(n_tr + n_te)
    s = Splits(TensorData(_id_images(ids[:n_tr]), digits.train.y), digits.val,
               TensorData(_id_images(ids[n_tr:]), digits.test.y), digits.info, {})
    sub = low_data_splits(s, 10, seed=0)
    got = sub.train.x[:, 0, 0, 0].long() * 256 + sub.train.x[:, 0, 0, 1].long()
    assert len(got) == 100 and set(got.tolist()) <= set(range(n_tr)) and not set(got.tolist()) & set(range(n_tr, n_tr + n_te))
    assert torch.equal(sub.test.x, s.test.x)


def test_shifts(digits):
    n = gaussian_noise(digits.test, 0.2, seed=0)
    assert n.x.dtype == torch.uint8 and not torch.equal(n.x, digits.test.x) and torch.equal(n.x, gaussian_noise(digits.test, 0.2, seed=0).x)
    c = contrast(digits.test, 0.4)
    assert c.x.float().std() < 0.5 * digits.test.x.float().std() and torch.equal(contrast(digits.test, 1.0).x, digits.test.x)


@pytest.fixture(scope='module')
def trained(digits):
    torch.manual_seed(0)
    return train(build_model('cnn', digits.info, seed=0, width=8), digits.train,
                 Recipe(epochs=4, lr=0.05, batch_size=64, schedule='onecycle'), seed=0)


@pytest.mark.parametrize('random_start', [True, False])
def test_pgd_raises_the_loss_within_eps_and_pixel_range(digits, trained, random_start):
    x, y = digits.test.x[:128], digits.test.y[:128]
    cfg = PGDConfig(eps=0.08, steps=8, random_start=random_start)
    trained.zero_grad(set_to_none=True)                       # training leaves the last step's gradients
    x_adv = pgd(trained, x, y, cfg, generator(0))
    x0 = x.float() / 255
    with torch.no_grad():
        clean, adv = F.cross_entropy(trained(x0), y).item(), F.cross_entropy(trained(x_adv), y).item()
    assert adv > clean + 0.5, (clean, adv)
    assert (x_adv - x0).abs().max().item() <= 0.08 + 1e-6
    assert x_adv.min().item() >= 0 and x_adv.max().item() <= 1
    assert all(p.grad is None for p in trained.parameters())   # the attack leaves the model's gradients alone
    assert robust_accuracy(trained, digits.test, cfg) < accuracy(trained, digits.test) - 20


def test_adversarial_training_raises_robust_accuracy(digits):
    rec = Recipe(epochs=6, lr=0.05, batch_size=64, schedule='onecycle')
    cfg, attack = PGDConfig(eps=0.1, steps=3), PGDConfig(eps=0.1, steps=10)
    std = train(build_model('cnn', digits.info, seed=0, width=8), digits.train, rec, seed=0)
    adv = adversarial_train(build_model('cnn', digits.info, seed=0, width=8), digits.train, rec, cfg, seed=0)
    r_std, r_adv = robust_accuracy(std, digits.test, attack), robust_accuracy(adv, digits.test, attack)
    assert r_adv > r_std + 15, (r_std, r_adv)
    assert accuracy(adv, digits.test) > 80

