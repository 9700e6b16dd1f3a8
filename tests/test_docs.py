"""The documentation site, used as a person would: build it (nbs/_site/build.py, what `make docs` runs), then check
that every notebook has a page, that every image a page shows is there and decodes, that every internal link and
script resolves, that formulas are marked for MathJax (served locally) and that the search index knows the API."""
import json, re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip('sphinx'); pytest.importorskip('myst_nb'); pytest.importorskip('jupyter_server_mathjax')


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


def pages(site):
    return sorted(site.rglob('*.html'))


def test_every_notebook_has_a_page(site):
    for nb in sorted((ROOT/'nbs').glob('[0-9][0-9]*.ipynb')):
        kind = 'experiments' if int(nb.stem[:2]) >= 10 else 'library'
        page = site/kind/f'{nb.stem}.html'
        assert page.exists(), f'no page for {nb.name}'
        assert '#| export' not in page.read_text(), f'{page.name} shows nbdev directives'
    for mod in ('data', 'metrics', 'unlearn', 'pipeline'): assert (site/'api'/f'sparse_mu.{mod}.html').exists()
    assert (site/'results.html').exists() and (site/'search.html').exists() and (site/'searchindex.js').exists()


def test_experiment_pages_show_the_committed_outputs(site):
    html = (site/'experiments'/'11_prune_then_unlearn.html').read_text()
    assert 'commit' in html and 'fig3_sparsity_sweep.png' in html
    assert '<table' in html                                            # the stored tables (text/html outputs)
    res = (site/'results.html').read_text()
    for fig in re.findall(r'\]\(figures/([\w.-]+\.png)\)', (ROOT/'README.md').read_text()): assert f'_images/{fig}' in res, fig


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
