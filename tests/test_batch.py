"The `sparse-mu` command line: listing the experiment notebooks and one papermill run of a tiny notebook."
import json, subprocess, sys

import nbformat
import pytest

from sparse_mu.batch import experiment_notebooks, main


def tiny_notebook(path, code):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("profile = 'smoke'\nout_dir = None", metadata={'tags': ['parameters']}),
                nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


@pytest.fixture
def nbs(tmp_path):
    d = tmp_path/'nbs'; d.mkdir()
    tiny_notebook(d/'10_tiny.ipynb', "from sparse_mu.batch import output_paths\n"
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


def test_reproduce_cli(nbs, tmp_path):
    "`python -m sparse_mu.batch reproduce` runs the notebook with the profile and the extra parameter."
    out = tmp_path/'out'
    r = subprocess.run([sys.executable, '-m', 'sparse_mu.batch', 'reproduce', '--profile', 'smoke', '--nbs', str(nbs),
                        '--out', str(out), '--param', 'n=3', '--param', 'tag=x', '--quiet'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert '10_tiny' in r.stdout and 'total wall time' in r.stdout
    assert (out/'tables'/'tiny.csv').read_text() == 'profile,n\nsmoke,3\n'
    assert (out/'notebooks'/'10_tiny.ipynb').exists()
    rec = json.loads((out/'run.json').read_text())
    assert rec['profile'] == 'smoke' and rec['parameters']['n'] == 3 and rec['parameters']['tag'] == 'x'
    assert [(n['name'], n['status']) for n in rec['notebooks']] == [('10_tiny', 'ok')]
