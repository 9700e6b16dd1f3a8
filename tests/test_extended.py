"""The extended profile (the studies beyond the default hour: notebooks 20 and 21 at their extended designs): which
notebooks it runs, its plan, and the committed run in figures/extended checked against the plan written before it ran."""
import json
from pathlib import Path

import pytest

from sparse_mu.batch import experiment_notebooks, profile_notebooks
from sparse_mu.cli import main
from sparse_mu.plan import compare_study_with_log, read_log, replan_from_log, study_units
from sparse_mu.verdict import COLUMNS, VERDICTS

EXT = Path(__file__).resolve().parent.parent/'figures'/'extended'

def test_extended_runs_the_tagged_studies():
    names = [p.stem for p in profile_notebooks(experiment_notebooks(), 'extended')]
    assert names == ['20_strong_eval', '21_regime_map']
    assert len(profile_notebooks(experiment_notebooks(), 'default')) > 10          # every notebook

def test_extended_plan_graph():
    units = study_units('extended')
    kinds = {nb: {u.kind for u in us} for nb, us in units.items()}
    assert {'seedset_dense', 'seed_outputs'} <= kinds['20_strong_eval'] and {'record:retrain', 'curve'} <= kinds['21_regime_map']
    # the scale points beyond the default: ≥ 4× its images and ≥ 2× its width
    sizes = {(u.args[0].per_class, u.args[0].width) for u in units['21_regime_map'] if u.kind == 'dense'}
    assert (1000, 32) in sizes

def test_extended_plan_cli(capsys):
    assert main(['plan', '--profile', 'extended']) == 0
    out = capsys.readouterr().out
    assert '20_strong_eval' in out and '21_regime_map' in out and 'workers' in out

def test_extended_plan_was_written_before_it_ran():
    "run.json holds the plan `sparse-mu reproduce --profile extended` computed before its first notebook started."
    run = json.loads((EXT/'run.json').read_text())
    assert run['profile'] == 'extended' and all(n['status'] == 'ok' for n in run['notebooks'])
    assert run['plan']['units'] > 0 and run['plan']['wall_s'] > 0 and run['plan']['workers'] == run['engine']['workers']

def test_extended_plan_matches_its_run():
    """The plan of the units the run ran, each priced by the cost model at the seconds per epoch of the run's own dense
    trainings of its size, scheduled on the run's workers: its wall time within 25% of the run's."""
    run = json.loads((EXT/'run.json').read_text())
    plan = replan_from_log(read_log(EXT/'units.jsonl'), 'extended', workers=run['engine']['workers'])
    assert abs(plan['wall_s'] / run['seconds'] - 1) <= 0.25, (plan['wall_s'], run['seconds'])

def test_extended_cost_model_against_its_unit_log():
    "Per unit, priced at the seconds per epoch of the run's own dense trainings: the sum within 25% of what the units took."
    cmp = compare_study_with_log(read_log(EXT/'units.jsonl'), 'extended').set_index('kind')
    assert 0.75 <= cmp.ratio['all'] <= 1.25, cmp

def test_extended_tables():
    import pandas as pd
    for name in ('regime_claims', 'strong_eval_claims'):
        df = pd.read_csv(EXT/'tables'/f'{name}.csv')
        assert list(df.columns[:len(COLUMNS)]) == COLUMNS and set(df.verdict) <= set(VERDICTS)
    reg = pd.read_csv(EXT/'tables'/'regime_verdicts.csv')
    scale = reg[reg.axis == 'scale']
    assert scale.point.nunique() >= 3 and (scale.n_seeds.max() >= 3)
    pts = pd.read_csv(EXT/'tables'/'regime_points.csv')
    assert pts.images.max() >= 10_000 and pts.images.max() >= 4 * pts.images.min() and pts.width.max() >= 2 * pts.width.min()
    se = pd.read_csv(EXT/'tables'/'strong_eval.csv')
    assert se.K_per_side.min() >= 64 and se.K.min() >= 128              # models per side per example; seeds

def test_extended_writes_its_own_folder():
    "A study profile's batch never writes over the default batch's figures/ unless told to."
    from sparse_mu.batch import default_out
    assert default_out('extended') == EXT and default_out('default') == EXT.parent
