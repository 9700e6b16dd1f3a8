"End-to-end: the papermill batch of every experiment notebook at the smoke profile (what CI runs)."
import json
import pandas as pd, pytest
from sparse_mu.batch import experiment_notebooks, main, reproduce

TIDY = ['scenario', 'sparsity', 'method', 'seed', 'UA', 'MIA_Efficacy', 'RA', 'TA', 'RTE_min']
SCHEMAS = {   # table -> columns it must have
    'table3.csv': TIDY, 'fig3.csv': TIDY, 'fig4.csv': TIDY + ['prune'], 'table2.csv': TIDY, 'fig5.csv': TIDY,
    'figA1.csv': ['scenario', 'sparsity', 'method', 'seed', 'MIA_Privacy'],
    'fig6.csv': ['scenario', 'sparsity', 'method', 'seed', 'ASR', 'ASR_no_target', 'SA', 'RTE_min'],
    'theory_error_bound.csv': ['sparsity', 'mask', 'seed', 'error', 'bound', 'weight_distance', 'sigma'],
}
FIGURES = ['fig3_sparsity_sweep', 'fig4_pruning_methods', 'fig5_l1_sparse', 'figA1_mia_privacy', 'fig6_backdoor',
           'table4_transfer', 'benchmarks', 'theory_error_bound']

@pytest.fixture(scope='module')
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp('smoke_batch')
    record = reproduce(profile='smoke', out=out)
    return out, record

def test_every_notebook_ran(batch):
    out, record = batch
    names = [e['name'] for e in record['notebooks']]
    assert names == [p.stem for p in experiment_notebooks()]
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
    verdicts = {'reproduced', 'not reproduced', 'not checked', 'met', 'not met'}   # targets (benchmarks): met / not met
    for c in claims: assert set(pd.read_csv(c).verdict) <= verdicts, c.name
    bench = pd.read_csv(out/'benchmarks.csv')
    assert list(bench.columns) == ['benchmark', 'device', 'value', 'baseline', 'ratio', 'unit']
    assert {'train_throughput', 'rte_FF', 'rte_IU', 'fisher_vectorised', 'per_sample_grads'} <= set(bench.benchmark)
    assert any(b.startswith('rte_IU_omp') for b in bench.benchmark)          # the sparse model's RTE rows

def test_cli_errors(capsys):
    with pytest.raises(SystemExit) as e: main(['reproduce', '--profile', 'huge'])
    assert e.value.code == 2 and "choose from 'smoke', 'default', 'paper'" in capsys.readouterr().err
    assert main(['reproduce', '--profile', 'smoke', '--only', 'no_such_notebook']) == 2
    assert 'no_such_notebook' in capsys.readouterr().err
