"Transfer learning (sparse_mu.transfer): the class-influence estimator, class subsets, the linear probe, and one smoke run of nbs/16_transfer.ipynb."
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from sparse_mu.data import TensorData
from sparse_mu.transfer import (PROBE_MAX_ITER, bootstrap_top_k, class_influence, class_subsets, feature_extractor,
                                fit_probe, harmful_classes, linear_probe, to_source_format, unstable_classes)

NBS = Path(__file__).resolve().parent.parent/'nbs'


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_influence_finds_the_harmful_class(seed):
    "Scores drop by 5 points whenever class 2 is in the source: class 2 is ranked most harmful, influence ≈ −5."
    subsets = class_subsets(10, 32, 0.5, seed=seed)
    rng = np.random.default_rng(seed)
    scores = 80 - 5 * subsets[:, 2].numpy() + rng.normal(0, 0.5, len(subsets))
    infl = class_influence(subsets, scores)
    assert harmful_classes(infl, 1) == [2]
    assert abs(infl[2] + 5) < 1.0


def test_influence_beneficial_class_is_ranked_last():
    subsets = class_subsets(6, 40, 0.5, seed=3)
    scores = 50 + 4 * subsets[:, 5].numpy() - 2 * subsets[:, 1].numpy()
    infl = class_influence(subsets, scores)
    assert harmful_classes(infl, 6)[0] == 1 and harmful_classes(infl, 6)[-1] == 5


def test_influence_of_per_example_scores_is_influence_on_the_mean():
    subsets = class_subsets(5, 12, 0.4, seed=0)
    per_example = np.random.default_rng(0).normal(size=(12, 9))
    np.testing.assert_allclose(class_influence(subsets, per_example), class_influence(subsets, per_example.mean(1)))


def test_influence_undefined_and_bad_shapes():
    infl = class_influence(np.array([[True, True, False], [True, False, True]]), [1.0, 3.0])
    assert np.isnan(infl[0])                                  # kept by every model: no model without it
    assert infl[1] == pytest.approx(-2.0) and infl[2] == pytest.approx(2.0)
    assert harmful_classes(infl, 2) == [1, 2]
    with pytest.raises(ValueError, match='0..2'): harmful_classes(infl, 3)
    with pytest.raises(ValueError, match='same M'): class_influence(np.ones((3, 4), bool), [1.0, 2.0])


def test_class_subsets_shape_and_determinism():
    a = class_subsets(10, 16, 0.5, seed=7)
    assert a.shape == (16, 10) and a.dtype == torch.bool
    assert torch.equal(a.sum(1), torch.full((16,), 5))
    assert torch.equal(a, class_subsets(10, 16, 0.5, seed=7))
    assert not torch.equal(a, class_subsets(10, 16, 0.5, seed=8))
    assert class_subsets(100, 3, 0.3, seed=0).sum(1).tolist() == [30, 30, 30]
    assert class_subsets(4, 2, 0.01, seed=0).sum(1).tolist() == [1, 1]      # at least one class, never all
    with pytest.raises(ValueError, match='keep_prob'): class_subsets(10, 4, 0.0)
    with pytest.raises(ValueError, match='at least 2 classes'): class_subsets(1, 4, 0.5)


def _separable(n: int, gen: torch.Generator) -> TensorData:
    y = torch.arange(n) % 3
    x = (y.view(-1, 1, 1, 1) * 90 + torch.randint(0, 40, (n, 1, 5, 5), generator=gen)).to(torch.uint8)
    return TensorData(x, y)


def test_linear_probe_on_a_separable_toy():
    g = torch.Generator().manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(25, 7))       # features = the raw pixels
    assert linear_probe(net, _separable(60, g), _separable(30, g)) == 100.0
    assert linear_probe(net, _separable(60, g), _separable(30, g), metric='p_true') > 90
    with pytest.raises(ValueError, match='ending with an nn.Linear'): feature_extractor(nn.Sequential(nn.ReLU()))


def _probe_under(n_threads: int, model, train, test):
    old = torch.get_num_threads(); torch.set_num_threads(n_threads)
    try:
        probe = fit_probe(model, train)
        return probe.scores(test), probe.clf.coef_.copy(), probe.clf.n_iter_[0], torch.get_num_threads()
    finally: torch.set_num_threads(old)


def test_probe_is_identical_with_one_and_two_threads():
    "The probe (CNN features, float64 lbfgs to its tolerance) gives bit-identical scores and weights with 1 and 2 threads."
    from sparse_mu.data import make_splits
    from sparse_mu.models import build_model
    d = make_splits('digits')
    model = build_model('cnn', d.info, seed=0, width=8)
    s1, w1, it1, t1 = _probe_under(1, model, d.train, d.test)
    s2, w2, it2, t2 = _probe_under(2, model, d.train, d.test)
    assert (t1, t2) == (1, 2)                                  # the caller's thread count is restored
    assert s1 == s2 and np.array_equal(w1, w2) and it1 == it2
    assert it1 < PROBE_MAX_ITER                                # converged, not cut off by the iteration budget
    assert 0 < s1['p_true'] < 100


def test_bootstrap_top_k_finds_the_stable_class():
    subsets = class_subsets(10, 40, 0.5, seed=0)
    scores = 80 - 5 * subsets[:, 2].numpy() + np.random.default_rng(0).normal(0, 0.5, 40)
    freq = bootstrap_top_k(subsets, scores, [1, 3], n_boot=200, seed=0)
    assert freq.shape == (2, 10) and np.allclose(freq.sum(1), [1, 3])
    assert freq[0, 2] > 0.95 and unstable_classes(freq[0]) == []
    assert np.array_equal(freq, bootstrap_top_k(subsets, scores, [1, 3], n_boot=200, seed=0))
    flat = bootstrap_top_k(subsets, np.random.default_rng(1).normal(0, 1, 40), [1], n_boot=200, seed=0)
    assert flat.max() < 0.8                                   # pure noise: no class is reliably the most harmful


def test_to_source_format():
    d = TensorData(torch.randint(0, 256, (3, 1, 8, 8), dtype=torch.uint8), torch.tensor([0, 1, 2]))
    out = to_source_format(d, 28, 1)
    assert out.x.shape == (3, 1, 28, 28) and out.x.dtype == torch.uint8 and torch.equal(out.y, d.y)
    assert to_source_format(d, 32, 3).x.shape == (3, 3, 32, 32)


def test_notebook_smoke_run(tmp_path, monkeypatch):
    "nbs/16_transfer.ipynb at the smoke profile, with a fresh cache: it writes Table 4, its figures and its claims."
    pm = pytest.importorskip('papermill')
    monkeypatch.setenv('SPARSE_MU_CACHE', str(tmp_path/'cache'))
    out = tmp_path/'out'
    pm.execute_notebook(str(NBS/'16_transfer.ipynb'), str(tmp_path/'16.ipynb'), kernel_name='python3', cwd=str(NBS),
                        parameters=dict(profile='smoke', out_dir=str(out)), progress_bar=False)
    for name in ('table4_transfer', 'transfer_influence', 'transfer_ranking_stability'):
        assert (out/f'{name}.png').exists() and (out/f'{name}.pdf').exists()
    df = pd.read_csv(out/'tables'/'table4.csv')
    assert set(df.method) == {'original', '[51]', 'l1_sparse'} and sorted(df.k.unique()) == [0, 1, 2]
    assert df[df.k > 0].UA.eq(100).any()                       # [51] never saw the removed classes
    assert '## Table 4 of the paper' in (out/'tables'/'table4.md').read_text()
    assert len(pd.read_csv(out/'tables'/'table4_claims.csv')) == 3
    stab = pd.read_csv(out/'tables'/'transfer_ranking_stability.csv')
    assert {'k', 'cls', 'top_k_share', 'unstable'} <= set(stab.columns) and sorted(stab.k.unique()) == [1, 2]
