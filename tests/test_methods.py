"Adding a method is one function and one `register`: a toy method through the pipeline, the plan and a table, then removed."
import inspect
from dataclasses import dataclass
import pytest, torch
from sparse_mu.cache import Cache
from sparse_mu.engine import ENV_ADDRESS, ENV_WORKERS
from sparse_mu.metrics import paper_table
from sparse_mu.pipeline import get_profile, grid_units, run_grid
from sparse_mu.plan import estimate, profile_model, held_out_share, unit_epochs, unit_memory
from sparse_mu.unlearn import METHODS, PRESETS, Method, display_names, register, unregister

@dataclass(frozen=True)
class ShrinkConfig:
    factor: float = 0.99                   # every weight times this

def shrink(model, cfg: ShrinkConfig, *, seed: int, mask=None):
    "The toy method: shrink every weight by 1% (it sees no data)."
    with torch.no_grad():
        for p in model.parameters(): p.mul_(cfg.factor)
    return model

@pytest.fixture
def toy(monkeypatch, tmp_path):
    monkeypatch.setenv('SPARSE_MU_CACHE', str(tmp_path/'cache'))
    for name in (ENV_WORKERS, ENV_ADDRESS): monkeypatch.delenv(name, raising=False)    # in-process: the toy lives here
    method = register(Method(shrink, ShrinkConfig, (), key='shrink', display='Shrink 1%', passes=lambda c, d: 0.0,
                             memory=lambda c, model, x1, data, budget: 0,
                             presets=dict(reference=ShrinkConfig(), fast=ShrinkConfig(), smoke=ShrinkConfig(0.98))))
    yield method
    if 'shrink' in METHODS: unregister('shrink')

def test_toy_method_runs_through_pipeline_plan_and_table(toy, tmp_path):
    P = get_profile('smoke')
    assert P.config('shrink') == ShrinkConfig(0.98) and PRESETS['smoke']['shrink'] == ShrinkConfig(0.98)
    df = run_grid(P, ['class'], ['retrain', 'shrink'], [0.0], [0])            # the default cache: the temporary one
    assert list(df.method) == ['retrain', 'shrink'] and df.RTE_s.ge(0).all()
    assert Cache().root == tmp_path/'cache' and any((tmp_path/'cache'/'record').iterdir())   # the records went to the temporary cache
    # the plan reads the record: no work of its own, only the record's evaluation
    units = grid_units(P, ['class'], ['shrink'], [0.0], [0], cache=Cache())
    assert [u.kind for u in units] == []                                       # cached by the run above
    fresh = grid_units(P, ['class'], ['shrink'], [0.0], [0], cache=Cache(tmp_path/'empty'))
    record = [u for u in fresh if u.kind == 'record:shrink']
    assert len(record) == 1 and unit_epochs(record[0]) == pytest.approx((1 + held_out_share(P)) / 3)   # one prediction pass over D and the test set
    model, x1, n = profile_model(P)
    assert unit_memory(record[0], model, x1, n, budget=2**30) > 0
    assert estimate(P, 1.0, workers=(1,), units=fresh).work_h[0] > 0
    # a Table-3-style frame, the method under its display name
    table = paper_table(df.assign(method=df.method.map(display_names())))
    assert list(table.method) == ['Retrain', 'Shrink 1%'] and table.Disparity.iloc[1] != ''

def test_unregister_removes_every_trace(toy):
    unregister('shrink')
    assert 'shrink' not in METHODS and all('shrink' not in preset for preset in PRESETS.values())
    with pytest.raises(ValueError, match='unlearning method'): get_profile('smoke').config('shrink')

def test_register_needs_key_and_every_preset(toy):
    with pytest.raises(ValueError, match='is taken'): register(toy)
    with pytest.raises(ValueError, match='give the Method its key'): register(Method(shrink, ShrinkConfig, ()))
    with pytest.raises(ValueError, match=r"presets \['fast', 'smoke'\]"):
        register(Method(shrink, ShrinkConfig, (), key='shrink2', presets=dict(reference=ShrinkConfig())))
    with pytest.raises(TypeError, match="preset 'smoke' is a int"):
        register(Method(shrink, ShrinkConfig, (), key='shrink2', presets=dict(reference=ShrinkConfig(), fast=ShrinkConfig(), smoke=1)))
    assert 'shrink2' not in METHODS

@pytest.mark.parametrize('key', list(METHODS))
def test_declared_inputs_match_the_function(key):
    "A record's flags say which extra inputs `unlearn` passes: they must be what the function takes."
    m = METHODS[key]; params = inspect.signature(m.fn).parameters
    assert (m.takes_augment, m.needs_forget_class, m.reports) == ('augment' in params, 'forget_class' in params, 'report' in params)
    assert m.from_profile or set(m.presets) >= {'reference', 'fast', 'smoke'}
    assert get_profile('smoke').config(key) is not None and unit_cost(key) > 0

def unit_cost(key: str) -> float:
    "The plan's cost of one record of `key` at the smoke profile, from the record alone (no data read)."
    P = get_profile('smoke')
    return METHODS[key].work(P.config(key), dict(retain=0.9, forget=0.1, train=120))
