"Fast checks of sparse_mu.backdoor: the BadNets trigger transform, poisoning, ASR on toy predictions, the backdoor task; one papermill smoke run."
import os
from pathlib import Path

import pandas as pd
import pytest
import torch

os.environ.setdefault('SPARSE_MU_PROGRESS', '0')
torch.set_num_threads(1)

from sparse_mu.backdoor import (add_trigger, attack_success_rate, backdoor_task, poison, poisoned_train, trigger_box,
                                trigger_value)
from sparse_mu.data import TensorData, make_splits


def toy_data(n=50, size=28, seed=0):
    g = torch.Generator().manual_seed(seed)
    return TensorData(torch.randint(0, 200, (n, 1, size, size), dtype=torch.uint8, generator=g), torch.arange(n) % 10)


@pytest.mark.parametrize('hw, box', [((32, 32), (26, 26, 4)), ((28, 28), (22, 22, 4)), ((8, 8), (5, 5, 2))])
def test_trigger_changes_exactly_the_patch(hw, box):
    x = torch.randint(0, 200, (4, 3, *hw), dtype=torch.uint8)
    assert trigger_box(*hw) == box
    top, left, side = box
    for value in (255, 0, 7):
        p = add_trigger(x, value=value)
        inside = torch.zeros(hw, dtype=torch.bool); inside[top:top + side, left:left + side] = True
        assert (p[..., inside] == value).all()                      # every channel of the patch
        assert torch.equal(p[..., ~inside], x[..., ~inside])        # nothing else
    assert (x < 200).all()                                          # input untouched


def test_trigger_on_black_background_is_visible():
    "Fashion-MNIST's corners are black: the default white patch changes them, a black one would not."
    x = torch.zeros(2, 1, 28, 28, dtype=torch.uint8)
    assert trigger_value('fashion_mnist') == 255 and trigger_value('cifar10') == 0
    assert int((add_trigger(x, value=trigger_value('fashion_mnist')) != x).sum()) == 2 * 16
    assert torch.equal(add_trigger(x, value=0), x)


@pytest.mark.parametrize('bad, msg', [(dict(value=300), 'trigger value'), (dict(size=0), 'trigger size'),
                                      (dict(margin=-1), 'trigger margin')])
def test_trigger_rejects_bad_arguments(bad, msg):
    with pytest.raises(ValueError, match=msg): add_trigger(toy_data().x, **bad)
    with pytest.raises(ValueError, match='uint8 batch'): add_trigger(toy_data().x.float())


@pytest.mark.parametrize('ratio', [0.02, 0.1, 0.5])
def test_poison_labels_ratio_and_pixels(ratio):
    data = toy_data(n=200)
    out, idx = poison(data, ratio, target=3, seed=1)
    assert len(idx) == round(ratio * len(data)) and len(idx.unique()) == len(idx) and torch.equal(idx, idx.sort().values)
    assert (out.y[idx] == 3).all() and torch.equal(out.x[idx], add_trigger(data.x[idx]))
    rest = torch.ones(len(data), dtype=torch.bool); rest[idx] = False
    assert torch.equal(out.x[rest], data.x[rest]) and torch.equal(out.y[rest], data.y[rest])
    assert torch.equal(data.y, torch.arange(200) % 10)            # input untouched


def test_poison_is_deterministic_under_seed():
    data = toy_data(n=200)
    a, ia = poison(data, 0.1, seed=5); b, ib = poison(data, 0.1, seed=5); _, ic = poison(data, 0.1, seed=6)
    assert torch.equal(ia, ib) and torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(ia, ic)


@pytest.mark.parametrize('ratio', [0, 1, 1e-4])
def test_poison_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match='poison'): poison(toy_data(), ratio)


def test_asr_on_toy_predictions():
    pred = torch.tensor([0, 0, 0, 1, 2, 0, 3, 3])
    y = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    assert attack_success_rate(pred, 0) == pytest.approx(50.0)                              # 4 of 8
    assert attack_success_rate(pred, 0, y, exclude_target=True) == pytest.approx(100 / 3)  # 2 of the 6 non-target images
    logits = torch.nn.functional.one_hot(pred, 4).float()
    assert attack_success_rate(logits, 0) == pytest.approx(50.0)
    assert attack_success_rate(logits, 3, y, exclude_target=True) == pytest.approx(0.0)
    with pytest.raises(ValueError, match='needs y_true'): attack_success_rate(pred, 0, exclude_target=True)
    with pytest.raises(ValueError, match='empty'): attack_success_rate(pred[:2], 0, y[:2], exclude_target=True)


def test_backdoor_task_partitions_the_training_split():
    s = make_splits('digits', seed=0)
    task = backdoor_task(s, ratio=0.1, target=2, seed=0)
    assert task.scenario == 'backdoor' and len(task.forget) == round(0.1 * len(s.train))
    assert len(task.retain) + len(task.forget) == len(s.train) and (task.forget.y == 2).all()
    assert torch.equal(task.test.y, s.test.y) and torch.equal(task.test.x, s.test.x)          # clean test set
    full = poisoned_train(s, task)
    assert torch.equal(full.x[task.forget_idx], task.forget.x) and torch.equal(full.y[task.forget_idx], task.forget.y)
    with pytest.raises(ValueError, match='target label'): backdoor_task(s, target=10)


def test_notebook_smoke(tmp_path):
    "A papermill run of the notebook at the smoke profile writes the figure and the tidy tables."
    import papermill as pm
    nb = Path(__file__).resolve().parent.parent/'nbs'/'15_backdoor.ipynb'
    pm.execute_notebook(str(nb), str(tmp_path/'15.ipynb'), parameters=dict(profile='smoke', out_dir=str(tmp_path/'out')),
                        kernel_name='python3', cwd=str(nb.parent), progress_bar=False)
    df = pd.read_csv(tmp_path/'out'/'tables'/'fig6.csv')
    assert list(df.columns) == ['scenario', 'sparsity', 'method', 'seed', 'ASR', 'ASR_no_target', 'SA', 'RTE_min']
    assert set(df.method) == {'original', 'FT', 'l1_sparse'} and (df.scenario == 'backdoor').all()
    claims = pd.read_csv(tmp_path/'out'/'tables'/'fig6_claims.csv')
    assert list(claims.columns) == ['claim', 'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds', 'verdict', 'detail']
    assert set(claims.verdict) <= {'reproduced', 'contradicted', 'inconclusive', 'undefined'}
    for ext in ('png', 'pdf'): assert (tmp_path/'out'/f'fig6_backdoor.{ext}').stat().st_size > 1000
