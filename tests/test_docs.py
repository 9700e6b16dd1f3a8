"""The documentation site, used as a person would: build it (nbs/_site/build.py, what `make docs` runs), then check
that every notebook has a page with an outline, that study pages open with their findings, that no page shows a
machine's paths or names a repository host, that every image a page shows is there and decodes, that every internal
link and script resolves, that formulas are marked for MathJax (served locally) and that the search index knows the API."""
import json, re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip('sphinx'); pytest.importorskip('myst_nb'); pytest.importorskip('jupyter_server_mathjax')
pytest.importorskip('sphinx_book_theme')
MACHINE_PATHS = ('/root/', '/home/', '/tmp/', '/work/')


class Refs(HTMLParser):
    "The href/src targets of a page and its element ids."
    def __init__(self):
        super().__init__(); self.refs, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        for k in ('href', 'src'):
            if a.get(k): self.refs.append((tag, a[k]))


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs')
    subprocess.run([sys.executable, str(ROOT/'nbs'/'_site'/'build.py'), '--out', str(out)], check=True, timeout=300, cwd=ROOT)
    return out/'html'


def build_module():
    sys.path.insert(0, str(ROOT/'nbs'/'_site'))
    try: import build
    finally: sys.path.pop(0)
    return build


def pages(site):
    "The site's pages (not the theme's Jinja macro files that Sphinx copies into _static)."
    return sorted(p for p in site.rglob('*.html') if '_static' not in p.relative_to(site).parts)


def test_every_notebook_has_a_page(site):
    for nb in sorted((ROOT/'nbs').glob('[0-9][0-9]*.ipynb')):
        kind = 'experiments' if int(nb.stem[:2]) >= 10 else 'library'
        page = site/kind/f'{nb.stem}.html'
        assert page.exists(), f'no page for {nb.name}'
        assert '#| export' not in page.read_text(), f'{page.name} shows nbdev directives'
    for mod in ('data', 'metrics', 'unlearn', 'pipeline'): assert (site/'api'/f'sparse_mu.{mod}.html').exists()
    assert (site/'search.html').exists() and (site/'searchindex.js').exists()
    for name in build_module().GUIDE + build_module().RESULTS: assert (site/f'{name}.html').exists(), name


def test_every_page_has_an_outline_and_the_theme(site):
    "Book theme: a page outline (right sidebar) on every notebook and API page, a dark-mode switch, search; three groups."
    bare = []
    for page in [p for d in ('library', 'experiments', 'api') for p in sorted((site/d).glob('*.html'))] + [site/'index.html']:
        html = page.read_text()
        if 'class="page-toc"' not in html or 'toc-h2' not in html: bare.append(page.relative_to(site).as_posix())
    assert not bare, f'pages without an outline: {bare}'
    home = (site/'index.html').read_text()
    assert 'sphinx-book-theme.css' in home and 'theme-switch-button' in home and 'search-button' in home
    assert re.findall(r'caption-text">([^<]+)<', home) == ['Guide', 'Library', 'Studies', 'Results']
    assert 0 < home.find('id="the-answer"') < home.find('id="what-the-studies-found"') < home.find('id="two-commands"')
    glance = home[home.find('id="what-the-studies-found"'):home.find('id="two-commands"')]     # the home page answers first
    assert 'experiments/11_prune_then_unlearn.html' in glance and re.search(r'\d+ of \d+ reproduced', glance)
    api = (site/'api'/'index.html').read_text()
    for mod in ('theory', 'backdoor', 'transfer', 'paper'): assert f'sparse_mu.{mod}.html' in api, mod   # library code, filed as such


def test_study_pages_open_with_their_findings(site):
    "Each study page: the Findings (verdicts + main figure) right after the title, before the notebook's own cells."
    html = (site/'experiments'/'11_prune_then_unlearn.html').read_text()
    f, t3 = html.find('id="findings"'), html.find('id="table-3-dense-vs-sparse"')
    assert 0 < f < t3, 'the Findings section must come before the notebook'
    block = html[f:t3]
    assert 'checks reproduced' in block and 'table3_claims.md' in block and '<table' in block
    assert re.search(r'[✓✗○]\s(not\s)?reproduced', block) and 'fig3_sparsity_sweep.png' in block
    for page in (site/'experiments').glob('1[1-8]_*.html'):
        if 'Not part of the committed run' not in page.read_text(): assert 'id="findings"' in page.read_text(), page.name


def test_no_machine_paths_and_no_named_host(site):
    "No page shows an absolute path of the machine a notebook ran on; source links stay inside the site."
    build = build_module()
    assert build.strip_machine_paths('out_dir = "/work/main/figures"') == 'out_dir = "figures"'
    assert build.strip_machine_paths("open('/root/x/figures/tables/a.csv')") == "open('figures/tables/a.csv')"
    assert build.strip_machine_paths('/home/u/.venv/lib/python3.11/site-packages/tqdm/auto.py:21') == '…/site-packages/tqdm/auto.py:21'
    assert build.strip_machine_paths('see /tmp/abc/run.log') == 'see …/run.log'
    assert build.strip_machine_paths('https://example.org/work/x and ~/.cache/a') == 'https://example.org/work/x and ~/.cache/a'
    found = []
    for page in list(site.rglob('*.html')) + [site/'searchindex.js']:
        text = page.read_text()
        found += [f'{page.relative_to(site)}: {m}' for m in MACHINE_PATHS if m in text]
    assert not found, 'machine paths in the built site:\n' + '\n'.join(found[:20])
    src = site.parent/'_src'                               # the rendered sources are clean too, not only the final HTML
    for nb in list((src/'experiments').glob('*.ipynb')) + list((src/'library').glob('*.ipynb')):
        for m in MACHINE_PATHS: assert m not in nb.read_text(), f'{nb.name} holds {m}'
    html = (site/'library'/'07_unlearn.html').read_text()
    assert re.search(r'href="\.\./_downloads/\w+/07_unlearn\.ipynb"', html)  # the source link: a copy served by the site
    for page in site.rglob('*.html'): assert 'github.com/sparse-mu' not in page.read_text(), page


def test_paper_guide_page_shows_its_tables(site):
    "The paper guide is executed at build time (pure pandas): its pages show Table 3 and every section §1–§14."
    html = (site/'library'/'00a_paper.html').read_text()
    for n in range(1, 15): assert f'§{n}.' in html, n
    assert '73.64' in html and '43.23' in html and '<table' in html


def test_experiment_pages_show_the_committed_outputs(site):
    html = (site/'experiments'/'11_prune_then_unlearn.html').read_text()
    assert 'commit' in html and 'fig3_sparsity_sweep.png' in html
    assert '<table' in html                                            # the stored tables (text/html outputs)
    for name in build_module().RESULTS:                                # every figure a results page shows, as committed
        html = (site/f'{name}.html').read_text()
        for fig in re.findall(r'\]\(figures/([\w.-]+\.png)\)', (ROOT/'nbs'/'_site'/'pages'/f'{name}.md').read_text()):
            if (ROOT/'figures'/fig).exists(): assert f'_images/{fig}' in html, (name, fig)


def test_pages_are_filled_from_the_committed_run(site):
    "The guide and results pages, and the home page, hold the committed run's tables: every block filled at build time."
    from sparse_mu.report import README_BLOCK, fill_readme
    b = build_module(); src = site.parent/'_src'
    n = 0
    for name in b.GUIDE + b.RESULTS:
        text = (ROOT/'nbs'/'_site'/'pages'/f'{name}.md').read_text()
        assert 'PAPER' + '.md' not in text, name
        for m in README_BLOCK.finditer(text):                     # each block's filled body is on the built page's source
            body = fill_readme(m.group(0), ROOT/'figures').split('\n', 1)[1].rsplit('\n<!-- end -->', 1)[0]
            first = next((l for l in body.splitlines() if l.startswith('| ') and '---' not in l), None)
            if first: assert b.strip_machine_paths(first) in (src/f'{name}.md').read_text(), (name, m.group('src')); n += 1
    assert n >= 10
    res = (site/'results.html').read_text()
    assert '<table' in res and 'Retrain' in res
    home = (site/'index.html').read_text()
    assert '00a_paper' in home and 'experiments/11_prune_then_unlearn.html' in home      # the paper-claims table links its notebooks
    assert (src/'index.md').read_text().count('<!-- end -->') >= 2      # the answer and the paper-claims table


def test_images_load_and_internal_links_resolve(site):
    from PIL import Image
    bad, n_img, ids = [], 0, {}
    for page in pages(site):
        p = Refs(); p.feed(page.read_text())
        for tag, ref in p.refs:
            u = urlparse(ref)
            if u.scheme in ('http', 'https', 'mailto', 'data', 'javascript'): continue
            target = (page.parent/unquote(u.path)).resolve() if u.path else page
            if not target.exists(): bad.append(f'{page.relative_to(site)} -> {ref}'); continue
            if tag == 'img':
                n_img += 1
                with Image.open(target) as im: im.verify()               # decodes: not a broken or LFS-pointer file
            if u.fragment and target.suffix == '.html' and tag == 'a':
                if target not in ids:
                    q = Refs(); q.feed(target.read_text()); ids[target] = q.ids
                if unquote(u.fragment) not in ids[target]: bad.append(f'{page.relative_to(site)} -> {ref} (no such anchor)')
    assert not bad, 'broken internal links:\n' + '\n'.join(bad[:30])
    assert n_img >= 10


def test_math_and_api_links(site):
    html = (site/'library'/'06_metrics.html').read_text()
    assert 'class="math' in html and '_static/mathjax/MathJax.js' in html
    assert (site/'_static'/'mathjax'/'MathJax.js').exists() and (site/'_static'/'mathjax'/'config'/'local'/'sparse_mu.js').exists()
    api = (site/'api'/'sparse_mu.data.html').read_text()
    assert '<dl class="py function"' in api and '.. py:' not in api          # autodoc rendered, not shown as source
    assert 'id="sparse_mu.data.register_dataset"' in api and '../library/01_data.html' in api  # entry links to its notebook
    assert '../api/sparse_mu.data.html' in (site/'library'/'01_data.html').read_text()
    assert 'register_dataset' in (site/'searchindex.js').read_text()


@pytest.mark.skipif(not (shutil.which('chromium') or shutil.which('chromium-browser')), reason="Debian's chromium is not installed")
def test_screenshots_and_math_typeset(site, tmp_path):
    sys.path.insert(0, str(ROOT/'nbs'/'_site'))
    try: import screenshots
    finally: sys.path.pop(0)
    report = screenshots.shoot(site, tmp_path, pages={k: v for k, v in screenshots.PAGES.items() if k.startswith(('home', 'library'))})
    for name, r in report.items(): assert r['exists'] and r['png'].stat().st_size > 10_000, name
    assert report['library_06_metrics']['math_typeset'] > 10                # MathJax ran and typeset the formulas
