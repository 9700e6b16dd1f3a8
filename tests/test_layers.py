"""The package's layers (00_core, "The layers"), checked on the source of every `sparse_mu/*.py` with `ast`:
a library module imports no running or study module, a running module no study module, and no module imports
another module's private (`_name`) names. And every `SPARSE_MU_*` variable is read through `core.env_setting`."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent/'sparse_mu'

# the layer map (the same table as 00_core's prose): lower layers never import higher ones
LAYERS = {
    'library': ('core', 'paper', 'data', 'models', 'train', 'prune', 'cache', 'metrics', 'verdict', 'per_example', 'unlearn', 'theory'),
    'running': ('engine', 'pipeline', 'per_example_runs', 'regime', 'plan', 'batch', 'report', 'cli'),
    'studies': ('backdoor', 'defense', 'transfer', 'tickets', 'bench'),
}
RANK = {m: i for i, mods in enumerate(LAYERS.values()) for m in mods}
LAYER_OF = {m: layer for layer, mods in LAYERS.items() for m in mods}
NOT_MODULES = {'__init__', '_modidx'}


def private(name: str) -> bool:
    "`_x` is private; dunders (`__file__`, `__version__`) are not."
    return name.startswith('_') and not (name.startswith('__') and name.endswith('__'))


def package_module(node: ast.ImportFrom) -> str | None:
    "The `sparse_mu` module a `from ... import` names ('' for the package itself), else None (another package)."
    if node.level == 1: return node.module or ''
    if node.level == 0 and node.module and (node.module == 'sparse_mu' or node.module.startswith('sparse_mu.')):
        return node.module.removeprefix('sparse_mu').removeprefix('.')
    return None


def imports(source: str) -> list[tuple[str, str | None, int]]:
    """(module, name, line) for every import of a `sparse_mu` module in `source`: `name` is the imported name of a
    `from module import name`, None for the module itself; `x._y` on a name bound to a module counts as importing `_y`."""
    tree, out, bound = ast.parse(source), [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (mod := package_module(node)) is not None:
            for a in node.names:
                if mod == '':                                     # from . import x / from sparse_mu import x
                    out.append((a.name, None, node.lineno)); bound[a.asname or a.name] = a.name
                else:
                    out.append((mod, a.name, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('sparse_mu.'):
                    mod = a.name.removeprefix('sparse_mu.'); out.append((mod, None, node.lineno))
                    if a.asname: bound[a.asname] = mod
    for node in ast.walk(tree):                                  # m._y, sparse_mu.m._y
        if not isinstance(node, ast.Attribute) or not private(node.attr): continue
        v = node.value
        if isinstance(v, ast.Name) and v.id in bound: out.append((bound[v.id], node.attr, node.lineno))
        elif isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id == 'sparse_mu':
            out.append((v.attr, node.attr, node.lineno))
    return out


def violations(module: str, source: str) -> list[str]:
    "What `module` (its `source`) breaks of the layer rules, one line each."
    if module not in RANK: return [f'{module}: in no layer; add it to LAYERS here and to the table in 00_core']
    found = []
    for mod, name, line in imports(source):
        if mod == module: continue
        if mod not in RANK: found.append(f'{module}:{line}: imports {mod}, which is in no layer'); continue
        if RANK[mod] > RANK[module]:
            found.append(f'{module}:{line}: a {LAYER_OF[module]} module imports {mod} ({LAYER_OF[mod]})')
        if name is not None and private(name):
            found.append(f'{module}:{line}: imports {mod}.{name}, a private name; make it public (with a docstring) or move it')
    return found


def modules() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(PACKAGE.glob('*.py')) if p.stem not in NOT_MODULES}


def test_every_module_has_a_layer():
    assert set(modules()) == set(RANK), f'modules outside LAYERS: {sorted(set(modules()) - set(RANK))}; gone: {sorted(set(RANK) - set(modules()))}'


@pytest.mark.parametrize('module', sorted(modules()))
def test_layer_rules(module):
    assert violations(module, modules()[module]) == []


# the checker itself: each rule fails on a synthetic source
def test_checker_finds_private_imports():
    assert violations('defense', 'from .unlearn import FinetuneConfig, _concat') == [
        'defense:1: imports unlearn._concat, a private name; make it public (with a docstring) or move it']
    assert len(violations('tickets', 'from sparse_mu.data import Splits, _per_class_take')) == 1
    assert len(violations('bench', 'from . import data\ndef f(): return data._per_class_take')) == 1
    assert len(violations('bench', 'import sparse_mu.data as d\nx = d._hidden')) == 1
    assert len(violations('bench', 'import sparse_mu\nx = sparse_mu.data._hidden')) == 1
    assert violations('batch', 'import sparse_mu\nroot = sparse_mu.__file__\nfrom .core import to_jsonable') == []
    assert violations('data', 'def _own(): pass\nx = _own()') == []          # its own private names are fine


def test_checker_finds_layer_breaks():
    assert violations('per_example', 'from .pipeline import Profile') == [
        'per_example:1: a library module imports pipeline (running)']
    assert len(violations('core', 'def f():\n    from sparse_mu.batch import reproduce')) == 1    # lazy imports count
    assert len(violations('plan', 'from .backdoor import trojan_key')) == 1                      # running -> studies
    assert violations('defense', 'from .pipeline import Profile\nfrom .backdoor import trojan_key') == []
    assert violations('newmod', '') == ['newmod: in no layer; add it to LAYERS here and to the table in 00_core']
    assert violations('core', 'import numpy, torch\nfrom numpy import _private') == []         # other packages: not ours


def env_reads(source: str) -> list[int]:
    "Lines that read a `SPARSE_MU_*` variable (a literal, or an `ENV_*` constant) from `os.environ` / `os.getenv`."
    def setting(arg):
        return (isinstance(arg, ast.Constant) and str(arg.value).startswith('SPARSE_MU_')) or \
               (isinstance(arg, ast.Name) and arg.id.startswith('ENV_'))
    environ = lambda n: isinstance(n, ast.Attribute) and n.attr == 'environ'
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and setting(node.args[0]):
            f = node.func
            if (f.attr == 'get' and environ(f.value)) or f.attr == 'getenv': lines.append(node.lineno)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and environ(node.value) and setting(node.slice):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize('module', sorted(set(modules()) - {'core'}))
def test_settings_read_through_core(module):
    assert env_reads(modules()[module]) == [], f'{module}: read $SPARSE_MU_* with core.env_setting (and list it in core.SETTINGS)'


def test_env_reads_found():
    assert env_reads("import os\nx = os.environ.get('SPARSE_MU_DATA')\ny = os.environ['SPARSE_MU_CACHE']") == [2, 3]
    assert env_reads("import os\nENV_X = 'SPARSE_MU_X'\nv = os.getenv(ENV_X, '')") == [3]
    assert env_reads("import os\nos.environ['SPARSE_MU_PROGRESS'] = '0'\nhome = os.environ.get('HOME')") == []   # a write, another variable


def test_settings_listed_once():
    "Every `SPARSE_MU_*` name the package mentions is one of core.SETTINGS (the documented list)."
    import re
    from sparse_mu.core import SETTINGS
    named = {n for src in modules().values() for n in re.findall(r"SPARSE_MU_[A-Z_]+[A-Z]", src)}
    assert named <= set(SETTINGS), f'not in core.SETTINGS: {sorted(named - set(SETTINGS))}'
