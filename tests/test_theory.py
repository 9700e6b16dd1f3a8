"Fast checks of sparse_mu.theory (the notebook nbs/10_theory.ipynb holds the fuller ones)."
import torch
from torch import nn

from sparse_mu.theory import (FlatModel, make_order, magnitude_mask, measure_error, random_mask, sigma_m,
                              step_loss)

torch.set_num_threads(1)


def _tiny(seed=0):
    torch.manual_seed(seed)
    fm = FlatModel.of(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double())
    x, y = torch.randn(6, 3, dtype=torch.float64), torch.tensor([0, 1, 1, 0, 1, 0])
    return fm, fm.flatten(), x, y


def test_sigma_matches_dense_restricted_hessian():
    fm, th, x, y = _tiny()
    m = random_mask(fm.prunable(), 0.5, torch.Generator().manual_seed(0), dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda t: step_loss(fm, t, x, y), th)
    dense = torch.linalg.eigvalsh(m[:, None] * H * m[None, :]).abs().max().item()
    est = sigma_m(fm, th, m, x, y, per_sample=False, iters=3000, tol=1e-12)
    assert abs(est - dense) <= 1e-6 * dense


def test_zero_mask_gives_zero_error_and_bound():
    fm, th, x, y = _tiny()
    r = measure_error(fm, th, torch.zeros_like(th), x, y, make_order(6, 5, 2), 0.3, torch.tensor([1, 4]))
    assert r['error'] == 0 and r['bound'] == 0 and r['weight_distance'] == 0 and r['sigma'] == 0


def test_error_shrinks_to_zero_with_one_step_and_masks_are_exact():
    fm, th, x, y = _tiny(1)
    m = torch.ones_like(th)
    one = measure_error(fm, th, m, x, y, torch.tensor([[1, 4]]), 0.3, torch.tensor([4]))
    many = measure_error(fm, th, m, x, y, make_order(6, 8, 2, torch.Generator().manual_seed(1)), 0.3, torch.tensor([1, 4]))
    assert one['error'] < 1e-12 and one['bound'] == 0 and many['error'] > 1e-6
    p = fm.prunable()
    mm = magnitude_mask(th, p, 0.75)
    assert int(mm[p].sum()) == round(0.25 * int(p.sum())) and bool((mm[~p] == 1).all())
