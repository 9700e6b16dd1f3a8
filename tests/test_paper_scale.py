"""Paper-scale memory: IU's solver choice (Woodbury where it fits, CG otherwise) and FF's budget-sized vmap chunks,
on the digits' CNN and on ResNet-18 with CIFAR-10 files in the real on-disk format (a few images, CPU, ~15 s)."""
import copy
import pytest, torch
from torch import nn
from conftest import write_cifar
from sparse_mu.data import load_dataset, make_forget, make_splits, TensorData
from sparse_mu.models import build_model
from sparse_mu.prune import magnitude_mask
from sparse_mu.train import Recipe, activation_bytes, train
from sparse_mu.unlearn import FFConfig, IUConfig, fisher_diagonal, fisher_rows, iu_memory, unlearn

flat = lambda m: torch.cat([p.detach().reshape(-1) for p in m.parameters()])

@pytest.fixture(scope='module')
def digits():
    s = make_splits('digits', seed=0)
    model = train(build_model('cnn', s.info, seed=0, width=8), s.train, Recipe(epochs=3, lr=0.05, batch_size=64, schedule='onecycle'), seed=0)
    return s, model, magnitude_mask(model, 0.5)

def test_iu_cg_matches_woodbury_through_unlearn(digits, monkeypatch):
    "Both solvers through `unlearn`: the same θu within 1e-4 relative on the step; the record names the solver and its estimate."
    s, model, mask = digits
    task, cfg = make_forget(s, 'random', seed=0), IUConfig(samples=200)
    mem = iu_memory(model, task.retain.x[:1], cfg.samples, cfg.batch_size)
    um_w, rec_w = unlearn('IU', model, task, cfg, seed=0, mask=mask)
    monkeypatch.setenv('SPARSE_MU_MEMORY_GB', str((mem['woodbury'] - 1) / 2**30))    # Woodbury no longer fits: CG
    um_c, rec_c = unlearn('IU', model, task, cfg, seed=0, mask=mask)
    assert (rec_w['iu_solver'], rec_c['iu_solver']) == ('woodbury', 'cg')
    assert rec_w['memory_estimate_bytes'] == mem['woodbury'] and rec_c['memory_estimate_bytes'] < mem['woodbury']
    assert rec_c['cg_residual'] <= 1e-6 and rec_w['peak_memory_bytes'] is None        # CPU: the peak is not measured
    step_w, step_c = flat(um_w) - flat(model), flat(um_c) - flat(model)
    assert (step_c - step_w).norm() <= 1e-4 * step_w.norm()
    monkeypatch.setenv('SPARSE_MU_MEMORY_GB', '1e-5')
    with pytest.raises(MemoryError, match='more memory'): unlearn('IU', model, task, cfg, seed=0, mask=mask)

def test_ff_chunks_by_budget_same_result(digits, monkeypatch):
    "FF's exact Fisher with a budget for 5 rows per vmap call (instead of 64·10): the same θu (float32 tolerance)."
    s, model, _ = digits
    task, cfg = make_forget(s, 'class', forget_class=2, seed=0), FFConfig(alpha=1e-7, max_samples=64, batch_size=64)
    um_a, rec_a = unlearn('FF', model, task, cfg, seed=0)
    assert rec_a['fisher_rows'] >= 640                                                  # the whole batch in one call, as before
    P = sum(p.numel() for p in model.parameters())
    budget = 16 * P + 5 * (4 * P + 2 * activation_bytes(model, task.retain.x[:1]))
    monkeypatch.setenv('SPARSE_MU_MEMORY_GB', str(budget / 2**30))
    um_b, rec_b = unlearn('FF', model, task, cfg, seed=0)
    assert rec_b['fisher_rows'] == 5
    torch.testing.assert_close(flat(um_b), flat(um_a), rtol=1e-4, atol=1e-6)

def test_train_guard_says_what_to_change(digits, monkeypatch):
    s, _, _ = digits
    monkeypatch.setenv('SPARSE_MU_MEMORY_GB', '1e-4')
    with pytest.raises(MemoryError, match=r'lower the batch size \(now 64\)'):
        train(build_model('cnn', s.info, seed=0, width=8), s.train, Recipe(epochs=1, lr=0.05, batch_size=64), seed=0)

@pytest.fixture(scope='module')
def cifar(tmp_path_factory):
    root = tmp_path_factory.mktemp('data'); write_cifar(root, 10, n=4)
    train_set, test_set, info = load_dataset('cifar10', root)
    return TensorData(train_set.x[:8], train_set.y[:8]), info

def test_resnet18_paper_shaped(cifar):
    "ResNet-18 on 3×32×32 CIFAR-format images: one epoch with crop and flip, then IU by both solvers and FF in chunks."
    data, info = cifar
    assert data.x.shape[1:] == (3, 32, 32)
    model = train(build_model('resnet18', info, seed=0), data, Recipe(epochs=1, lr=0.01, batch_size=4, schedule='constant'),
                  seed=0, augment=(info.pad, info.flip))
    forget, retain = TensorData(data.x[:2], data.y[:2]), TensorData(data.x[2:], data.y[2:])
    from sparse_mu.unlearn import iu
    cfg = IUConfig(samples=4, batch_size=2); rw, rc = {}, {}
    sw = flat(iu(copy.deepcopy(model), retain, forget, cfg, seed=0, solver='woodbury', report=rw)) - flat(model)
    sc = flat(iu(copy.deepcopy(model), retain, forget, cfg, seed=0, solver='cg', report=rc)) - flat(model)
    assert rc['iu_solver'] == 'cg' and (sc - sw).norm() <= 1e-3 * sw.norm()         # batch norm (eval) in JVPs and VJPs
    x1 = data.x[:1]; P = sum(p.numel() for p in model.parameters())
    budget = 16 * P + 3 * (4 * P + 2 * activation_bytes(model, x1))
    assert fisher_rows(model, x1, budget) == 3
    few = TensorData(data.x[:2], data.y[:2])
    one_row = 16 * P + 4 * P + 2 * activation_bytes(model, x1); assert fisher_rows(model, x1, one_row) == 1
    whole, chunked = fisher_diagonal(model, few, 'sampled', 2), fisher_diagonal(model, few, 'sampled', 2, budget=one_row)
    torch.testing.assert_close(chunked, whole, rtol=1e-4, atol=1e-9 * whole.abs().max().item())
    mem = iu_memory(model, x1, 1000, 128)                                              # the target, by the estimate
    assert mem['woodbury'] > 16 * 2**30 > mem['cg']

def test_plan_command_every_profile(capsys):
    "`sparse-mu plan` for every profile: the table, the 1/8/64-worker estimate; paper: IU within 16 GB, cached unknowable."
    from sparse_mu.cli import main
    from sparse_mu.plan import PAPER_EPOCH_S, plan_table
    assert main(['plan', '--profile', 'smoke']) == 0                          # calibrated on this machine
    out = capsys.readouterr().out
    assert 'calibrated on cpu' in out and 'record:IU' in out and 'critical_path_h' in out
    assert main(['plan', '--profile', 'default', '--epoch-s', '2.5']) == 0
    assert '2.50 s per epoch-equivalent (given)' in capsys.readouterr().out
    with pytest.raises(SystemExit) as e: main(['plan', '--profile', 'smoke', '--epoch-s', 'fast'])   # refused while parsing
    assert e.value.code == 2 and "expects a positive number of seconds or 'paper'" in capsys.readouterr().err
    table = plan_table('paper', PAPER_EPOCH_S)
    assert table.cached.isna().all() and table.units.sum() > 500
    assert table[table.kind == 'record:IU'].peak_gib.max() < 16 < 45     # by CG; Woodbury would hold G (45 GB) twice

def test_unknown_profile_names_the_env_variable(monkeypatch):
    from sparse_mu.pipeline import get_profile
    monkeypatch.setenv('SPARSE_MU_PROFILES', 'sparse_mu.core:no_such_function')
    with pytest.raises(ValueError, match='names no function'): get_profile('paper_tinier')
    monkeypatch.delenv('SPARSE_MU_PROFILES')
    with pytest.raises(ValueError, match='choose one of'): get_profile('paper_tinier')

def test_sigma_m_by_hvp_on_conv_nets(cifar):
    "σ(m) by Hessian-vector products on a conv net with batch norm (eval) and 3×32×32 inputs: the dense restricted Hessian's\n    top eigenvalue on a tiny conv net; per-sample (vmap) σ(m) on ResNet-18 runs and is finite."
    from sparse_mu.theory import FlatModel, random_mask, sigma_m, step_loss
    data, info = cifar
    torch.manual_seed(0)
    conv = nn.Sequential(nn.Conv2d(3, 2, 3, stride=4), nn.BatchNorm2d(2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2, 3)).double().eval()
    fm = FlatModel.of(conv); th = fm.flatten()
    x, y = data.x[:4].double() / 255, data.y[:4] % 3
    m = random_mask(fm.prunable(), 0.5, torch.Generator().manual_seed(0), dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda t: step_loss(fm, t, x, y), th)
    dense = torch.linalg.eigvalsh(m[:, None] * H * m[None, :]).abs().max().item()
    assert abs(sigma_m(fm, th, m, x, y, per_sample=False, iters=3000, tol=1e-12) - dense) <= 1e-6 * dense
    per_sample = sigma_m(fm, th, m, x, y, per_sample=True, iters=500, tol=1e-10)
    assert per_sample >= dense * (1 - 1e-6)                       # max over samples of σ ≥ σ of their mean
    rn = FlatModel.of(build_model('resnet18', info, seed=0).eval())
    s = sigma_m(rn, rn.flatten(), rn.prunable().float(), data.x[:2], data.y[:2], per_sample=True, iters=2)
    assert s > 0 and s < float('inf')
