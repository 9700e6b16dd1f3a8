"""Build the documentation site: `python nbs/_site/build.py [--out _docs]` (what `make docs` runs).

Assembles a Sphinx source tree under OUT/_src from the repository (library notebooks from nbs/, the executed
experiment notebooks of the committed run from figures/notebooks/, an API page per module, a results page from
README.md), then runs sphinx-build into OUT/html. Nothing is executed: the notebooks render with their stored outputs."""
import argparse, json, re, shutil, subprocess, sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent
GIT_URL = 'https://github.com/sparse-mu/sparse_mu/blob/main'


def module_notebooks() -> dict:
    "{'sparse_mu.data': '01_data', ...}: the notebook each generated module names in its header."
    out = {}
    for py in sorted((ROOT/'sparse_mu').glob('*.py')):
        m = re.search(r'File to edit: \.\./nbs/(\S+)\.ipynb', py.read_text()[:2000])
        if m: out[f'sparse_mu.{py.stem}'] = m.group(1)
    return out


def page_of_notebook(stem: str) -> str:
    "The page (docname) of notebook `stem`: experiments (10_ and above) and library notebooks."
    return f"{'experiments' if int(stem[:2]) >= 10 else 'library'}/{stem}"


def rewrite_links(text: str, here: str = '') -> str:
    "README links made site links: notebooks to their pages, figures to the copied ones, other files to GitHub."
    def sub(m):
        label, target = m.group(1), m.group(2)
        if re.match(r'^(https?:|mailto:|#)', target): return m.group(0)
        path, _, anchor = target.partition('#')
        nb = re.fullmatch(r'(?:figures/notebooks|nbs)/(\d\d_\w+)\.ipynb', path)
        if nb: return f'[{label}]({here}{page_of_notebook(nb.group(1))}.ipynb)'
        if re.fullmatch(r'figures/[\w.-]+\.(png|svg|jpg)', path): return f'[{label}]({here}{path})'
        return f'[{label}]({GIT_URL}/{target})'
    return re.sub(r'\[([^\]]*)\]\(([^)\s]+)\)', sub, text)


def readme_parts() -> tuple[str, str]:
    "README.md split into the project page (everything before the results) and the results page."
    text = (ROOT/'README.md').read_text()
    i = text.find('\n## Results at the default profile')
    if i < 0: i = len(text)
    return text[:i], '# Results\n\n> The README\'s results: every table and figure of the committed default-profile run.\n' + text[i:].replace('\n## Results at the default profile', '\n## Results at the default profile', 1)


def _hidden(src: str) -> bool:
    "A cell nbdev keeps out of its docs: `#| hide`, or nothing but directives (`#| default_exp`)."
    lines = [l.strip() for l in src.strip().split('\n') if l.strip()]
    return not lines or any(l.replace(' ', '') in ('#|hide', '#|exporti_hide') for l in lines) or all(l.startswith('#|') for l in lines)


def build(out: Path, quiet: bool = True) -> Path:
    src = out/'_src'
    if src.exists(): shutil.rmtree(src)
    (src/'library').mkdir(parents=True); (src/'experiments').mkdir(); (src/'api').mkdir(); (src/'figures').mkdir()
    mods = module_notebooks(); nb_mod = {v: k for k, v in mods.items()}
    run = json.loads((ROOT/'figures'/'run.json').read_text()) if (ROOT/'figures'/'run.json').exists() else {}
    lib, exp = [], []
    for p in sorted((ROOT/'nbs').glob('[0-9][0-9]*.ipynb')):
        stem = p.stem; page = page_of_notebook(stem)
        executed = ROOT/'figures'/'notebooks'/p.name
        nb = nbformat.read(executed if page.startswith('experiments') and executed.exists() else p, as_version=4)
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and _hidden(c.source))]
        for c in nb.cells:                                   # nbdev's directives are for nbdev, not for readers
            if c.cell_type == 'code': c.source = '\n'.join(l for l in c.source.split('\n') if not l.startswith('#|')).strip('\n')
        notes = []
        if stem in nb_mod: notes.append(f'API reference of `{nb_mod[stem]}`: [{nb_mod[stem]}](../api/{nb_mod[stem]}.rst)')
        if page.startswith('experiments'):
            notes.append(f"Executed notebook of the committed run (`figures/notebooks/{p.name}`: commit {run.get('commit', '?')}, "
                         f"profile `{run.get('profile', '?')}`), rendered with its stored outputs."
                         if executed.exists() else 'Not part of the committed run: shown without outputs.')
        notes.append(f'Source: [`nbs/{p.name}`]({GIT_URL}/nbs/{p.name})')
        # after the title cell, so the page title stays the notebook's own
        first = next((i for i, c in enumerate(nb.cells) if c.cell_type == 'markdown' and c.source.lstrip().startswith('# ')), -1)
        nb.cells.insert(first + 1, nbformat.v4.new_markdown_cell('\n\n'.join(f'*{n}*' for n in notes)))
        figs = [f for f in dict.fromkeys(re.findall(r"save_figure\(\w+, \w+, '(\w+)'", p.read_text()))
                if (ROOT/'figures'/f'{f}.png').exists()]
        if figs and page.startswith('experiments'):      # the figures it wrote, as committed (shown inline or not)
            nb.cells.append(nbformat.v4.new_markdown_cell('## Figures this notebook wrote\n\n' + '\n\n'.join(
                f'`figures/{f}.png` (and `.pdf`)\n\n![{f}](../figures/{f}.png)' for f in figs)))
        nbformat.write(nb, src/f'{page}.ipynb')
        (exp if page.startswith('experiments') else lib).append(page)
    for mod, stem in mods.items():
        name = mod.split('.')[1]
        title = f'``{mod}``'                         # reStructuredText: autodoc's output is rst, which MyST would misread
        (src/'api'/f'{mod}.rst').write_text(
            f'{title}\n{"=" * len(title)}\n\nDefined in the notebook :doc:`{stem} </{page_of_notebook(stem)}>`, where every '
            f'function below comes with its derivation and its checks.\n\n.. automodule:: {mod}\n   :members:\n   :undoc-members:\n')
    for f in (ROOT/'figures').glob('*.png'): shutil.copy2(f, src/'figures'/f.name)
    home, results = readme_parts()
    (src/'results.md').write_text(rewrite_links(results))
    toc = lambda cap, pages: f'```{{toctree}}\n:caption: {cap}\n:maxdepth: 1\n\n' + '\n'.join(pages) + '\n```\n\n'
    stems = {p.stem for p in (ROOT/'nbs').glob('[0-9][0-9]*.ipynb')}
    home = re.sub(r'^\| `(\d\d\w*?_\w+)` \|', lambda m: f'| [`{m.group(1)}`]({page_of_notebook(m.group(1))}.ipynb) |'
                  if m.group(1) in stems else m.group(0), home, flags=re.M)                  # the notebook table links its pages
    home = re.sub(r'\| `(sparse_mu\.\w+)` \|', lambda m: f'| [`{m.group(1)}`](api/{m.group(1)}.rst) |' if m.group(1) in mods
                  else m.group(0), home)
    (src/'index.md').write_text(rewrite_links(home) + '\n\n' + toc('Library notebooks', lib) + toc('Experiments (executed)', exp)
                                + toc('Results', ['results']) + toc('API reference', [f'api/{m}' for m in mods]))
    (src/'notebook_of_module.json').write_text(json.dumps({m: page_of_notebook(s) for m, s in mods.items()}))
    shutil.copy2(SITE/'conf.py', src/'conf.py')
    (src/'_static').mkdir(exist_ok=True); shutil.copy2(SITE/'custom.css', src/'_static'/'custom.css')
    import jupyter_server_mathjax
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent/'static', src/'_static'/'mathjax')
    (src/'_static'/'mathjax'/'config'/'local').mkdir(parents=True, exist_ok=True)
    shutil.copy2(SITE/'mathjax_local.js', src/'_static'/'mathjax'/'config'/'local'/'sparse_mu.js')
    html = out/'html'
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q' if quiet else '-v', '-j', 'auto', str(src), str(html)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return html


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_docs'), help='output folder (the site goes to OUT/html)')
    a = ap.parse_args()
    html = build(Path(a.out).resolve())
    print(f'docs: {html/"index.html"}')
