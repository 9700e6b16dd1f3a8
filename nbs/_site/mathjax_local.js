// MathJax 2 configuration of the docs site (copied to _static/mathjax/config/local/sparse_mu.js by build.py).
// myst-nb marks notebook pages `mathjax_ignore` and every formula `math`: typeset exactly those (MathJax 3 names
// this processHtmlClass; MathJax 2, shipped by the jupyter-server-mathjax wheel, calls it tex2jax.processClass).
MathJax.Hub.Config({
  tex2jax: {inlineMath: [['\\(', '\\)']], displayMath: [['\\[', '\\]']], processEscapes: false,
            ignoreClass: 'tex2jax_ignore|mathjax_ignore', processClass: 'math|tex2jax_process|mathjax_process'},
  'HTML-CSS': {linebreaks: {automatic: true}, availableFonts: [], preferredFont: null, webFont: 'STIX-Web', imageFont: null},
  messageStyle: 'none'
});
MathJax.Ajax.loadComplete('[MathJax]/config/local/sparse_mu.js');
