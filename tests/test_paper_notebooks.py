"""Every experiment notebook with a `paper` code path, run under papermill on that path at a tiny size: CIFAR-10 and
CIFAR-100 files written here in the real on-disk format (12 images per file), ResNet-18 (at width 8: the same stages,
shortcuts, batch norm and head lookup at 1/64 of the FLOPs), the reference recipe with crop, flip and a multistep
schedule, the reference unlearning preset, all shortened to one epoch by the test-only profile 'paper_tiny'
(tests/paper_tiny.py, registered in the notebook's kernel through $SPARSE_MU_PROFILES). 10-90 s each on one core.

Not here: 10_theory (a digits MLP at every profile; its paper-scale piece, σ(m) by Hessian-vector products on conv
nets, is tests/test_paper_scale.py::test_sigma_m_by_hvp_on_conv_nets), 20_strong_eval and 21_regime_map (Fashion-MNIST
studies whose scale is their own: `SEED_SETS` and `REGIME_DESIGNS`; a profile they do not name runs their default design) and 19_scaling (it reads a batch's
records; tests/test_paper_scale.py::test_plan_command_every_profile plans the paper profile)."""
from pathlib import Path
import pandas as pd
import pytest
from conftest import write_cifar
from sparse_mu.batch import notebooks_dir, run_notebook

PAPER_NOTEBOOKS = {   # notebook -> extra parameters (the notebooks' own switches for a profile they do not know by name)
    # the grid notebooks: their records come through run_grid (here); the studies that train their own models: the
    # other file, tests/test_paper_studies.py, so that `pytest -n 2 --dist loadfile` (make test) runs the two side by side
    '11_prune_then_unlearn': {}, '12_pruning_methods': {}, '13_l1_sparse': {}, '14_mia_privacy': {}, '18_baselines': {},
    '15_backdoor': {}, '22_backdoor_loop': {},
    '16_transfer': dict(settings='paper', n_subset_models=2, subset_epochs=1),       # CIFAR-100 -> CIFAR-10
    '17_benchmarks': dict(sizes='smoke'),        # the paper profile's model and presets, the smoke benchmark sizes
    '23_sparse_tickets': dict(settings='smoke'),  # CIFAR-10 ResNet-18 source tickets, smoke ticket settings
}
GRID_NOTEBOOKS = ['11_prune_then_unlearn', '12_pruning_methods', '13_l1_sparse', '14_mia_privacy', '18_baselines']

def run_paper_tiny(name: str, tmp_path: Path, monkeypatch) -> Path:
    "Run notebook `name` at profile paper_tiny on CIFAR files written under tmp_path; its tables folder."
    write_cifar(tmp_path/'data', 10, n=12); write_cifar(tmp_path/'data', 100, n=60)
    for k, v in dict(SPARSE_MU_DATA=tmp_path/'data', SPARSE_MU_CACHE=tmp_path/'cache', SPARSE_MU_PROGRESS=0,
                     SPARSE_MU_PROFILES=f"{Path(__file__).with_name('paper_tiny.py')}:register").items():
        monkeypatch.setenv(k, str(v))
    run_notebook(notebooks_dir()/f'{name}.ipynb', tmp_path/'out'/f'{name}.ipynb',
                 dict(profile='paper_tiny', out_dir=str(tmp_path/'out'), **PAPER_NOTEBOOKS[name]))
    return tmp_path/'out'/'tables'

def check_paper_tiny(name: str, tmp_path: Path, monkeypatch) -> Path:
    "Run `name` on the paper path; it must write tables, and any table that names a model names ResNet-18."
    tables = run_paper_tiny(name, tmp_path, monkeypatch)
    frames = {p.stem: pd.read_csv(p) for p in tables.glob('*.csv')}
    assert frames, f'{name} wrote no table'
    for stem, df in frames.items():
        if 'arch' in df: assert set(df.arch.dropna()) <= {'resnet18'}, (stem, set(df.arch))
    return tables

@pytest.mark.parametrize('name', GRID_NOTEBOOKS)
def test_notebook_paper_path(name, tmp_path, monkeypatch):
    "The notebook finishes on the paper path and writes its tables; every table that names a model names ResNet-18."
    tables = check_paper_tiny(name, tmp_path, monkeypatch)
    if name == '11_prune_then_unlearn':      # Table 3 in full: every method, both sparsities, every metric
        t3 = pd.read_csv(tables/'table3.csv')
        assert set(t3.arch) == {'resnet18'} and set(t3.dataset) == {'cifar10'}
        assert set(t3.method) == {'original', 'retrain', 'FT', 'GA', 'FF', 'IU'} and set(t3.sparsity) == {0.0, 0.5}
        assert t3[['UA', 'MIA_Efficacy', 'RA', 'TA']].notna().all().all()
        assert (tables.parent/'fig3_sparsity_sweep.png').stat().st_size > 1000
