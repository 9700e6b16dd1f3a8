"Checks of sparse_mu.cache: hits, atomic writes, damaged-file recovery, model round trips, the cache location."
import warnings

import pytest
import torch
from torch import nn

from sparse_mu.cache import Cache, cache_key, default_cache_dir

PARTS = {'dataset': 'fashion_mnist', 'seed': 0, 'recipe': (2, 0.05)}


class Counter:
    "A compute function that counts its calls."
    def __init__(self, value=None): self.calls = 0; self.value = value or {'UA': 12.5, 'method': 'FT', 'n': 3}
    def __call__(self): self.calls += 1; return dict(self.value)


def _recompute_warns(c, kind, parts, compute, match):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = c.record(kind, parts, compute)
    msgs = [str(x.message) for x in w]
    assert any('unusable' in m and match in m for m in msgs), msgs
    return out


def test_key_is_canonical():
    assert cache_key({'a': 1, 'b': (1, 2)}) == cache_key({'b': [1, 2], 'a': 1})
    assert cache_key({'a': 1}) != cache_key({'a': 2}) and cache_key({'a': 1}) != cache_key({'b': 1})


def test_hit_computes_once(tmp_path):
    c, f = Cache(tmp_path), Counter()
    assert c.record('rec', PARTS, f) == f.value
    assert c.record('rec', dict(reversed(list(PARTS.items()))), f) == f.value   # same parts, other order
    assert Cache(tmp_path).record('rec', PARTS, f) == f.value                   # a new process: still a hit
    assert f.calls == 1 and (c.hits, c.misses) == (1, 1)
    c.record('rec', {**PARTS, 'seed': 1}, f); c.record('other', PARTS, f)       # other parts / kind: a miss
    assert f.calls == 3


def test_crash_inside_compute_leaves_nothing(tmp_path):
    c = Cache(tmp_path)
    def crash(): raise RuntimeError('killed')
    with pytest.raises(RuntimeError, match='killed'): c.record('rec', PARTS, crash)
    path = c.path('rec', PARTS)
    assert not path.exists() and not path.with_suffix('.sha256').exists()
    left = [p for p in tmp_path.rglob('*') if p.is_file() and '.locks' not in p.parts]   # the key's (released) lock file stays
    assert left == []
    f = Counter(); assert c.record('rec', PARTS, f) == f.value and f.calls == 1   # the next run computes


def test_crash_inside_model_compute_leaves_nothing(tmp_path):
    c = Cache(tmp_path)
    def crash(): raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt): c.model('m', PARTS, crash, lambda: nn.Linear(2, 2))
    assert [p for p in tmp_path.rglob('*') if p.is_file() and '.locks' not in p.parts] == []


def test_file_without_checksum_is_incomplete(tmp_path):
    c, f = Cache(tmp_path), Counter()
    c.record('rec', PARTS, f)
    path = c.path('rec', PARTS); path.with_suffix('.sha256').unlink()            # as if killed between the two writes
    assert _recompute_warns(c, 'rec', PARTS, f, 'no checksum') == f.value and f.calls == 2
    assert path.with_suffix('.sha256').exists()                                   # complete again
    f2 = Counter(); c.record('rec', PARTS, f2); assert f2.calls == 0


def test_truncated_file_is_recomputed(tmp_path):
    c, f = Cache(tmp_path), Counter()
    c.record('rec', PARTS, f)
    path = c.path('rec', PARTS); path.write_bytes(path.read_bytes()[:50])
    assert _recompute_warns(c, 'rec', PARTS, f, 'checksum mismatch') == f.value and f.calls == 2
    f2 = Counter(); assert c.record('rec', PARTS, f2) == f.value and f2.calls == 0


def test_bit_flip_is_recomputed(tmp_path):
    c, f = Cache(tmp_path), Counter()
    c.record('rec', PARTS, f)
    path = c.path('rec', PARTS)
    raw = bytearray(path.read_bytes()); raw[len(raw) // 2] ^= 0x01; path.write_bytes(bytes(raw))
    assert _recompute_warns(c, 'rec', PARTS, f, 'checksum mismatch') == f.value and f.calls == 2


def test_unloadable_file_with_matching_checksum_is_recomputed(tmp_path):
    "Even a file whose checksum matches is not trusted blindly: torch.load errors also mean recompute."
    from sparse_mu.cache import _sha
    c, f = Cache(tmp_path), Counter()
    c.record('rec', PARTS, f)
    path = c.path('rec', PARTS); path.write_bytes(b'garbage'); path.with_suffix('.sha256').write_text(_sha(path))
    assert _recompute_warns(c, 'rec', PARTS, f, '') == f.value and f.calls == 2


class Small(nn.Sequential):
    def __init__(self): super().__init__(nn.Conv2d(1, 2, 3, bias=False), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))


def test_model_round_trip_with_mask(tmp_path):
    c = Cache(tmp_path)
    torch.manual_seed(0)
    trained = Small(); trained[1].running_mean.fill_(0.25); trained[1].num_batches_tracked.fill_(7)
    mask = {'0.weight': torch.rand(2, 1, 3, 3) > 0.5, '3.weight': torch.ones(3, 8, dtype=torch.bool)}
    extras = {'mask': mask, 'seconds': 1.5, 'note': 'omp', 'sparsity': [0.5, 0.9]}
    m1, e1 = c.model('omp', PARTS, lambda: (trained, extras), Small)
    assert not m1.training and torch.equal(e1['mask']['0.weight'], mask['0.weight'])
    def never(): raise AssertionError('a hit must not compute')
    m2, e2 = Cache(tmp_path).model('omp', PARTS, never, Small)
    assert m2 is not trained and not m2.training
    s1, s2 = m1.state_dict(), m2.state_dict()
    assert s1.keys() == s2.keys() and all(torch.equal(s1[k], s2[k]) for k in s1)  # BN buffers included
    assert (e2['seconds'], e2['note'], e2['sparsity']) == (1.5, 'omp', [0.5, 0.9])
    assert e2['mask'].keys() == mask.keys()
    for k in mask: assert e2['mask'][k].dtype == torch.bool and torch.equal(e2['mask'][k], mask[k])
    x = torch.randn(4, 1, 4, 4)
    assert torch.equal(m1(x), m2(x))


def test_model_state_is_stored_on_cpu_detached(tmp_path):
    c = Cache(tmp_path)
    c.model('m', PARTS, lambda: (Small(), {}), Small)
    stored = torch.load(c.path('m', PARTS), weights_only=True)
    assert all(not v.requires_grad and v.device.type == 'cpu' for v in stored['value']['state'].values())


def test_SPARSE_MU_CACHE_is_respected(tmp_path, monkeypatch):
    monkeypatch.setenv('SPARSE_MU_CACHE', str(tmp_path/'here'))
    assert default_cache_dir() == tmp_path/'here'
    c = Cache(); assert c.root == tmp_path/'here'
    c.record('rec', PARTS, Counter())
    assert c.path('rec', PARTS).is_relative_to(tmp_path/'here') and c.path('rec', PARTS).exists()
    monkeypatch.delenv('SPARSE_MU_CACHE'); monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'xdg'))
    assert Cache().root == tmp_path/'xdg'/'sparse_mu'/'results'
    assert Cache(tmp_path/'explicit').root == tmp_path/'explicit'


# --- keys that hold the code -------------------------------------------------------------------------------------------
import importlib.util, sys, textwrap, time

from sparse_mu.cache import code_closure, code_fingerprint, codeless, normalized_source

SOURCE = '''
def helper(x):
    "Double it."
    return 2 * x

def method(x):
    "The method."
    # a comment
    return helper(x) + 1

def other(x):
    return x - 1
'''


def load_module(tmp_path, name, text):
    "Import `text` as module `name` from a file (so `inspect` finds its source)."
    path = tmp_path/f'{name}.py'; path.write_text(textwrap.dedent(text))
    spec = importlib.util.spec_from_file_location(name, path); mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod; spec.loader.exec_module(mod)
    return mod


def test_docstring_and_comment_edits_keep_the_fingerprint(tmp_path):
    edited = (SOURCE.replace('"The method."', '"""The method, documented at length.\n\n    Another paragraph."""')
                    .replace('# a comment', '# another comment\n\n    # and one more').replace('"Double it."', ''))
    a, b = load_module(tmp_path, 'fp_a', SOURCE), load_module(tmp_path, 'fp_b', edited)
    assert normalized_source(a.method) == normalized_source(b.method)
    fa = code_fingerprint(*code_closure(a.method)); fb = code_fingerprint(*code_closure(b.method))
    assert fa == fb and len(fa) == 12
    assert code_fingerprint(a) == code_fingerprint(b)                    # whole modules too


def test_code_edits_change_the_fingerprint(tmp_path):
    a = load_module(tmp_path, 'fp_c', SOURCE)
    b = load_module(tmp_path, 'fp_d', SOURCE.replace('return 2 * x', 'return 3 * x'))      # an edit of a helper it calls
    c = load_module(tmp_path, 'fp_e', SOURCE.replace('return x - 1', 'return x - 2'))      # an edit of code it never calls
    assert [o.__name__ for o in code_closure(a.method)] == ['method', 'helper']
    fp = lambda m: code_fingerprint(*code_closure(m.method))
    assert fp(a) != fp(b) and fp(a) == fp(c)
    assert code_fingerprint(a) != code_fingerprint(c)                    # the whole module does change


def test_stale_entry_is_found(tmp_path):
    c = Cache(tmp_path)
    old, new = {**PARTS, 'code': 'v1', 'model': {'seed': 0, 'code': 'm1'}}, {**PARTS, 'code': 'v2', 'model': {'seed': 0, 'code': 'm1'}}
    assert codeless(old) == codeless(new) and cache_key(old) != cache_key(new)
    c.record('rec', old, Counter())
    assert not c.has('rec', new) and c.stale('rec', new) == [cache_key(old)]
    assert c.stale('rec', old) == [] and c.stale('rec', {**PARTS, 'seed': 5, 'code': 'v2'}) == []
    c.path('rec', old).unlink()                                          # a removed entry is not listed
    assert c.stale('rec', new) == []


def test_seconds_are_stored_with_the_entry(tmp_path):
    c = Cache(tmp_path)
    c.record('rec', PARTS, lambda: (time.sleep(0.1), {'UA': 1.0})[1])
    s = c.seconds('rec', PARTS)
    assert 0.1 <= s < 30 and torch.load(c.path('rec', PARTS), weights_only=True)['seconds'] == s
    assert Cache(tmp_path).seconds('rec', PARTS) == s and c.seconds('rec', {**PARTS, 'seed': 1}) is None
    c.model('m', PARTS, lambda: (Small(), {}), Small)
    assert c.seconds('m', PARTS) >= 0


def test_clear(tmp_path):
    c = Cache(tmp_path/'cache'); c.record('rec', PARTS, Counter())
    c.clear()
    assert not (tmp_path/'cache').exists()
    f = Counter(); c.record('rec', PARTS, f); assert f.calls == 1
