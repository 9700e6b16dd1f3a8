# Two entry points (see README): `make reproduce` and `make test`. Both create .venv on first use
# and reuse it afterwards.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= default
STAMP := $(VENV)/.installed

.PHONY: reproduce test env data export clean-nbs

$(STAMP): setup.py settings.ini
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

env: $(STAMP)

# Fashion-MNIST (the embedded default dataset): Debian's package when apt works as root,
# otherwise torchvision downloads it into $SPARSE_MU_DATA on first use.
data: env
	@if [ -d /usr/share/datasets/fashion-mnist ]; then echo "Fashion-MNIST: /usr/share/datasets/fashion-mnist"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -qq dataset-fashion-mnist || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) >/dev/null \
	  || $(BIN)/python -c "from sparse_mu.data import load_dataset; load_dataset('fashion_mnist')"; \
	else $(BIN)/python -c "from sparse_mu.data import load_dataset; load_dataset('fashion_mnist')"; fi

reproduce: data
	$(BIN)/sparse-mu reproduce --profile $(PROFILE)

# nbdev_test executes every notebook (experiments at their smoke profile), then pytest; both share
# one fresh result cache, so pytest's papermill smoke batch reuses what nbdev_test computed. One torch
# thread per process: two notebook workers, then two pytest workers (pytest-xdist; a file's tests stay on one
# worker, so a module fixture is built once), on two cores.
test: data
	@set -e; export SPARSE_MU_CACHE="$$(mktemp -d)" SPARSE_MU_PROGRESS=0 OMP_NUM_THREADS=1; \
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(BIN)/nbdev_export; $(BIN)/nbdev_clean; \
	  git diff --exit-code --stat -- nbs sparse_mu || { echo "The notebooks and sparse_mu/ disagree (or a notebook is not clean): run 'make export' and commit."; exit 1; }; \
	fi; \
	$(BIN)/nbdev_test --n_workers 2; \
	$(BIN)/pytest -q -n 2 --dist loadfile tests

export: env
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# The documentation site (Sphinx + MyST-NB + sphinx-book-theme, see README "Documentation"): library, studies and results;
# the notebooks with their stored outputs (only the paper guide, pure pandas, runs), into _docs/html. docs-screenshots: home,
# library and study pages at 1,400 px in headless Chromium (Debian's chromium, installed with apt when root) into _docs/screenshots.
.PHONY: docs docs-screenshots
docs: env
	$(BIN)/python nbs/_site/build.py --out _docs
	@echo "open _docs/html/index.html in a browser (or: $(BIN)/python -m http.server -d _docs/html 8000)"

docs-screenshots: docs
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  ((apt-get install -y -qq chromium || (apt-get update -qq && apt-get install -y -qq chromium)) >/dev/null); } \
	  || { echo "docs-screenshots needs Debian's chromium (apt-get install chromium)"; exit 1; }
	$(BIN)/python nbs/_site/screenshots.py --site _docs/html --out _docs/screenshots
