"End-to-end: the papermill batch of every experiment notebook at the smoke profile (what CI runs)."
import json
import pandas as pd, pytest
from sparse_mu.batch import experiment_notebooks, reproduce
from sparse_mu.cli import main
from sparse_mu.verdict import COLUMNS, VERDICTS

TIDY = ['scenario', 'sparsity', 'method', 'seed', 'UA', 'MIA_Efficacy', 'RA', 'TA', 'RTE_min']
SCHEMAS = {   # table -> columns it must have
    'table3.csv': TIDY, 'fig3.csv': TIDY, 'fig4.csv': TIDY + ['prune'], 'table2.csv': TIDY, 'fig5.csv': TIDY,
    'figA1.csv': ['scenario', 'sparsity', 'method', 'seed', 'MIA_Privacy'],
    'fig6.csv': ['scenario', 'sparsity', 'method', 'seed', 'ASR', 'ASR_no_target', 'SA', 'RTE_min'],
    'theory_error_bound.csv': ['sparsity', 'mask', 'seed', 'error', 'bound', 'weight_distance', 'sigma'],
    'backdoor_detection.csv': ['sparsity', 'seed', 'alpha', 'threshold', 'TPR', 'FPR', 'FPR_test', 'AUROC'],
    'backdoor_loop.csv': ['sparsity', 'method', 'Df', 'alpha', 'seed', 'ASR', 'SA', 'trigger_mass', 'RTE_min'],
    'backdoor_heatmaps.csv': ['sparsity', 'seed', 'method', 'alpha', 'image', 'trigger_mass'],
    'strong_eval.csv': ['scenario', 'sparsity', 'method', 'K', 'K_per_side', 'KLoM_mean', 'KLoM_mean_lo', 'KLoM_mean_hi', 'F', 'F_lo',
                        'F_hi', 'ULiRA', 'ULiRA_lo', 'ULiRA_hi', 'UA', 'MIA_Efficacy', 'RA', 'TA'],
    'strong_eval_floor.csv': ['sparsity', 'K_per_side', 'KLoM_mean', 'KLoM_mean_lo', 'KLoM_mean_hi', 'F', 'F_lo', 'F_hi', 'ULiRA',
                              'ULiRA_lo', 'ULiRA_hi'],
    'strong_eval_claims.csv': ['claim', 'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds', 'verdict', 'detail'],
    'strong_eval_attacks.csv': ['scenario', 'sparsity', 'method', 'AUC_members', 'TPR_1FPR_members', 'AUC_forget',
                                'TPR_1FPR_forget', 'MIA_Efficacy_balanced', 'MIA_Efficacy_unbalanced'],
    'regime_curves.csv': ['scenario', 'method', 'sparsity', 'seed', 'step', 'share', 'RTE_s', 'UA', 'MIA_Efficacy', 'RA', 'TA'],
    'regime_verdicts.csv': ['claim', 'effect', 'ci_low', 'ci_high', 'verdict', 'axis', 'point', 'share'],
    'regime_claims.csv': ['claim', 'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds', 'verdict', 'detail'],
    'regime_points.csv': ['point', 'images', 'width', 'params', 'fit_width', 'training_steps', 'FT_steps'],
    'regime_controls.csv': ['point', 'scenario', 'arm', 'Original_D', 'noise_floor_D', 'broken_seeds'],
    'tickets_records.csv': ['study', 'ticket', 'sparsity', 'source', 'k', 'augment', 'adversarial', 'seed', 'acc',
                            'noise_acc', 'contrast_acc', 'robust_acc'],
    'tickets_double_win.csv': ['source', 'sparsity', 'double_win'],
    'transfer_ranking_stability.csv': ['k', 'cls', 'name', 'in_point_top_k', 'top_k_share', 'unstable'],
    '24_confirmatory_claims.csv': ['claim', 'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds', 'verdict', 'detail'],
    '24_confirmatory_shares.csv': ['scenario', 'arm', 'label', 'seed', 'D', 'D_closed', 'broken'],
}
FIGURES = ['fig3_sparsity_sweep', 'fig4_pruning_methods', 'fig5_l1_sparse', 'figA1_mia_privacy', 'fig6_backdoor',
           'table4_transfer', 'benchmarks', 'theory_error_bound', 'scaling_paper',
           'backdoor_detection', 'backdoor_loop_asr_sa', 'backdoor_heatmaps', 'strong_eval', 'regime_curves', 'regime_map',
           'tickets_low_data', 'tickets_robustness', 'transfer_ranking_stability', '24_confirmatory']

@pytest.fixture(scope='module')
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp('smoke_batch')
    record = reproduce(profile='smoke', out=out, workers=2, lanes=2)   # as `make reproduce`: Ray workers, two lanes
    return out, record

def test_every_notebook_ran(batch):
    out, record = batch
    names = [e['name'] for e in record['notebooks']]
    assert sorted(names) == [p.stem for p in experiment_notebooks()]
    assert names[-2:] == ['17_benchmarks', '19_scaling']     # they measure time: alone, after the lanes
    assert all(e['status'] == 'ok' for e in record['notebooks'])
    saved = json.loads((out/'run.json').read_text())
    assert saved['profile'] == 'smoke' and saved['commit'] and all((out/e['notebook']).exists() for e in saved['notebooks'])

@pytest.mark.parametrize('name', FIGURES)
def test_figures_exist(batch, name):
    out, _ = batch
    for ext in ('png', 'pdf'): assert (out/f'{name}.{ext}').stat().st_size > 1000

@pytest.mark.parametrize('table, columns', SCHEMAS.items())
def test_table_schema(batch, table, columns):
    out, _ = batch
    df = pd.read_csv(out/'tables'/table)
    assert len(df) > 0 and set(columns) <= set(df.columns), set(columns) - set(df.columns)

def test_claims_and_benchmarks(batch):
    out, _ = batch
    claims = sorted((out/'tables').glob('*claims.csv'))
    assert len(claims) >= 5
    for c in claims:   # every claims table comes from the verdict layer: its columns, its four words
        df = pd.read_csv(c)
        assert list(df.columns) == COLUMNS and set(df.verdict) <= set(VERDICTS), c.name
    bench = pd.read_csv(out/'benchmarks.csv')
    assert list(bench.columns) == ['benchmark', 'device', 'value', 'baseline', 'ratio', 'unit']
    assert {'train_throughput', 'rte_FF', 'rte_IU', 'fisher_vectorised', 'per_sample_grads'} <= set(bench.benchmark)
    assert any(b.startswith('rte_IU_omp') for b in bench.benchmark)          # the sparse model's RTE rows

def test_backdoor_loop_outputs(batch):
    "22_backdoor_loop: every method on the known and the detected sets; verdicts from the fixed vocabulary."
    out, _ = batch
    loop = pd.read_csv(out/'tables'/'backdoor_loop.csv')
    assert set(loop.method) == {'original', 'FT', 'l1_sparse', 'steer'} and loop.Df.str.startswith('detected').any()
    assert set(pd.read_csv(out/'tables'/'backdoor_loop_claims.csv').verdict) <= {'reproduced', 'contradicted', 'inconclusive', 'undefined'}

def test_sparse_tickets_outputs(batch):
    "23_sparse_tickets: the three studies (low data, after unlearning, robustness) in one tidy table."
    out, _ = batch
    assert set(pd.read_csv(out/'tables'/'tickets_records.csv').study) == {'low_data', 'unlearned', 'robustness'}

def test_engine_recorded_and_plan_matches_the_notebooks(batch, tmp_path):
    """run.json names the engine; the plan (09a_plan) reads the notebooks' own logged requests (no second copy of the
    grids), and every unit it plans from them is a unit the batch logged (computed, or found in the cache)."""
    from sparse_mu.cache import Cache
    from sparse_mu.core import to_jsonable
    from sparse_mu.pipeline import get_profile, record_units
    from sparse_mu.plan import batch_jobs
    out, record = batch
    assert record['engine']['workers'] == 2 and record['engine']['ray']
    log = out/'grid_requests.jsonl'
    logged = {}
    for line in log.read_text().splitlines():
        e = json.loads(line); logged.setdefault(e['notebook'], []).append([e['prune'], e['jobs']])
    planned = batch_jobs('smoke', log=log)
    as_json = lambda r: json.loads(json.dumps(r, sort_keys=True))
    assert as_json(logged) == as_json({nb: [[p, to_jsonable([list(j) for j in jobs])] for p, jobs in reqs] for nb, reqs in planned.items()})
    units = [json.loads(l) for l in (out/'units.jsonl').read_text().splitlines()]
    assert all(u['notebook'] and (u['seconds'] >= 0 if u['seconds'] is not None else u['cached']) for u in units)
    P, empty = get_profile('smoke'), Cache(tmp_path/'empty')
    plan_keys = {u.key for reqs in planned.values() for prune, jobs in reqs for u in record_units(P, jobs, prune, empty)}
    assert plan_keys and plan_keys <= {u['key'] for u in units}, sorted(plan_keys - {u['key'] for u in units})[:5]

def test_cli_errors(capsys):
    with pytest.raises(SystemExit) as e: main(['reproduce', '--profile', 'huge'])
    assert e.value.code == 2 and "choose from 'smoke', 'default', 'paper'" in capsys.readouterr().err
    assert main(['reproduce', '--profile', 'smoke', '--only', 'no_such_notebook']) == 2
    assert 'no_such_notebook' in capsys.readouterr().err

REGISTER = '''
from sparse_mu.data import load_dataset, register_dataset

def register():
    "A dataset of one's own, registered in every fresh process that meets its name (here: digits under another name)."
    train, test, _ = load_dataset('digits')
    register_dataset('my_digits', num_classes=10, train=train, test=test, replace=True)
'''

def test_registered_dataset_through_the_batch(tmp_path, monkeypatch):
    "`--param dataset=NAME` with NAME registered through $SPARSE_MU_DATASETS: the study runs on it, in the notebook kernel."
    (tmp_path/'my_data.py').write_text(REGISTER)
    monkeypatch.setenv('SPARSE_MU_DATASETS', f"{tmp_path/'my_data.py'}:register")
    out = tmp_path/'out'
    record = reproduce(profile='smoke', only='14_mia_privacy', out=out, extra_params={'dataset': 'my_digits'})
    assert [e['status'] for e in record['notebooks']] == ['ok'] and record['parameters']['dataset'] == 'my_digits'
    import nbformat
    executed = nbformat.read(out/'notebooks'/'14_mia_privacy.ipynb', as_version=4)
    printed = ''.join(o.get('text', '') for c in executed.cells if c.cell_type == 'code' and 'injected-parameters' not in
                      c.metadata.get('tags', []) for o in c.get('outputs', []))
    assert 'my_digits' in printed and len(pd.read_csv(out/'tables'/'figA1.csv')) > 0   # the study itself says it ran on it
