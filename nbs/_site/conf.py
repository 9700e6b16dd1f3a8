# Sphinx configuration of the documentation site (copied next to the generated sources by nbs/_site/build.py).
# Builder: Sphinx + MyST-NB (PyPI only; nbdev_docs needs Quarto, which cannot be installed here).
import json, os, re, sys
from pathlib import Path

project = 'sparse_mu'
author = 'sparse_mu developers'
copyright = '2026 onwards, sparse_mu developers'
extensions = ['myst_nb', 'sphinx.ext.autodoc']
nb_execution_mode = 'off'                 # render the stored outputs; never re-execute a notebook
myst_enable_extensions = ['dollarmath', 'amsmath']
myst_heading_anchors = 3
nb_merge_streams = True
exclude_patterns = ['_build', '**.ipynb_checkpoints']
suppress_warnings = ['myst.header', 'misc.highlighting_failure', 'toc.not_included', 'mystnb.unknown_mime_type']
default_role = 'code'                     # docstrings write `name` for code
autodoc_member_order = 'bysource'
autodoc_typehints = 'signature'
autodoc_preserve_defaults = True
html_theme = 'alabaster'
html_title = 'sparse_mu'
html_static_path = ['_static']
html_css_files = ['custom.css']             # nbs/_site/custom.css
html_theme_options = {'description': 'Model Sparsity Can Simplify Machine Unlearning — a notebook-first companion',
                      'fixed_sidebar': True, 'page_width': '1200px', 'sidebar_width': '250px'}
html_sidebars = {'**': ['about.html', 'searchbox.html', 'navigation.html']}
html_show_sourcelink = False
# MathJax 2 from the jupyter-server-mathjax wheel, served from _static: formulas render offline
# (config/local/sparse_mu.js, from nbs/_site/mathjax_local.js: MathJax 2's spelling of myst-nb's 'typeset class math only')
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
