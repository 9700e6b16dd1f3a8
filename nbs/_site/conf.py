# Sphinx configuration of the documentation site (copied next to the generated sources by nbs/_site/build.py).
# Builder: Sphinx + MyST-NB (PyPI only; nbdev_docs needs Quarto, which cannot be installed here).
import json, os, re, sys
from pathlib import Path

project = 'sparse_mu'
author = 'sparse_mu developers'
copyright = '2026 onwards, sparse_mu developers'
extensions = ['myst_nb', 'sphinx.ext.autodoc']
nb_execution_mode = 'off'                 # render the stored outputs; only the paper guide asks to run (build.EXECUTE)
nb_execution_raise_on_error = True
myst_enable_extensions = ['dollarmath', 'amsmath']
myst_heading_anchors = 3
nb_merge_streams = True
nb_output_stderr = 'remove'              # library warnings and progress logs (tqdm, INFO lines) are not findings
exclude_patterns = ['_build', '**.ipynb_checkpoints', '_repo/**']   # _repo: files that source links download
suppress_warnings = ['myst.header', 'misc.highlighting_failure', 'toc.not_included', 'mystnb.unknown_mime_type']
default_role = 'code'                     # docstrings write `name` for code
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
autodoc_preserve_defaults = True
html_theme = 'sphinx_book_theme'          # pydata-based: page outline, dark mode, search (dev_requirements in settings.ini)
html_title = 'sparse_mu'
html_static_path = ['_static']
html_css_files = ['custom.css']             # nbs/_site/custom.css
html_theme_options = {
    'home_page_in_toc': True,               # the home page is the first entry of the left sidebar
    'show_navbar_depth': 1,
    'show_toc_level': 2,                    # the page outline (right sidebar) shows sections and subsections
    'secondary_sidebar_items': ['page-toc'],
    'use_download_button': False, 'use_fullscreen_button': False,
    'use_repository_button': False, 'use_source_button': False, 'use_edit_page_button': False,   # no host is named
    'navigation_with_keys': False,
    'logo': {'text': 'sparse_mu'},
    'extra_footer': 'Model Sparsity Can Simplify Machine Unlearning (Jia et al., NeurIPS 2023): a notebook-first companion',
}
html_show_sourcelink = False
# MathJax 2 from the jupyter-server-mathjax wheel, served from _static: formulas render offline
# (config/local/sparse_mu.js, from nbs/_site/mathjax_local.js: HTML-CSS output in the STIX-Web fonts the wheel ships; typeset class math only)
mathjax_path = 'mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,local/sparse_mu'

_NB_OF = json.loads((Path(__file__).parent/'notebook_of_module.json').read_text())   # written by build.py

def _link_notebook(app, what, name, obj, options, lines):
    "Escape `|` in docstrings; end every function's and class's docstring with a link to the notebook that defines it."
    lines[:] = [l.replace('|', '\\|') for l in lines]   # docstrings are Markdown-ish: |x| is a norm, not an rst substitution
    mod = getattr(obj, '__module__', '') or ''
    if what in ('function', 'class') and mod in _NB_OF:
        lines += ['', f"*Defined in the notebook* :doc:`{_NB_OF[mod].split('/')[-1]} </{_NB_OF[mod]}>`", '']

def setup(app):
    app.connect('autodoc-process-docstring', _link_notebook)
