"The verdict layer: the four outcomes on data with known answers, the controls, the broken-model rule, intervals."
import numpy as np
import pandas as pd
import pytest

from sparse_mu.verdict import (COLUMNS, Claim, Verdicts, bootstrap_ci, jackknife_ci, broken_floor, broken_models, disparity_closed,
                               gap_closed, judge, noise_floor, paired_t_interval, t_interval)

CLAIM = Claim('sparse closes more of the gap', 'sparse − dense share closed', direction=1, margin=0.1)


@pytest.mark.parametrize('effects, want', [
    (np.random.default_rng(0).normal(0.5, 0.1, 10), 'reproduced'),      # a clear effect
    (np.random.default_rng(0).normal(0.0, 0.02, 10), 'contradicted'),   # a null effect, small noise, margin 0.1
    (np.random.default_rng(0).normal(0.03, 0.005, 10), 'contradicted'),  # a certain effect the paper's way, but below the margin
    (np.random.default_rng(0).normal(0.0, 1.0, 10), 'inconclusive'),    # a null effect, large noise
    ([np.nan] * 10, 'undefined'),                                        # saturated: no gap in any seed
    (np.zeros(10), 'undefined'),                                         # no variation at all
])
def test_four_outcomes(effects, want):
    assert judge(effects, CLAIM).verdict == want


def test_direction_pairing_and_one_seed():
    rng = np.random.default_rng(1)
    neg = Claim('x', 'e', direction=-1, margin=0.1)
    assert judge(rng.normal(-0.5, 0.1, 10), neg).verdict == 'reproduced'
    assert judge(rng.normal(0.5, 0.1, 10), neg).verdict == 'contradicted'
    base = rng.normal(0, 5, 10)
    v = judge(base + 0.3 + rng.normal(0, 0.01, 10), CLAIM, control=base)
    assert v.verdict == 'reproduced' and v.ci_low <= v.effect <= v.ci_high
    one = judge([0.4], CLAIM)
    assert one.verdict == 'inconclusive' and '1 seed' in one.detail


def test_intervals_contain_their_estimates():
    rng = np.random.default_rng(2)
    for _ in range(5):
        v = rng.lognormal(0, 1.5, 6)
        m, lo, hi = t_interval(v); assert lo <= m <= hi
        est, lo, hi = bootstrap_ci(lambda a: np.log(a.mean()), [v], n_boot=300); assert lo <= est <= hi
        b = rng.normal(size=6)
        d, lo, hi = paired_t_interval(v, b); assert lo <= d <= hi
        w = judge(v, CLAIM, interval='bootstrap', n_boot=300); assert w.ci_low <= w.effect <= w.ci_high
    with pytest.raises(ValueError, match='one row per seed'): bootstrap_ci(np.mean, [np.ones(3), np.ones(2)])


def test_broken_model_rule():
    assert broken_floor(10) == 20.0 and broken_floor(10, dense_ta=90.0) == 30.0
    assert broken_models([85.0, 25.0, 10.0], 10, dense_ta=90.0).tolist() == [False, True, True]
    eff = np.random.default_rng(3).normal(0.5, 0.1, 10)
    assert judge(eff, CLAIM, broken=[True] * 3 + [False] * 7).n_seeds == 7
    assert judge(eff, CLAIM, broken=[True] * 6 + [False] * 4).verdict == 'undefined'


def test_controls():
    assert gap_closed(50.0, 0.0, 100.0) == 0.5 and np.isnan(gap_closed(99.9, 99.5, 100.0))
    o = pd.DataFrame(dict(UA=[0., 0.], MIA_Efficacy=[0., 0.], RA=[100., 100.], TA=[90., 90.]))
    r = pd.DataFrame(dict(UA=[100., 100.], MIA_Efficacy=[100., 100.], RA=[100., 100.], TA=[90., 90.]))
    u = pd.DataFrame(dict(UA=[50., 100.], MIA_Efficacy=[50., 100.], RA=[100., 100.], TA=[90., 90.]))
    assert np.allclose(disparity_closed(u, o, r).values, [0.5, 1.0])
    assert gap_closed(u, o, r).RA.isna().all()
    nf = noise_floor(pd.DataFrame(dict(UA=[0., 2., 4.], MIA_Efficacy=[1., 1., 1.], RA=[9., 9., 9.], TA=[5., 5., 5.])))
    assert np.isclose(nf.UA, 8 / 3) and np.isclose(nf.Disparity, 8 / 3 / 4)


def test_verdicts_table(tmp_path):
    vs = Verdicts(); vs.judge(np.random.default_rng(4).normal(0.5, 0.1, 10), CLAIM)
    path = vs.save(tmp_path, 'demo')
    assert list(pd.read_csv(path).columns) == COLUMNS


def test_jackknife_interval():
    rng = np.random.default_rng(7)
    v = rng.normal(1, 2, 10)
    est, lo, hi = jackknife_ci(np.mean, [v])
    assert (est, lo, hi) == pytest.approx(t_interval(v))                       # the mean: the Student-t interval
    a, b = rng.normal(size=(6, 20)) * 3, rng.normal(size=(6, 20))              # a ratio of spreads over 6 rows (pairs)
    est, lo, hi = jackknife_ci(lambda a, b: a.std(0).mean() / b.std(0).mean(), [a, b])
    assert lo < est < hi and hi - est == pytest.approx(est - lo)               # centred: holds its estimate
    est, lo, hi = jackknife_ci(np.mean, [v[:2]])
    assert est == pytest.approx(v[:2].mean()) and np.isnan(lo) and np.isnan(hi)   # < 3 rows
    with pytest.raises(ValueError, match='one row per pair'): jackknife_ci(np.mean, [a, b[:3]])
