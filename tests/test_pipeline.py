"The cached pipeline at the smoke profile: resumable, deterministic, bad input; keys that hold the code; a full unit log."
import dataclasses, importlib.util, inspect, json, sys
from pathlib import Path

import pandas as pd, pytest
import sparse_mu.unlearn
from sparse_mu.cache import Cache, cache_key
from sparse_mu.engine import ENV_UNIT_LOG
from sparse_mu.pipeline import (_method_code, cache_status, dense_key, get_profile, method_code, prune_key, pruned_model,
                                record_parts, run_grid, run_records, unlearned_parts, unlearning_record)

SC, METHODS, SP = ['class', 'random'], ['original', 'retrain', 'FT', 'GA'], [0.0, 0.5]

def read_units(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()]

def test_killed_batch_resumes_to_identical_tables_and_a_whole_log(tmp_path, monkeypatch):
    P = get_profile('smoke')
    monkeypatch.setenv(ENV_UNIT_LOG, str(tmp_path/'full.jsonl'))
    full = run_grid(P, SC, METHODS, SP, [0], cache=Cache(tmp_path/'a'))
    # an "interrupted" run: only part of the grid was computed before the kill
    resumed_cache = Cache(tmp_path/'b')
    monkeypatch.setenv(ENV_UNIT_LOG, str(tmp_path/'killed.jsonl'))
    run_grid(P, SC[:1], METHODS[:2], SP[:1], [0], cache=resumed_cache)
    monkeypatch.setenv(ENV_UNIT_LOG, str(tmp_path/'resumed.jsonl'))   # the batch starts its log afresh (batch.keep_log_rows)
    resumed = run_grid(P, SC, METHODS, SP, [0], cache=resumed_cache)
    cols = [c for c in full.columns if not c.startswith('RTE')]
    pd.testing.assert_frame_equal(full[cols], resumed[cols])
    # the resumed log holds every unit, the ones computed before the kill as cached, with their seconds
    f, r, k = (read_units(tmp_path/n) for n in ('full.jsonl', 'resumed.jsonl', 'killed.jsonl'))
    assert sorted((u['kind'], u['key']) for u in f) == sorted((u['kind'], u['key']) for u in r)
    assert {u['key'] for u in r if u['cached']} == {u['key'] for u in k} != set()
    before = {u['key']: u['seconds'] for u in k}
    assert all(0 < u['seconds'] <= before[u['key']] + 1e-3 for u in r if u['cached'])   # its computation's seconds, then
    assert all(u['seconds'] is not None and u['seconds'] >= 0 for u in r)

def _stored_seconds(cache: Cache, key: str) -> float:
    kind, hexkey = key.split('/')
    [index] = (cache.root/'.index'/kind).glob(f'*/{hexkey}.json')
    return json.loads(index.read_text())['seconds']

def test_cached_units_are_logged_with_their_original_seconds(tmp_path, monkeypatch):
    "Computed, then asked again from the cache: the same units (kinds and keys) are logged, with the seconds they took."
    P, cache = get_profile('smoke'), Cache(tmp_path/'cache')
    jobs = [(sc, s, m, 0, None if m == 'original' else P.config(m)) for sc in SC for s in (0.0, 0.5) for m in ('original', 'FT')]
    monkeypatch.setenv(ENV_UNIT_LOG, str(tmp_path/'first.jsonl'))
    run_records(P, jobs, cache=cache)
    monkeypatch.setenv(ENV_UNIT_LOG, str(tmp_path/'again.jsonl'))
    run_records(P, jobs, cache=cache); run_records(P, jobs, cache=cache)    # asked twice: logged once
    first, again = read_units(tmp_path/'first.jsonl'), read_units(tmp_path/'again.jsonl')
    assert not any(u['cached'] for u in first) and all(u['cached'] for u in again)
    assert sorted((u['kind'], u['key']) for u in first) == sorted((u['kind'], u['key']) for u in again)
    assert {u['kind'] for u in again} == {'dense', 'omp', 'record:original', 'record:FT'}
    ran = {u['key']: u['seconds'] for u in first}
    for u in again:
        assert u['seconds'] == round(_stored_seconds(cache, u['key']), 3)       # the seconds stored when it was computed
        assert 0 < u['seconds'] <= ran[u['key']] + 1e-3                        # its computation, inside the unit's run
    deps = {u['key']: set(u['deps']) for u in again}
    omp = next(u['key'] for u in again if u['kind'] == 'omp')
    assert deps[omp] == {u['key'] for u in again if u['kind'] == 'dense'}    # the graph is whole

def test_bad_input(tmp_path):
    P = get_profile('smoke'); c = Cache(tmp_path)
    with pytest.raises(ValueError, match='sparsity must lie in'): pruned_model(P, 'omp', 1.0, 0, c)
    with pytest.raises(ValueError, match='choose one of: omp, imp, synflow'): pruned_model(P, 'lottery', 0.5, 0, c)
    with pytest.raises(ValueError, match='unlearning method'): unlearning_record(P, 'class', 'SCRUBBER', 0.0, 0, cache=c)
    with pytest.raises(ValueError, match='choose one of: smoke, default, paper'): get_profile('large')


# --- keys that hold the code -------------------------------------------------------------------------------------------
def unlearn_copy(tmp_path, monkeypatch, name: str, edit=lambda src: src):
    "A temporary copy of `sparse_mu.unlearn` whose source is `edit(source)`, imported as a module of the package."
    src = Path(sparse_mu.unlearn.__file__).read_text()
    path = tmp_path/f'{name}.py'; path.write_text(edit(src))
    full = f'sparse_mu.{name}'
    spec = importlib.util.spec_from_file_location(full, path); mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, full, mod); spec.loader.exec_module(mod)
    return mod

def edit_ft_body(src: str) -> str:
    ft = inspect.getsource(sparse_mu.unlearn.ft)
    assert ft in src and '    return ' in ft
    return src.replace(ft, ft.replace('    return ', '    seed = int(seed)\n    return ', 1))

def edit_ft_docs(src: str) -> str:
    ft = inspect.getsource(sparse_mu.unlearn.ft); doc = f'"{sparse_mu.unlearn.ft.__doc__}"'
    assert ft in src and doc in ft
    return src.replace(ft, ft.replace(doc, '"""Fine-tune θo on Dr: a docstring rewritten.\n\n    At length."""  # and a comment', 1)
                              .replace('    return ', '    # a comment line of its own\n\n    return ', 1))

def keys(P, method, config, sparsity=0.5):
    return (cache_key(unlearned_parts(P, 'class', method, sparsity, 0, 'omp', config)),
            cache_key(record_parts(P, 'class', method, sparsity, 0, 'omp', config)))

def test_editing_a_method_changes_its_keys_only(tmp_path, monkeypatch):
    P, U = get_profile('smoke'), sparse_mu.unlearn
    copy = unlearn_copy(tmp_path, monkeypatch, '_unlearn_ft_edited', edit_ft_body)
    assert _method_code(copy.ft, copy.FTConfig) != _method_code(U.ft, U.FTConfig)        # FT's own code changed
    assert _method_code(copy.ga, copy.GAConfig) == _method_code(U.ga, U.GAConfig)        # GA's, in the same edited file, did not
    assert _method_code(copy.iu, copy.IUConfig) == _method_code(U.iu, U.IUConfig)
    ft_before, ga_before = keys(P, 'FT', P.config('FT')), keys(P, 'GA', P.config('GA'))
    models = cache_key(prune_key(P, 'omp', 0.5, 0)), cache_key(dense_key(P, 0))
    monkeypatch.setitem(U.METHODS, 'FT', dataclasses.replace(U.METHODS['FT'], fn=copy.ft, config=copy.FTConfig))
    ft_after, ga_after = keys(P, 'FT', P.config('FT')), keys(P, 'GA', P.config('GA'))
    assert ft_after[0] != ft_before[0] and ft_after[1] != ft_before[1]                   # FT's model and record: recomputed
    assert ga_after == ga_before                                                         # GA's: kept
    assert (cache_key(prune_key(P, 'omp', 0.5, 0)), cache_key(dense_key(P, 0))) == models

def test_docstring_and_comment_edits_keep_a_methods_keys(tmp_path, monkeypatch):
    P, U = get_profile('smoke'), sparse_mu.unlearn
    copy = unlearn_copy(tmp_path, monkeypatch, '_unlearn_ft_docs', edit_ft_docs)
    assert inspect.getsource(copy.ft) != inspect.getsource(U.ft)
    before = keys(P, 'FT', P.config('FT'))
    monkeypatch.setitem(U.METHODS, 'FT', dataclasses.replace(U.METHODS['FT'], fn=copy.ft, config=copy.FTConfig))
    assert keys(P, 'FT', P.config('FT')) == before and method_code('original') is None

def test_stale_listing_finds_an_older_fingerprint(tmp_path, monkeypatch):
    P, U, cache = get_profile('smoke'), sparse_mu.unlearn, Cache(tmp_path/'cache')
    jobs = [('class', 0.0, 'FT', 0, P.config('FT')), ('class', 0.0, 'GA', 0, P.config('GA'))]
    run_records(P, jobs[:1], cache=cache)
    def status():
        st = cache_status(P, jobs, cache=cache)
        return dict(zip(st.kind + ' ' + st.label, st.status))
    assert status() == {'dense dense s0': 'fresh', 'unlearned FT class dense s0': 'fresh', 'record FT class dense s0': 'fresh',
                        'unlearned GA class dense s0': 'missing', 'record GA class dense s0': 'missing'}
    copy = unlearn_copy(tmp_path, monkeypatch, '_unlearn_ft_stale', edit_ft_body)
    monkeypatch.setitem(U.METHODS, 'FT', dataclasses.replace(U.METHODS['FT'], fn=copy.ft, config=copy.FTConfig))
    assert status() == {'dense dense s0': 'fresh', 'unlearned FT class dense s0': 'stale', 'record FT class dense s0': 'stale',
                        'unlearned GA class dense s0': 'missing', 'record GA class dense s0': 'missing'}


GRID_NOTEBOOK = '''from sparse_mu.pipeline import get_profile, grid_jobs, run_records
P = get_profile(profile)
jobs = grid_jobs(P, ['class'], ['original', 'FT'], [0.0, 0.5], [0])
run_records(P, jobs[:part])'''

def test_batch_started_again_logs_every_unit(tmp_path, monkeypatch):
    "A batch that stopped after part of its grid, started again into the same folder: units.jsonl lists every unit once."
    import nbformat
    from sparse_mu.batch import reproduce
    from sparse_mu.pipeline import grid_jobs, record_units
    nbs = tmp_path/'nbs'; nbs.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("profile = 'smoke'\nout_dir = None\npart = 4", metadata={'tags': ['parameters']}),
                nbformat.v4.new_code_cell(GRID_NOTEBOOK)]
    nbformat.write(nb, nbs/'10_grid.ipynb')
    monkeypatch.setenv('SPARSE_MU_CACHE', str(tmp_path/'cache')); out = tmp_path/'out'; out.mkdir()
    P = get_profile('smoke'); jobs = grid_jobs(P, ['class'], ['original', 'FT'], [0.0, 0.5], [0])
    monkeypatch.setenv(ENV_UNIT_LOG, str(out/'units.jsonl'))
    run_records(P, jobs[:2])                                                  # the batch that was stopped after 2 records
    first = read_units(out/'units.jsonl')
    monkeypatch.delenv(ENV_UNIT_LOG)
    reproduce('smoke', out=out, nbs_dir=nbs, extra_params={'part': 4})        # started again: its log begins afresh
    again = read_units(out/'units.jsonl')
    planned = record_units(P, jobs, cache=Cache(tmp_path/'empty'))
    assert sorted((u['kind'], u['key']) for u in again) == sorted((u.kind, u.key) for u in planned)
    assert {u['key'] for u in again if u['cached']} == {u['key'] for u in first}
    assert all(u['notebook'] == '10_grid' and u['seconds'] > 0 for u in again)

def test_plan_stale_counts_the_batchs_units(tmp_path, monkeypatch, capsys):
    "`sparse-mu plan --stale`: the smoke batch's units in the cache, by kind and status."
    from sparse_mu.cli import main
    monkeypatch.setenv('SPARSE_MU_CACHE', str(tmp_path/'cache'))
    run_records(get_profile('smoke'), [('class', 0.0, 'original', 0, None)])
    assert main(['plan', '--profile', 'smoke', '--stale']) == 0
    table = [l.split('|')[1:-1] for l in capsys.readouterr().out.splitlines() if l.startswith('| ')]
    assert [c.strip() for c in table[0]] == ['kind', 'fresh', 'missing']
    rows = {r[0].strip(): [int(x) for x in r[1:]] for r in table[1:]}
    assert rows['dense'] == [1, 0] and rows['record'][0] == 1 and rows['record'][1] > 50 and rows['omp'] == [0, 2]
