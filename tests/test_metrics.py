"Fast checks of sparse_mu.metrics (the notebook nbs/06_metrics.ipynb holds the full tests)."
import math

import pandas as pd
import pytest
import torch

import sparse_mu.metrics as metrics
from sparse_mu.metrics import (accuracy, unlearning_accuracy, mia_features, mia_efficacy, mia_privacy, svc_attack, svc_fit,
                               disparity_average, paper_table, markdown_table, MIA_KINDS)


def _logits(conf, y, k=10):
    "Logits whose softmax puts `conf` on label `y` and spreads the rest evenly."
    p = ((1 - conf) / (k - 1))[:, None].repeat(1, k)
    p[torch.arange(len(y)), y] = conf
    return p.log()


def test_accuracy_and_ua():
    z = torch.tensor([[2., 1., 0.], [0., 3., 1.], [1., 0., 5.], [4., 0., 0.]])
    y = torch.tensor([0, 1, 0, 1])
    assert accuracy(z, y) == 50.0 and unlearning_accuracy(z, y) == 50.0
    with pytest.raises(ValueError, match=r'\[0, 3\)'): accuracy(z, torch.tensor([0, 1, 3, 0]))


def test_m_entropy_by_hand():
    p = torch.tensor([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]], dtype=torch.float64)
    m = mia_features(p.log(), torch.tensor([0, 2]), 'm_entropy').squeeze(1)
    want0 = -(0.3 * math.log(0.7) + 0.2 * math.log(0.8) + 0.1 * math.log(0.9))
    want2 = -(0.9 * math.log(0.1) + 0.7 * math.log(0.3) + 0.2 * math.log(0.8))
    assert m.tolist() == pytest.approx([want0, want2], abs=1e-9)
    with pytest.raises(ValueError, match='choose one of: ' + ', '.join(MIA_KINDS)): mia_features(p, torch.tensor([0, 0]), 'x')


def test_mia_separable_case():
    g = torch.Generator().manual_seed(1)
    def toy(n, c, s):
        y = torch.randint(0, 10, (n,), generator=g)
        return _logits((c + s * torch.randn(n, generator=g)).clamp(0.05, 0.999), y), y
    zr, yr = toy(200, 0.99, 0.005); zt, yt = toy(80, 0.3, 0.02)
    zf, yf = toy(40, 0.3, 0.02); zh, yh = toy(40, 0.99, 0.005)
    assert mia_efficacy(zr, yr, zt, yt, zf, yf) == 100.0
    assert mia_efficacy(zr, yr, zt, yt, zh, yh) == 0.0
    assert mia_privacy(zr, yr, zt, yt) == 100.0


def test_disparity_and_table():
    ft = dict(UA=73.64, MIA_Efficacy=83.02, RA=99.87, TA=94.32)
    rt = dict(UA=100., MIA_Efficacy=100., RA=99.99, TA=91.80)
    assert disparity_average(ft, rt) == pytest.approx(11.495)
    df = pd.DataFrame([dict(scenario='class', sparsity=0.95, method=m, seed=0, RTE_min=1.0, **r)
                       for m, r in (('FT', ft), ('Retrain', rt))])
    tab = paper_table(df)
    assert list(tab.method) == ['Retrain', 'FT']
    assert tab.UA[1] == '73.64 (26.36)' and tab.Disparity[0] == '0.00'
    assert float(tab.Disparity[1]) == pytest.approx(11.495, abs=0.006)   # 11.495 rounds either way in binary
    assert markdown_table(tab).count('\n') == 4


def _overlapping(n, seed):
    "Confidence features of members and non-members that overlap: the SVC has many support vectors."
    g = torch.Generator().manual_seed(seed)
    return (0.6 + 0.4 * torch.rand(n, 1, generator=g, dtype=torch.float64),
            0.3 + 0.7 * torch.rand(n, 1, generator=g, dtype=torch.float64))


def test_privacy_one_fit_is_the_two_fits():
    "MIA-Privacy fits its shadow model once: the same number as fitting it twice, once per target set."
    g = torch.Generator().manual_seed(3)
    def toy(n, lo, hi):
        y = torch.randint(0, 10, (n,), generator=g)
        return _logits(lo + (hi - lo) * torch.rand(n, generator=g), y), y
    zr, yr = toy(300, 0.5, 0.999); zt, yt = toy(200, 0.2, 0.99)
    tr, te, n = mia_features(zr, yr), mia_features(zt, yt), 100
    two_fits = 100 * (svc_attack(tr[:n], te[:n], tr[n:]).mean() + 1 - svc_attack(tr[:n], te[:n], te[n:]).mean()) / 2
    assert mia_privacy(zr, yr, zt, yt) == float(two_fits)


def test_cache_size_does_not_change_the_attack(monkeypatch):
    members, nonmembers = _overlapping(400, 0)
    targets = torch.linspace(0, 1, 501, dtype=torch.float64)[:, None]
    big = svc_fit(members, nonmembers)(targets)
    monkeypatch.setattr(metrics, 'SVC_CACHE_MB', 1)          # a cache far smaller than the kernel matrix
    assert (svc_fit(members, nonmembers)(targets) == big).all()
    assert svc_fit(members, nonmembers)(targets[:0]).shape == (0,)
