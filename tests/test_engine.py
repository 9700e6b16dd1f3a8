"The engine: a Ray run of the smoke grid equals the sequential one, survives a killed worker, computes a shared key once."
import os, signal, sys, time
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

ray = pytest.importorskip('ray')

from sparse_mu.cache import Cache
from sparse_mu.engine import EngineConfig, Unit, connect, engine_env, run_units
from sparse_mu.pipeline import get_profile, grid_units, run_grid

P = get_profile('smoke')
GRID = dict(scenarios=['class', 'random'], methods=['original', 'retrain', 'FT', 'GA'], sparsities=[0.0, 0.9], seeds=[0])
METRICS = ['scenario', 'sparsity', 'method', 'seed', 'UA', 'MIA_Efficacy', 'RA', 'TA', 'MIA_Privacy']


@pytest.fixture(scope='module')
def local_ray():
    "One local Ray instance with two one-CPU workers for the module; the test module's functions travel by value."
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    connect(EngineConfig(workers=2))                          # the engine's own local instance, as the batch starts it
    yield ray
    ray.shutdown()


def grid(cache, workers):
    with mock.patch.dict(os.environ, engine_env(EngineConfig(workers=workers))):
        return run_grid(P, **GRID, cache=cache)


@pytest.fixture(scope='module')
def sequential(tmp_path_factory):
    return grid(Cache(tmp_path_factory.mktemp('seq')), 1)


def test_two_workers_equal_sequential(local_ray, sequential, tmp_path):
    parallel = grid(Cache(tmp_path), 2)
    pd.testing.assert_frame_equal(sequential[METRICS], parallel[METRICS])   # identical numbers; only RTE may differ


def _die_once(marker: str, fn, *args):
    "Kill this worker process the first time (as an OOM killer or a lost node would), then run `fn(*args)`."
    if not os.path.exists(marker):
        Path(marker).write_text('killed once')
        os.kill(os.getpid(), signal.SIGKILL)
    fn(*args)


def test_killed_worker_is_retried(local_ray, sequential, tmp_path):
    cache = Cache(tmp_path/'cache')
    units = grid_units(P, **GRID, cache=cache)
    victim = next(i for i, u in enumerate(units) if u.kind == 'omp')          # a model that records depend on
    u = units[victim]
    units[victim] = Unit(u.key, _die_once, (str(tmp_path/'marker'), u.fn, *u.args), u.deps, u.label, u.kind)
    run_units(units, EngineConfig(workers=2), desc='with a killed worker')
    assert (tmp_path/'marker').exists()                                     # the worker really died once
    with mock.patch.dict(os.environ, engine_env(EngineConfig(workers=1))):
        resumed = run_grid(P, **GRID, cache=cache)                           # everything is cached by now
    pd.testing.assert_frame_equal(sequential[METRICS], resumed[METRICS])


def _shared(root: str, log: str):
    "Two different units that both need the same cached value (as two Retrains need one pruned model)."
    def compute():
        with open(log, 'a') as f: f.write('computed\n')
        time.sleep(1.0); return {'value': 1}
    Cache(root).record('shared', {'k': 'model'}, compute)


def test_shared_key_computed_once(local_ray, tmp_path):
    log = tmp_path/'log.txt'
    units = [Unit(f'u{i}', _shared, (str(tmp_path/'cache'), str(log))) for i in range(4)]
    run_units(units, EngineConfig(workers=2))
    assert log.read_text().count('computed') == 1


def test_failing_unit_names_itself(local_ray, tmp_path):
    def boom(): raise ValueError('bad hyperparameter')
    with pytest.raises(RuntimeError, match='unit FT class 95% s0 failed: ValueError: bad hyperparameter'):
        run_units([Unit('x', boom, label='FT class 95% s0')], EngineConfig(workers=2))


def _niceness(): return os.nice(0)

def test_workers_run_at_normal_priority(local_ray):
    "Ray's default worker niceness (15) would let any other process starve the grid."
    task = ray.remote(num_cpus=1)(_niceness)
    assert ray.get([task.remote() for _ in range(2)]) == [0, 0]


def test_bad_address_is_a_clear_error_at_once():
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match='no Ray cluster answers at 127.0.0.1:9'):
        run_units([Unit('x', print)], EngineConfig(address='127.0.0.1:9'))
    assert time.perf_counter() - start < 30
