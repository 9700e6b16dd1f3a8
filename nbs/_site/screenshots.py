"""Screenshots of the built site in headless Chromium (Debian's `chromium`), to look at:
`python nbs/_site/screenshots.py [--site _docs/html] [--out _docs/screenshots]` (`make docs-screenshots`).

Takes the home page, library pages (06_metrics: formulas; 07_unlearn; the paper guide 00a_paper) and a study page
(11_prune_then_unlearn: findings, tables, figures) at 1,400 px; also dumps each page's DOM after its scripts ran and checks that MathJax typeset the formulas."""
import argparse, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = {'home': 'index.html', 'library_06_metrics': 'library/06_metrics.html', 'library_07_unlearn': 'library/07_unlearn.html',
         'library_00a_paper': 'library/00a_paper.html', 'experiment_11_prune_then_unlearn': 'experiments/11_prune_then_unlearn.html',
         'api_sparse_mu_data': 'api/sparse_mu.data.html'}


def chromium() -> str:
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(name): return shutil.which(name)
    sys.exit("no headless Chromium found: install Debian's `chromium` (apt-get install chromium)")


def run(args: list, timeout: int = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as prof:
        base = [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', f'--user-data-dir={prof}',
                '--virtual-time-budget=8000', '--run-all-compositor-stages-before-draw']
        return subprocess.run(base + args, capture_output=True, text=True, timeout=timeout)


def shoot(site: Path, out: Path, width: int = 1400, height: int = 1600, pages: dict | None = None) -> dict:
    "Screenshot `pages` ({name: path in the site}, default `PAGES`) into `out`; report each PNG and its typeset formulas."
    out.mkdir(parents=True, exist_ok=True); report = {}
    for name, page in (pages or PAGES).items():
        url = (site/page).resolve().as_uri()
        png = out/f'{name}.png'
        run([f'--screenshot={png}', f'--window-size={width},{height}', url])
        dom = run(['--dump-dom', url]).stdout
        report[name] = dict(png=png, exists=png.exists(), math_typeset=len(re.findall(r'class="MathJax(?:_Display|_SVG|_CHTML)?"', dom)))
    return report


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=str(ROOT/'_docs'/'html')); ap.add_argument('--out', default=str(ROOT/'_docs'/'screenshots'))
    a = ap.parse_args()
    for name, r in shoot(Path(a.site), Path(a.out)).items():
        print(f"{name}: {r['png']} ({'ok' if r['exists'] else 'MISSING'}), {r['math_typeset']} formulas typeset by MathJax")
