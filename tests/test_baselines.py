"The field's baselines (RL, SalUn, SCRUB, NegGrad+, Boundary Shrink, SSD, ManiF-SMC) on the digits: data seen, masks, effect."
import copy
import pytest, torch
from conftest import digits_dense_and_sparse
from sparse_mu.data import make_splits, make_forget
from sparse_mu.models import build_model
from sparse_mu.prune import magnitude_mask, prunable
from sparse_mu.train import Recipe, train, accuracy
from sparse_mu.data import TensorData
from sparse_mu.unlearn import (METHODS, PRESETS, BSConfig, ManiFConfig, NegGradConfig, RLConfig, SalUnConfig, SCRUBConfig, SSDConfig,
                               unlearn, saliency_mask, salun, random_wrong_labels, nearest_wrong_labels, ssd_factors)

RECIPE = Recipe(epochs=10, lr=0.05, batch_size=64, schedule='onecycle')
BASELINES = ('RL', 'SalUn', 'SCRUB', 'NegGrad+', 'BS', 'SSD', 'ManiF-SMC')
# settings of the digit checks (the presets are for the profiles); BS needs a larger FGSM step on 8×8 digits
CHECK = {'RL': RLConfig(epochs=2, batch_size=64), 'SalUn': SalUnConfig(epochs=2, batch_size=64),
         'SCRUB': SCRUBConfig(lr=0.01), 'NegGrad+': NegGradConfig(epochs=2, batch_size=64, beta=0.7),
         'BS': BSConfig(epochs=10, lr=1e-3, batch_size=32, bound=0.3), 'SSD': SSDConfig(),
         'ManiF-SMC': ManiFConfig(epochs=3, batch_size=64, curve_steps=30)}
MIN_UA_GAIN = {'NegGrad+': 5}        # NegGrad+ is the weakest eraser of a whole class here (see 07_unlearn)
MIN_RA = {'SSD': 50}                 # SSD's λ = 1, α = 10 also dampen weights Dr needs on this 8-wide CNN

@pytest.fixture(scope='module')
def setup(): return digits_dense_and_sparse(RECIPE)

class Guarded:
    "A ForgetTask whose Dr / Df fields raise unless the method may see them."
    def __init__(self, task, allowed): self._task, self._allowed = task, set(allowed)
    def __getattr__(self, name):
        if name in ('retain', 'forget', 'test', 'full_test') and name not in self._allowed:
            raise AssertionError(f'the method read task.{name}')
        return getattr(self._task, name)

@pytest.mark.parametrize('method', BASELINES)
def test_sees_nothing_else(setup, method):
    s, model, _, _ = setup
    task = make_forget(s, 'class', forget_class=2)
    unlearn(method, model, Guarded(task, METHODS[method].sees), CHECK[method], seed=0)
    expected = {'BS': ('forget',)}.get(method, ('retain', 'forget'))
    assert METHODS[method].sees == expected

@pytest.mark.parametrize('method', BASELINES)
def test_raises_ua_keeps_ra(setup, method):
    s, model, _, _ = setup
    task = make_forget(s, 'class', forget_class=0)
    um, rec = unlearn(method, model, task, CHECK[method], seed=0)
    ua0, ua1 = 100 - accuracy(model, task.forget), 100 - accuracy(um, task.forget)
    assert ua1 > ua0 + MIN_UA_GAIN.get(method, 20), (method, ua0, ua1)
    assert accuracy(um, task.retain) > MIN_RA.get(method, 80)
    assert rec['method'] == method and rec['config'] == {k: v for k, v in rec['config'].items()}

@pytest.mark.parametrize('method', BASELINES)
@pytest.mark.parametrize('scenario', ['class', 'random'])
def test_masks_stay_zero_with_momentum_and_decay(setup, method, scenario):
    s, _, sparse, mask = setup
    task = make_forget(s, scenario, forget_class=1, seed=0)
    um, _ = unlearn(method, sparse, task, CHECK[method], seed=0, mask=mask)
    for name, w in prunable(um).items(): assert (w[~mask[name]] == 0).all(), (method, name)

def test_salun_holds_non_salient_weights(setup):
    "Non-salient weights stay exactly at θo although weight decay and momentum act on every step."
    s, _, sparse, mask = setup
    task = make_forget(s, 'class', forget_class=3)
    cfg = SalUnConfig(epochs=2, batch_size=32, lr=0.05, weight_decay=5e-2)
    sal = saliency_mask(sparse, task.forget, cfg.threshold, mask)
    um = salun(copy.deepcopy(sparse), task.retain, task.forget, cfg, seed=0, mask=mask)
    before = dict(sparse.named_parameters())
    moved = 0
    for n, p in um.named_parameters():
        assert torch.equal(p.detach()[~sal[n]], before[n].detach()[~sal[n]]), n
        moved += int((p.detach()[sal[n]] != before[n].detach()[sal[n]]).sum())
    assert moved > 0.5 * sal.n_kept
    for n in mask: assert not sal[n][~mask[n]].any()

def test_helpers():
    y = torch.arange(10).repeat(20)
    assert (random_wrong_labels(y, 10, 0) != y).all()
    f = ssd_factors(torch.tensor([1.0, 1.0, 2.0]), torch.tensor([11.0, 5.0, 40.0]), dampening=1.0, selection=10.0)
    torch.testing.assert_close(f, torch.tensor([1 / 11, 1.0, 0.05]))

def test_fgsm_labels_are_predictions(setup):
    s, model, _, _ = setup
    data = s.train.subset(torch.arange(32))
    lab = nearest_wrong_labels(model, data, 1e-8)       # a vanishing step: the model's own predictions
    assert torch.equal(lab, model(data.x).argmax(1))

def test_every_preset_has_every_method():
    for name, preset in PRESETS.items():
        assert set(preset) == set(METHODS) - {'retrain'}, name
        for m, cfg in preset.items(): assert isinstance(cfg, METHODS[m].config), (name, m)

@pytest.mark.parametrize('bad', [lambda: SCRUBConfig(epochs=1, max_steps=2), lambda: SalUnConfig(threshold=1.5),
                                 lambda: NegGradConfig(beta=-0.1), lambda: BSConfig(bound=0), lambda: SSDConfig(selection=0),
                                 lambda: SSDConfig(importance='exact'), lambda: ManiFConfig(neighbours=0)])
def test_bad_hyperparameters(bad):
    with pytest.raises(ValueError): bad()

def test_manif_never_reads_forget_labels(setup):
    "ManiF-SMC sees Df's images only: scrambling Df's labels changes nothing."
    s, _, sparse, mask = setup
    task = make_forget(s, 'random', seed=0)
    cfg = ManiFConfig(epochs=1, batch_size=64, curve_steps=10)
    a, _ = unlearn('ManiF-SMC', sparse, task, cfg, seed=0, mask=mask)
    scrambled = TensorData(task.forget.x, torch.randint(0, 10, (len(task.forget),), generator=torch.Generator().manual_seed(3)))
    task.forget = scrambled
    b, _ = unlearn('ManiF-SMC', sparse, task, cfg, seed=0, mask=mask)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
