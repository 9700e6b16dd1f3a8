"Library-level checks of the unlearning methods on the digits (fast)."
import copy
from dataclasses import replace
import pytest, torch
from conftest import digits_dense_and_sparse
from sparse_mu.data import make_splits, make_forget
from sparse_mu.models import build_model
from sparse_mu.prune import magnitude_mask, prunable
from sparse_mu.train import Recipe, train, accuracy
from sparse_mu.unlearn import (FFConfig, FTConfig, GAConfig, IUConfig, L1Config, RetrainConfig, METHODS, unlearn,
                               gamma_at, per_sample_grads, per_sample_grads_loop, woodfisher_solve)

RECIPE = Recipe(epochs=6, lr=0.05, batch_size=64, schedule='onecycle')
from sparse_mu.unlearn import BSConfig, ManiFConfig, NegGradConfig, RLConfig, SalUnConfig, SCRUBConfig, SSDConfig
CONFIGS = {'retrain': RetrainConfig(RECIPE), 'FT': FTConfig(epochs=1, batch_size=64), 'GA': GAConfig(epochs=2, lr=1e-3, batch_size=32),
           'FF': FFConfig(alpha=1e-6), 'IU': IUConfig(samples=100), 'l1_sparse': L1Config(epochs=1, batch_size=64, gamma=1e-3),
           'RL': RLConfig(epochs=1, batch_size=64), 'SalUn': SalUnConfig(epochs=1, batch_size=64),
           'SCRUB': SCRUBConfig(epochs=2, max_steps=1, lr=0.01), 'NegGrad+': NegGradConfig(epochs=1, batch_size=64, beta=0.7),
           'BS': BSConfig(epochs=2, lr=1e-3, batch_size=32, bound=0.3), 'SSD': SSDConfig(),
           'ManiF-SMC': ManiFConfig(epochs=1, batch_size=64, curve_steps=10)}

@pytest.fixture(scope='module')
def setup(): return digits_dense_and_sparse(RECIPE)

@pytest.mark.parametrize('method', list(METHODS))
@pytest.mark.parametrize('scenario', ['class', 'random'])
def test_pruned_weights_stay_zero(setup, method, scenario):
    s, _, sparse, mask = setup
    task = make_forget(s, scenario, forget_class=1, seed=0)
    um, rec = unlearn(method, sparse, task, CONFIGS[method], seed=0, mask=mask)
    for name, w in prunable(um).items(): assert (w[~mask[name]] == 0).all(), (method, name)
    assert rec['method'] == method and rec['RTE_min'] >= 0 and rec['config'] and rec['device'] == 'cpu'

def test_unlearn_does_not_touch_original(setup):
    s, model, _, _ = setup
    before = copy.deepcopy(model.state_dict())
    unlearn('FT', model, make_forget(s, 'class', forget_class=2), CONFIGS['FT'], seed=0)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())

def test_classwise_retrain_forgets_everything(setup):
    s, model, _, _ = setup
    task = make_forget(s, 'class', forget_class=4)
    um, _ = unlearn('retrain', model, task, CONFIGS['retrain'], seed=0)
    assert accuracy(um, task.forget) == 0.0          # UA = 100: the class is never predicted
    assert accuracy(um, task.test) > 80

def test_ga_lowers_forget_accuracy(setup):
    s, model, _, _ = setup
    task = make_forget(s, 'random', fraction=0.1, seed=0)
    um, _ = unlearn('GA', model, task, GAConfig(epochs=3, lr=5e-3, batch_size=16), seed=0)
    assert accuracy(um, task.forget) < accuracy(model, task.forget)

def test_methods_only_see_their_data(setup, monkeypatch):
    "GA gets only Df, FT/ℓ1/FF/retrain only Dr, IU both: check what the method functions receive."
    s, model, _, _ = setup
    task = make_forget(s, 'class', forget_class=3)
    seen = {}
    for name, spec in METHODS.items():
        def spy(m, *data, cfg=None, _name=name, **kws):
            seen[_name] = [len(d) for d in data[:-1]]
            return m
        monkeypatch.setitem(METHODS, name, spec.__class__(spy, spec.config, spec.sees))
        unlearn(name, model, task, CONFIGS[name], seed=0)
    R, F = len(task.retain), len(task.forget)
    assert seen == {'retrain': [R], 'FT': [R], 'GA': [F], 'FF': [R], 'IU': [R, F], 'l1_sparse': [R],
                    'RL': [R, F], 'SalUn': [R, F], 'SCRUB': [R, F], 'NegGrad+': [R, F], 'BS': [F], 'SSD': [R, F], 'ManiF-SMC': [R, F]}

def test_gamma_schedulers():
    decay, grow = L1Config(gamma=1.0), L1Config(gamma=1.0, scheduler='linear_growing')
    assert [gamma_at(decay, p) for p in (0, .2, .4, .6, .8)] == pytest.approx([1, .8, .6, .4, .2])
    assert [gamma_at(grow, p) for p in (0, .5)] == pytest.approx([0, .5])
    assert gamma_at(L1Config(gamma=.3, scheduler='constant'), .7) == pytest.approx(.3)

def test_l1_sparse_shrinks_the_norm(setup):
    s, model, _, _ = setup
    from sparse_mu.unlearn import l1_norm
    task = make_forget(s, 'random', fraction=0.1, seed=0)
    ft, _ = unlearn('FT', model, task, CONFIGS['FT'], seed=0)
    l1, _ = unlearn('l1_sparse', model, task, replace(CONFIGS['l1_sparse'], gamma=5e-2), seed=0)
    with torch.no_grad(): assert l1_norm(l1) < 0.95 * l1_norm(ft)

@pytest.mark.parametrize('bad', [lambda: FTConfig(lr=-1), lambda: GAConfig(epochs=0), lambda: FFConfig(alpha=-1e-8),
                                 lambda: IUConfig(alpha=-1), lambda: L1Config(scheduler='exp'), lambda: L1Config(gamma=-1)])
def test_bad_hyperparameters(bad):
    with pytest.raises(ValueError): bad()

def test_unknown_method(setup):
    s, model, _, _ = setup
    with pytest.raises(ValueError, match='choose one of: retrain, FT, GA, FF, IU, l1_sparse'):
        unlearn('oracle', model, make_forget(s, 'class'))

def test_vectorised_grads_and_woodbury(setup):
    s, model, _, _ = setup
    x, y = s.train.x[:8], s.train.y[:8]
    torch.testing.assert_close(per_sample_grads(model.eval(), x, y), per_sample_grads_loop(model.eval(), x, y), atol=1e-5, rtol=1e-4)
    G, v = torch.randn(30, 7, dtype=torch.float64), torch.randn(30, dtype=torch.float64)
    H = 2.0 * torch.eye(30, dtype=torch.float64) + G @ G.T / 7
    torch.testing.assert_close(H @ woodfisher_solve(G, v, 2.0), v)
