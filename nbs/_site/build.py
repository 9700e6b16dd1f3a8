"""Build the documentation site: `python nbs/_site/build.py [--out _docs]` (what `make docs` runs).

Assembles a Sphinx source tree under OUT/_src from the repository, then runs sphinx-build (sphinx-book-theme) into
OUT/html. The home page is README.md (the answer first); then four groups of pages:

- **Guide**: the Markdown pages of nbs/_site/pages/ named in `GUIDE` (notebooks and profiles, using the library, methods,
  scale, this site);
- **Library**: the library notebooks (nbs/0*), prose and checks, and an API page per module that links to its notebook;
- **Studies**: the executed experiment notebooks of the committed run (figures/notebooks/), each opening with what it
  found (its claims table and main figure), then the notebook;
- **Results**: the pages of nbs/_site/pages/ named in `RESULTS`.

Every page's result blocks (`<!-- figures/tables/NAME.md -->` ... `<!-- end -->`, `<!-- run -->`, `<!-- claims -->`,
`<!-- paper-claims -->`, `<!-- answer -->`) are filled from figures/ at build time by `sparse_mu.report.fill_readme`, so
the site always shows the committed run; an image the run did not write is replaced by a line that says so.
Nothing is executed except the paper guide (`00a_paper`, pure pandas, a second), so that its tables show; the other
notebooks render with their stored outputs. Machine paths (the folder a notebook ran in) are rewritten relative to the
repository, and source links point at copies of the files inside the site (no repository host is named)."""
import argparse, configparser, json, os, re, shutil, subprocess, sys
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))                  # this checkout's sparse_mu (report's fill_readme), not an installed copy
from sparse_mu.core import markdown_table
from sparse_mu.report import interval_text
GUIDE = ('notebooks', 'using', 'methods', 'scale', 'docs')         # nbs/_site/pages/NAME.md, in this order
RESULTS = ('results', 'studies', 'claims', 'cost')
EXECUTE = ('00a_paper',)                       # cheap library notebooks executed at build time (their outputs are data)
MAIN_FIGURE = {'16_transfer': 'table4_transfer', '21_regime_map': 'regime_map'}   # where the headline figure is not the first
FINDINGS_TABLE = {'21_regime_map': 'regime_verdicts'}                          # verdict tables not named *_claims
VERDICT_MARK = {'reproduced': '✓', 'met': '✓', 'not reproduced': '✗', 'not met': '✗', 'contradicted': '✗', 'not checked': '○',
                'inconclusive': '○', 'undefined': '○'}   # in every common font


def settings() -> configparser.SectionProxy:
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']


def source_url() -> str:
    "Base URL of the repository's files, from settings.ini's `git_url` (empty: source links go to copies inside the site)."
    url = settings().get('git_url', '').strip().rstrip('/')
    return f"{url}/blob/{settings().get('branch', 'main')}" if url else ''


def source_link(path: str, label: str | None = None) -> str:
    "A MyST link to the repository file `path`: the host's page if settings.ini names one, else a copy served by the site."
    label = label or f'`{path}`'
    if source_url(): return f'[{label}]({source_url()}/{path})'
    return f'{{download}}`{label.strip("`")} </_repo/{path}>`'


_MACHINE = re.compile(r'(?<![\w.~-])/(?:root|home|tmp|work|Users|private|var/folders)(?:/[^\s"\'`<>|,;()\[\]{}]*)?')

def strip_machine_paths(text: str) -> str:
    "Absolute paths of the machine a notebook ran on, made relative to the repository (or reduced to their tail)."
    def sub(m):
        p = m.group(0)
        k = re.search(r'/(figures|nbs|sparse_mu|tests|data)(/|$)', p)
        if k: return p[k.start() + 1:]
        k = re.search(r'/site-packages/', p)
        if k: return '…' + p[k.start():]
        tail = p.rstrip('/').rsplit('/', 1)[-1]
        return f'…/{tail}' if tail and tail not in ('root', 'home', 'tmp', 'work') else '…'
    return _MACHINE.sub(sub, text)


def _strip_outputs(nb) -> None:
    "Machine paths out of a notebook's sources, text outputs and metadata (in place)."
    nb.metadata.pop('papermill', None)
    for c in nb.cells:
        c.source = strip_machine_paths(c.source)
        c.metadata.pop('papermill', None); c.metadata.pop('execution', None)
        for o in c.get('outputs', []):
            if 'text' in o: o['text'] = strip_machine_paths(o['text'])
            if 'traceback' in o: o['traceback'] = [strip_machine_paths(t) for t in o['traceback']]
            if 'evalue' in o: o['evalue'] = strip_machine_paths(o['evalue'])
            for mime, v in o.get('data', {}).items():
                if mime.startswith('text/') or mime in ('application/json',):
                    o['data'][mime] = strip_machine_paths(v) if isinstance(v, str) else v


def module_notebooks() -> dict:
    "{'sparse_mu.data': '01_data', ...}: the notebook each generated module names in its header."
    out = {}
    for py in sorted((ROOT/'sparse_mu').glob('*.py')):
        m = re.search(r'File to edit: \.\./nbs/(\S+)\.ipynb', py.read_text()[:2000])
        if m: out[f'sparse_mu.{py.stem}'] = m.group(1)
    return out


def page_of_notebook(stem: str) -> str:
    "The page (docname) of notebook `stem`: experiments (studies, 10_ and above) and library notebooks."
    return f"{'experiments' if int(stem[:2]) >= 10 else 'library'}/{stem}"


def rewrite_links(text: str, here: str = '', copied: set | None = None) -> str:
    "README links made site links: notebooks to their pages, figures to the copied ones, other files to their copies."
    def sub(m):
        label, target = m.group(1), m.group(2)
        if re.match(r'^(https?:|mailto:|#)', target): return m.group(0)
        path, _, anchor = target.partition('#')
        nb = re.fullmatch(r'(?:figures/notebooks|nbs)/(\d\d\w*?_\w+)\.ipynb', path)
        if nb: return f'[{label}]({here}{page_of_notebook(nb.group(1))}.ipynb)'
        if re.fullmatch(r'figures/[\w.-]+\.(png|svg|jpg)', path): return f'[{label}]({here}{path})'
        pg = re.fullmatch(r'nbs/_site/pages/(\w+)\.md', path)
        if pg: return f'[{label}]({here}{pg.group(1)}.md' + (f'#{anchor}' if anchor else '') + ')'
        if (ROOT/path).is_file():
            if copied is not None: copied.add(path)
            return source_link(path, label)
        return label                                      # a folder or a file outside the repository: no link
    return re.sub(r'(?<!!)\[([^\]]*)\]\(([^)\s]+)\)', sub, text)


def filled(text: str) -> str:
    "`text` with its result blocks filled from the committed run (figures/), and images the run did not write said so."
    from sparse_mu.report import fill_readme
    text = fill_readme(text, ROOT/'figures')
    return re.sub(r'!\[[^\]]*\]\((figures/[\w./-]+)\)', lambda m: m.group(0) if (ROOT/m.group(1)).exists()
                  else f'*(not in this run: `{m.group(1)}`)*', text)


def page_text(text: str, stems: set, mods: dict, copied: set) -> str:
    "A Markdown page as the site shows it: filled from the run, its notebook and module tables linked, links made site links."
    text = filled(text)
    text = re.sub(r'^\| `(\d\d\w*?_\w+)` \|', lambda m: f'| [`{m.group(1)}`]({page_of_notebook(m.group(1))}.ipynb) |'
                  if m.group(1) in stems else m.group(0), text, flags=re.M)                  # the notebook table links its pages
    text = re.sub(r'\| `(sparse_mu\.\w+)` \|', lambda m: f'| [`{m.group(1)}`](api/{m.group(1)}.rst) |' if m.group(1) in mods
                  else m.group(0), text)
    return strip_machine_paths(rewrite_links(text, copied=copied))


def _hidden(src: str) -> bool:
    "A cell nbdev keeps out of its docs: `#| hide`, or nothing but directives (`#| default_exp`)."
    lines = [l.strip() for l in src.strip().split('\n') if l.strip()]
    return not lines or any(l.replace(' ', '') in ('#|hide', '#|exporti_hide') for l in lines) or all(l.startswith('#|') for l in lines)


def claims_table(stem: str, nb_text: str) -> str | None:
    "The name of the verdict table (figures/tables/NAME.md) that notebook `stem` writes, if there is one."
    if stem in FINDINGS_TABLE: return FINDINGS_TABLE[stem]
    m = re.search(r"\.save\(tables, '(\w+_claims)'\)", nb_text)
    return m.group(1) if m else None


def figures_of(stem: str, nb_text: str) -> list:
    "The figures (names under figures/) the notebook writes, in order, that the committed run holds."
    return [f for f in dict.fromkeys(re.findall(r"save_figure\([\w.]+, \w+, '(\w+)'", nb_text)) if (ROOT/'figures'/f'{f}.png').exists()]


def compact_verdicts(df: pd.DataFrame) -> str:
    "A verdict table (the verdict layer's columns) for a page: claim, verdict, effect [95% CI] to 3 digits, margin, seeds."
    effect = [interval_text(e, lo, hi) for e, lo, hi in zip(df.effect, df.ci_low, df.ci_high)]
    return markdown_table(pd.DataFrame({'claim': df.claim, 'verdict': df.verdict, 'effect [95% CI]': effect,
                                        'margin δ': df.margin.map(lambda m: f'{m:g}'), 'seeds': df.n_seeds}))


_VERDICT = r'\| (reproduced|not reproduced|met|not met|not checked|contradicted|inconclusive|undefined) \|'

def verdicts(stem: str, nb_text: str) -> dict | None:
    "The committed verdict table of notebook `stem`: its name, Markdown (verdicts marked), and the count of checks passed."
    table = claims_table(stem, nb_text)
    if not table or not (ROOT/'figures'/'tables'/f'{table}.md').exists(): return None
    md = strip_machine_paths((ROOT/'figures'/'tables'/f'{table}.md').read_text().strip())
    csv = ROOT/'figures'/'tables'/f'{table}.csv'
    if csv.exists() and {'effect', 'ci_low', 'ci_high', 'margin', 'n_seeds'} <= set((df := pd.read_csv(csv)).columns):
        md = compact_verdicts(df).strip()          # a page-wide table: numbers to 3 digits, the prose detail stays in the notebook
    rows = [l for l in md.splitlines()[2:] if l.startswith('|')]
    found = [m.group(1) for r in rows for m in [re.search(_VERDICT, r)] if m]
    word = 'met' if 'met' in ' '.join(found).split() else 'reproduced'
    md = re.sub(_VERDICT, lambda m: f"| {VERDICT_MARK[m.group(1)]}\u00a0{m.group(1).replace(' ', chr(0xa0))} |", md)  # one unbroken line
    return dict(table=table, md=md, ok=sum(v in ('reproduced', 'met') for v in found), n=len(rows), word=word)


def findings_cell(stem: str, nb_text: str, run: dict) -> str | None:
    "Markdown opening an experiment page: the verdicts of its claims and its main figure, as committed."
    v, figs = verdicts(stem, nb_text), figures_of(stem, nb_text)
    parts = []
    if v: parts.append(f"**{v['ok']} of {v['n']} checks {v['word']}** (`figures/tables/{v['table']}.md`):\n\n{v['md']}")
    main = MAIN_FIGURE.get(stem, figs[0] if figs else None)
    if main: parts.append(f'![{main}](../figures/{main}.png)\n\n*`figures/{main}.png`, the main figure.*')
    if not parts: return None
    where = f"the committed run (commit {run.get('commit', '?')}, profile `{run.get('profile', '?')}`)"
    return (f'## Findings\n\n*What this study found in {where}; how, and every number behind it, follow below.*\n\n'
            + '\n\n'.join(parts))


def studies_at_a_glance(run: dict) -> str:
    "Markdown for the home page: every study of the committed run, what it asks and how many of its checks held."
    rows = []
    for p in sorted((ROOT/'nbs').glob('[0-9][0-9]*.ipynb')):
        if not page_of_notebook(p.stem).startswith('experiments') or not (ROOT/'figures'/'notebooks'/p.name).exists(): continue
        text = p.read_text(); nb = nbformat.reads(text, as_version=4)
        title = next((c.source.lstrip()[2:].split('\n')[0] for c in nb.cells if c.cell_type == 'markdown'
                      and c.source.lstrip().startswith('# ')), p.stem)
        v = verdicts(p.stem, text)
        rows.append(f"| [{title}]({page_of_notebook(p.stem)}.ipynb) | " +
                    (f"{v['ok']} of {v['n']} {v['word']}" if v else 'see the page') + ' |')
    if not rows: return ''
    return (f"## What the studies found\n\nThe committed run (commit {run.get('commit', '?')}, profile "
            f"`{run.get('profile', '?')}`): each study checks claims of the paper on this project's data and scale, and its page "
            'opens with the verdicts and the main figure.\n\n| study | checks |\n|---|---|\n' + '\n'.join(rows) + '\n\n')


def notebook_page(p: Path, nb_mod: dict, run: dict) -> tuple[str, nbformat.NotebookNode]:
    "The page of notebook `p`: its docname and the notebook as the site shows it."
    stem = p.stem; page = page_of_notebook(stem); study = page.startswith('experiments')
    executed = ROOT/'figures'/'notebooks'/p.name
    nb = nbformat.read(executed if study and executed.exists() else p, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and _hidden(c.source))]
    for c in nb.cells:                                   # nbdev's directives are for nbdev, not for readers
        if c.cell_type == 'code': c.source = '\n'.join(l for l in c.source.split('\n') if not l.startswith('#|')).strip('\n')
    _strip_outputs(nb)
    notes = []
    if stem in nb_mod: notes.append(f'API reference: [`{nb_mod[stem]}`](../api/{nb_mod[stem]}.rst)')
    if study:
        notes.append(f"Executed notebook of the committed run (`figures/notebooks/{p.name}`, commit {run.get('commit', '?')}, "
                     f"profile `{run.get('profile', '?')}`), shown with its stored outputs."
                     if executed.exists() else 'Not part of the committed run: shown without outputs.')
    notes.append(f'Source: {source_link(f"nbs/{p.name}")}')
    first = next((i for i, c in enumerate(nb.cells) if c.cell_type == 'markdown' and c.source.lstrip().startswith('# ')), -1)
    text = p.read_text()
    found = findings_cell(stem, text, run) if study and executed.exists() else None
    new = ([nbformat.v4.new_markdown_cell(found)] if found else []) + [nbformat.v4.new_markdown_cell(' · '.join(f'*{n}*' for n in notes))]
    if found: new.append(nbformat.v4.new_markdown_cell('## The notebook'))
    nb.cells[first + 1:first + 1] = new                  # after the title cell, so the page title stays the notebook's own
    figs = figures_of(stem, text)
    if figs and study:                                   # the figures it wrote, as committed (shown inline or not)
        nb.cells.append(nbformat.v4.new_markdown_cell('## Figures this notebook wrote\n\n' + '\n\n'.join(
            f'`figures/{f}.png` (and `.pdf`)\n\n![{f}](../figures/{f}.png)' for f in figs)))
    if stem in EXECUTE: nb.metadata['mystnb'] = {'execution_mode': 'force'}
    for c in nb.cells: c.pop('id', None)
    nb.nbformat_minor = 4
    return page, nb


def toctree(caption: str, pages: list, hidden: bool = True) -> str:
    return f'```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n' + (':hidden:\n' if hidden else '') + '\n' + '\n'.join(pages) + '\n```\n\n'


def build(out: Path, quiet: bool = True) -> Path:
    src = out/'_src'
    if src.exists(): shutil.rmtree(src)
    for d in ('library', 'experiments', 'api', 'figures', '_repo'): (src/d).mkdir(parents=True)
    mods = module_notebooks(); nb_mod = {v: k for k, v in mods.items()}
    run = json.loads((ROOT/'figures'/'run.json').read_text()) if (ROOT/'figures'/'run.json').exists() else {}
    lib, exp, copied = [], [], set()
    for p in sorted((ROOT/'nbs').glob('[0-9][0-9]*.ipynb')):
        page, nb = notebook_page(p, nb_mod, run)
        nbformat.write(nb, src/f'{page}.ipynb')
        (exp if page.startswith('experiments') else lib).append(page)
        copied.add(f'nbs/{p.name}')
    for mod, stem in mods.items():
        title = f'``{mod}``'                         # reStructuredText: autodoc's output is rst, which MyST would misread
        (src/'api'/f'{mod}.rst').write_text(
            f'{title}\n{"=" * len(title)}\n\nDefined in the notebook :doc:`{stem} </{page_of_notebook(stem)}>`, where every '
            f'function below comes with its derivation and its checks.\n\n.. automodule:: {mod}\n   :members:\n   :undoc-members:\n')
    (src/'api'/'index.md').write_text(
        '# API reference\n\nOne page per module of `sparse_mu`, generated from its docstrings; each links to the notebook that '
        'defines it, where the functions come with their derivation and checks. The modules `theory`, `backdoor`, `transfer` '
        'and `bench` are library code too, defined next to the study that first needed them.\n\n'
        '## Modules\n\n| module | defined in |\n|---|---|\n' +
        ''.join(f'| [`{m}`]({m}.rst) | [`{s}`](../{page_of_notebook(s)}.ipynb) |\n' for m, s in mods.items()) + '\n' +
        toctree('Modules', list(mods), hidden=True))
    for f in (ROOT/'figures').glob('*.png'): shutil.copy2(f, src/'figures'/f.name)
    for f in (ROOT/'figures').glob('*/*.png'):          # a study profile's batch (figures/extended/)
        (src/'figures'/f.parent.name).mkdir(exist_ok=True); shutil.copy2(f, src/'figures'/f.parent.name/f.name)
    stems = {p.stem for p in (ROOT/'nbs').glob('[0-9][0-9]*.ipynb')}
    for name in GUIDE + RESULTS:
        (src/f'{name}.md').write_text(page_text((SITE/'pages'/f'{name}.md').read_text(), stems, mods, copied))
    home = page_text((ROOT/'README.md').read_text(), stems, mods, copied)
    i = home.find('\n## Two commands')                  # the studies' verdicts right after the answer
    home = home[:i + 1] + studies_at_a_glance(run) + home[i + 1:] if i >= 0 else home + '\n' + studies_at_a_glance(run)
    (src/'index.md').write_text(home + '\n\n' + toctree('Guide', list(GUIDE)) + toctree('Library', lib + ['api/index'])
                                + toctree('Studies', exp) + toctree('Results', list(RESULTS)))
    for rel in sorted(copied):                           # source links: copies of the files, served by the site
        (src/'_repo'/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(ROOT/rel, src/'_repo'/rel)
    (src/'notebook_of_module.json').write_text(json.dumps({m: page_of_notebook(s) for m, s in mods.items()}))
    shutil.copy2(SITE/'conf.py', src/'conf.py')
    (src/'_static').mkdir(exist_ok=True); shutil.copy2(SITE/'custom.css', src/'_static'/'custom.css')
    import jupyter_server_mathjax
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent/'static', src/'_static'/'mathjax')
    (src/'_static'/'mathjax'/'config'/'local').mkdir(parents=True, exist_ok=True)
    shutil.copy2(SITE/'mathjax_local.js', src/'_static'/'mathjax'/'config'/'local'/'sparse_mu.js')
    html = out/'html'
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q' if quiet else '-v', '-j', 'auto', str(src), str(html)]
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)   # PYTHONPATH: autodoc and the executed guide import this checkout
    for page in html.rglob('*.html'):                    # last guard: no machine path in what a reader sees
        text = page.read_text(); clean = strip_machine_paths(text)
        if clean != text: page.write_text(clean)
    return html


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_docs'), help='output folder (the site goes to OUT/html)')
    a = ap.parse_args()
    html = build(Path(a.out).resolve())
    print(f'docs: {html/"index.html"}')
