"The `sparse-mu` command line: listing the experiment notebooks and one papermill run of a tiny notebook."
import json, subprocess, sys

import nbformat
import pytest

from sparse_mu.batch import experiment_notebooks
from sparse_mu.cli import main


def tiny_notebook(path, code, parameters="profile = 'smoke'\nout_dir = None\nn = 1\ntag = ''"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={'tags': ['parameters']}),
                nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


@pytest.fixture
def nbs(tmp_path):
    d = tmp_path/'nbs'; d.mkdir()
    tiny_notebook(d/'10_tiny.ipynb', "from sparse_mu.core import output_paths\n"
                                     "figures, tables = output_paths(out_dir)\n"
                                     "(tables/'tiny.csv').write_text(f'profile,n\\n{profile},{n}\\n')")
    tiny_notebook(d/'05_library.ipynb', "x = 1")
    return d


def test_list_repository(capsys):
    "`sparse-mu list` prints the repository's experiment notebooks (whatever exists right now)."
    assert main(['list']) == 0
    assert capsys.readouterr().out.split() == [p.stem for p in experiment_notebooks()]


def test_list_and_errors(nbs, capsys):
    assert main(['list', '--nbs', str(nbs)]) == 0
    assert capsys.readouterr().out.split() == ['10_tiny']
    assert main(['reproduce', '--profile', 'smoke', '--only', 'nothing', '--nbs', str(nbs)]) == 2
    assert '10_tiny' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(['reproduce', '--profile', 'huge', '--nbs', str(nbs)])
    with pytest.raises(SystemExit):
        main(['reproduce', '--param', 'no_value', '--nbs', str(nbs)])


def error_of(argv, capsys) -> tuple[int, str]:
    "(exit code, stderr) of `sparse-mu argv`, whether argparse exits or `main` returns."
    try: code = main(argv)
    except SystemExit as e: code = e.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize('flag', ['--workers', '--lanes', '--threads'])
@pytest.mark.parametrize('value', ['0', '-2', '1.5', 'many'])
def test_numeric_flags_out_of_range(nbs, capsys, flag, value):
    "`--threads 0` (once a ZeroDivisionError) and every other count: an argparse error naming the flag, nothing run."
    code, err = error_of(['reproduce', '--profile', 'smoke', '--nbs', str(nbs), flag, value], capsys)
    assert code == 2 and f'argument {flag}: expects a whole number >= 1' in err


def test_undeclared_param(nbs, tmp_path, capsys):
    "A `--param` no selected notebook declares (a typo) fails before anything runs, listing the declared names."
    out = tmp_path/'out'
    code, err = error_of(['reproduce', '--profile', 'smoke', '--nbs', str(nbs), '--out', str(out), '--param', 'nn=3'], capsys)
    assert code == 2 and "declares the parameter 'nn'" in err and 'they declare: n, tag' in err
    assert not out.exists()


def test_bad_paths_and_names(nbs, tmp_path, capsys):
    "A mistyped --out parent, --nbs folder, compare folder, README file, --only name or --epoch-s: a clear error, code 2."
    cases = [(['reproduce', '--nbs', str(nbs), '--out', str(tmp_path/'typo'/'out')], 'does not exist; create it first'),
             (['list', '--nbs', str(tmp_path/'nbz')], 'argument --nbs: no folder'),
             (['compare', str(tmp_path), str(tmp_path/'gone')], 'argument b: no folder'),
             (['compare', str(tmp_path), str(tmp_path)], 'not a batch'),
             (['readme', '--file', str(tmp_path/'READ.md')], 'argument --file: no file'),
             (['reproduce', '--nbs', str(nbs), '--only', 'tiny', 'tyni'], "no experiment notebook matches 'tyni'"),
             (['plan', '--epoch-s', 'fast'], "argument --epoch-s: expects a positive number of seconds or 'paper'")]
    for argv, message in cases:
        code, err = error_of(argv, capsys)
        assert code == 2 and message in err, (argv, err)


def test_reproduce_cli(nbs, tmp_path):
    "`python -m sparse_mu.cli reproduce` runs the notebook with the profile and the extra parameter."
    out = tmp_path/'out'
    r = subprocess.run([sys.executable, '-m', 'sparse_mu.cli', 'reproduce', '--profile', 'smoke', '--nbs', str(nbs),
                        '--out', str(out), '--param', 'n=3', '--param', 'tag=x', '--quiet'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert '10_tiny' in r.stdout and 'total wall time' in r.stdout
    assert (out/'tables'/'tiny.csv').read_text() == 'profile,n\nsmoke,3\n'
    assert (out/'notebooks'/'10_tiny.ipynb').exists()
    rec = json.loads((out/'run.json').read_text())
    assert rec['profile'] == 'smoke' and rec['parameters']['n'] == 3 and rec['parameters']['tag'] == 'x'
    assert [(n['name'], n['status']) for n in rec['notebooks']] == [('10_tiny', 'ok')]
