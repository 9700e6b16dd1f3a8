"Stronger evaluation (issue 14): attack robustness on constructed scores, the per-example tests on constructed margins."
import math

import numpy as np
import pytest
import torch

from sparse_mu.metrics import attack_report, mia_efficacy, roc_auc, tpr_at_fpr
from sparse_mu.per_example import epsilon, epsilon_score, forgetting_quality, klom, log_steps, margins, ulira
from sparse_mu.verdict import bootstrap_ci, t_interval


def test_auc_and_tpr_known_answers():
    assert roc_auc([0.9, 0.95, 1.0], [0.1, 0.2]) == 1.0
    assert tpr_at_fpr([0.9, 0.95, 1.0], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1, 0.2], [0.9, 0.95]) == 0.0
    assert roc_auc([0.9, 0.8, 0.3], [0.7, 0.2, 0.1]) == pytest.approx(8 / 9)       # 8 of 9 pairs won
    assert tpr_at_fpr([0.9, 0.8, 0.3], [0.7, 0.2, 0.1]) == pytest.approx(2 / 3)
    rng = np.random.default_rng(1)
    assert abs(roc_auc(rng.normal(size=3000), rng.normal(size=3000)) - 0.5) < 0.03
    with pytest.raises(ValueError, match='positives and negatives'): tpr_at_fpr([], [0.1])


def _logits(conf, y, k=10):
    p = ((1 - conf) / (k - 1))[:, None].repeat(1, k); p[torch.arange(len(y)), y] = conf
    return p.log().float()


def test_attack_report_separated_and_balance():
    g = torch.Generator().manual_seed(0)
    def toy(n, c, s):
        y = torch.randint(0, 10, (n,), generator=g)
        return _logits((c + s * torch.randn(n, generator=g)).clamp(0.05, 0.999), y), y
    zr, yr = toy(200, 0.99, 0.003); zt, yt = toy(300, 0.3, 0.02); zf, yf = toy(50, 0.3, 0.02)
    rep = attack_report(zr, yr, zt, yt, zf, yf)
    assert rep['AUC_members'] == 1.0 and rep['TPR_1FPR_members'] == 1.0
    assert abs(rep['AUC_forget'] - 0.5) < 0.15                                      # Df answers like the test set
    assert rep['MIA_Efficacy_balanced'] == 100.0
    za, ya = toy(100, 0.7, 0.15); zb, yb = toy(1000, 0.6, 0.15); zc, yc = toy(300, 0.62, 0.15)
    assert mia_efficacy(za, ya, zb, yb, zc, yc, balanced=False) > mia_efficacy(za, ya, zb, yb, zc, yc)


def test_margins_are_logit_confidence():
    z = torch.randn(20, 5, generator=torch.Generator().manual_seed(0)); y = torch.arange(20) % 5
    p = torch.softmax(z.double(), 1)[torch.arange(20), y].numpy()
    assert np.allclose(margins(z, y), np.log(p / (1 - p)), atol=1e-5)


def test_klom_zero_for_identical_and_grows_with_shift():
    r = np.random.default_rng(0).normal(size=(16, 30))
    assert np.allclose(klom(r, r), 0)
    means = [klom(r + d, r).mean() for d in (0.25, 1, 3)]
    assert means[0] < means[1] < means[2] and means[0] > 0


def test_per_example_attack_extremes():
    rng = np.random.default_rng(0); K = 16
    memorised, never_seen = rng.normal(8, 0.5, (K, 25)), rng.normal(-2, 0.5, (K, 25))
    b0 = 1 - 0.05 ** (1 / K)
    assert np.allclose(epsilon(memorised, never_seen), math.log((1 - b0) / b0))     # the ceiling at K = 16
    assert np.allclose(epsilon(never_seen, never_seen), 0)
    assert forgetting_quality(never_seen, never_seen) == 1.0
    assert forgetting_quality(memorised, never_seen) == 2.0 ** -3
    assert epsilon_score([0.1, 0.6, 1.2]).tolist() == [1.0, 0.5, 0.25]


def test_intervals_and_steps():
    r = np.random.default_rng(0).normal(size=(16, 10))
    est, lo, hi = bootstrap_ci(lambda a, b: a.mean() - b.mean(), [r + 1, r], n_boot=50)
    assert est == pytest.approx(1.0) and lo == pytest.approx(1.0) and hi == pytest.approx(1.0)
    m, lo, hi = t_interval([1., 2., 3., 4.]); assert lo < m == 2.5 < hi
    assert log_steps(4, 1024) == (4, 8, 16, 32, 64, 128, 256, 512, 1024)


def test_ulira_extremes():
    rng = np.random.default_rng(11)
    memorised, never_seen = rng.normal(6, 1, (16, 100)), rng.normal(-2, 1, (16, 100))
    assert ulira(memorised, never_seen).mean() > 0.99                          # fully distinguishable
    same = ulira(rng.normal(-2, 1, (16, 300)), rng.normal(-2, 1, (16, 300)))
    assert abs(same.mean() - 0.5) < 0.05, same.mean()                          # never seen vs never seen: indistinguishable
    assert (ulira(never_seen, never_seen) == 0.5).all()                        # identical sides: every decision a tie
    with pytest.raises(ValueError, match='at least 3'): ulira(never_seen[:2], never_seen[:2])
