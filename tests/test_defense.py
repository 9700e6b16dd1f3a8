"Fast checks of sparse_mu.defense: the conformal threshold's FPR guarantee, detection of an obvious outlier, the trigger-mass score, the RRR penalty (the notebook's smoke run: tests/test_experiments.py)."
import math, os
from pathlib import Path

import pandas as pd
import pytest
import torch
import torch.nn as nn

os.environ.setdefault('SPARSE_MU_PROGRESS', '0')
torch.set_num_threads(1)

from sparse_mu.backdoor import trigger_box
from sparse_mu.data import TensorData
from sparse_mu.defense import (box_mask, conformal_threshold, detect, detection_metrics, fit_detector, fit_gaussians,
                               input_saliency, mahalanobis, rrr_penalty, trigger_mass)


def gen(seed): return torch.Generator().manual_seed(seed)


def test_conformal_threshold_exact_on_a_hand_case():
    "Scores 1..19, α = 10%: k = ⌈20·0.9⌉ = 18, τ = 18; a new score of uniform rank in 1..20 exceeds it with probability 2/20."
    cal = torch.arange(1., 20)[torch.randperm(19, generator=gen(0))]      # order must not matter
    tau = conformal_threshold(cal, 0.1)
    assert tau == 18.0
    assert (torch.arange(1., 21) > tau).double().mean().item() == pytest.approx(0.1)
    assert conformal_threshold(cal, 0.04) == math.inf                      # k = 20 > n = 19


@pytest.mark.parametrize('alpha, n', [(0.01, 140), (0.05, 140), (0.1, 30)])
def test_conformal_fpr_at_most_alpha_over_many_draws(alpha, n):
    g = gen(1)
    fpr = torch.tensor([(torch.randn(4000, generator=g) > conformal_threshold(torch.randn(n, generator=g), alpha)).double().mean().item()
                        for _ in range(300)])
    assert fpr.mean() <= alpha + 0.004                                     # the guarantee (in expectation)
    assert fpr.mean() >= alpha - 1 / (n + 1) - 0.004                       # and not trivially conservative


def test_conformal_rejects_bad_alpha():
    with pytest.raises(ValueError, match='must lie in'): conformal_threshold(torch.ones(5), 1.0)


def test_mahalanobis_flags_an_obvious_outlier():
    g = gen(2)
    h = torch.cat([torch.randn(300, 4, generator=g), torch.randn(300, 4, generator=g) + 8])
    y = torch.cat([torch.zeros(300), torch.ones(300)]).long()
    G = fit_gaussians(h, y, 2)
    s = mahalanobis(G, torch.cat([torch.randn(50, 4, generator=g), torch.full((1, 4), 8.)]), torch.zeros(51, dtype=torch.long))
    assert s.argmax().item() == 50 and s[50] > 10 * s[:50].max()


class PixelsAsLatent(nn.Module):
    def __init__(self): super().__init__(); self.head = nn.Linear(4, 2)
    def forward(self, x): return self.head((x.float() / 255).flatten(1))


def images(n, cls, poisoned=False, seed=0):
    x = (60 + 140 * cls + 15 * torch.randn(n, 1, 2, 2, generator=gen(seed))).clamp(0, 255)
    if poisoned: x[..., 1, 1] = 255
    return TensorData(x.round().to(torch.uint8), torch.full((n,), 0 if poisoned else cls))


def test_detector_finds_the_poison_and_keeps_fpr():
    cat = lambda *ds: TensorData(torch.cat([d.x for d in ds]), torch.cat([d.y for d in ds]))
    clean_held_out = cat(images(150, 0, seed=1), images(150, 1, seed=2))
    data = cat(images(2000, 0, seed=3), images(2000, 1, seed=4), images(30, 1, poisoned=True, seed=5))
    is_poison = torch.arange(len(data)) >= 4000
    model = PixelsAsLatent()
    det = fit_detector(model, clean_held_out, alpha=0.05, seed=0)
    m = detection_metrics(detect(det, model, data), is_poison)
    assert m['TPR'] == 100.0
    assert m['FPR'] <= 5 + 2 * 100 * math.sqrt(0.05 * 0.95 / 150)          # α plus two calibration standard errors
    assert m['flagged'] == m['true_pos'] + m['false_pos']


class LooksAt(nn.Module):
    def __init__(self, region):
        super().__init__(); self.register_buffer('region', region)
        self.w = nn.Parameter(torch.randn(3, region.numel(), generator=gen(0)))
    def forward(self, x): return (x.float() * self.region).flatten(1) @ self.w.T


def test_trigger_mass_one_for_patch_model_zero_for_blind_model():
    box = trigger_box(28, 28); region = box_mask(28, 28, box)
    x = torch.randint(0, 256, (6, 1, 28, 28), dtype=torch.uint8, generator=gen(3))
    assert torch.allclose(trigger_mass(input_saliency(LooksAt(region), x), box), torch.ones(6), atol=1e-6)
    assert torch.allclose(trigger_mass(input_saliency(LooksAt(1 - region), x), box), torch.zeros(6), atol=1e-6)
    half = region.clone(); half[:, :14] = 1                                 # looks at the patch and the left half
    assert 0 < trigger_mass(input_saliency(LooksAt(half), x), box).mean() < 1


def test_rrr_penalty_zero_off_region_and_differentiable():
    box = trigger_box(28, 28); region = box_mask(28, 28, box)
    x = torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8, generator=gen(4))
    assert rrr_penalty(LooksAt(1 - region), x, region).item() == pytest.approx(0.0, abs=1e-8)
    m = nn.Sequential(nn.Flatten(), nn.Linear(784, 8), nn.Tanh(), nn.Linear(8, 3))
    p = rrr_penalty(m, x, region); p.backward()
    assert p.item() > 0 and m[1].weight.grad.abs().sum() > 0               # the penalty's gradient reaches the weights

