"The cached pipeline at the smoke profile: resumable, deterministic, bad input."
import pandas as pd, pytest
from sparse_mu.cache import Cache
from sparse_mu.pipeline import get_profile, run_grid, pruned_model, unlearning_record

SC, METHODS, SP = ['class', 'random'], ['original', 'retrain', 'FT', 'GA'], [0.0, 0.5]

def test_killed_batch_resumes_to_identical_tables(tmp_path):
    P = get_profile('smoke')
    full = run_grid(P, SC, METHODS, SP, [0], cache=Cache(tmp_path/'a'))
    # an "interrupted" run: only part of the grid was computed before the kill
    resumed_cache = Cache(tmp_path/'b')
    run_grid(P, SC[:1], METHODS[:2], SP[:1], [0], cache=resumed_cache)
    resumed = run_grid(P, SC, METHODS, SP, [0], cache=resumed_cache)
    cols = [c for c in full.columns if not c.startswith('RTE')]
    pd.testing.assert_frame_equal(full[cols], resumed[cols])

def test_bad_input(tmp_path):
    P = get_profile('smoke'); c = Cache(tmp_path)
    with pytest.raises(ValueError, match='sparsity must lie in'): pruned_model(P, 'omp', 1.0, 0, c)
    with pytest.raises(ValueError, match='choose one of: omp, imp, synflow'): pruned_model(P, 'lottery', 0.5, 0, c)
    with pytest.raises(ValueError, match='unlearning method'): unlearning_record(P, 'class', 'SCRUBBER', 0.0, 0, cache=c)
    with pytest.raises(ValueError, match='choose one of: smoke, default, paper'): get_profile('large')
