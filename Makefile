# Everything runs inside .venv, which `make venv` creates and fills from pyproject.toml;
# nothing installed by hand is assumed. On a fresh machine (Python 3.11 and make):
#   make extract   # corpus/ -> outputs/*.parquet
#   make test

PYTHON ?= python3
VENV   ?= .venv
CORPUS ?= corpus
OUT    ?= outputs
DEVSET ?= ../shared/devset
DEV_OUT ?= outputs-dev
BENCH_ARGS ?=
BENCH_PDF_ARGS ?=
BENCH_SCALE_ARGS ?=

PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv extract test check check-dev bench lint clean distclean

venv: $(STAMP)

# Re-installs whenever pyproject.toml changes (new dependency, new version pin).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

extract: venv
	$(PY) -m pipeline extract $(CORPUS) --out $(OUT)

test: venv
	$(PY) -m pytest -q

# Per-table precision/recall/F1 of a fresh extraction against corpus/gold/*.csv.
check: extract
	$(PY) -m pipeline evaluate --out $(OUT)

# The same on the shared dev set (read in place, never copied into the repo), with every
# missed and extra row listed.
check-dev: venv
	$(PY) -m pipeline extract $(DEVSET)/reports --out $(DEV_OUT) --quiet
	$(PY) -m pipeline evaluate --out $(DEV_OUT) --gold $(DEVSET)/gold.csv --show --by-rule

# Throughput of the text pipeline against bare spaCy tokenisation (make bench BENCH_ARGS="--size-mb 5"),
# then of PDF ingest against bare pypdfium2 and pdfplumber (BENCH_PDF_ARGS="--pages 64"),
# then 1 vs N workers, their ratio, the ratio to bare tokenisation, cold vs warm runs and
# peak memory at 200 vs 2 000 reports (BENCH_SCALE_ARGS="--reports 5000 --workers 4";
# "--long-mb 50" adds the peak memory of one 50 MB text file, a few minutes).
bench: venv
	$(PY) -m pipeline.bench.text $(BENCH_ARGS)
	$(PY) -m pipeline.bench.pdf $(BENCH_PDF_ARGS)
	$(PY) -m pipeline.bench.scale $(BENCH_SCALE_ARGS)

lint: venv
	$(VENV)/bin/ruff check pipeline tests

clean:
	rm -rf $(OUT)/*.parquet $(OUT)/datapackage.json $(OUT)/.generations $(OUT)/.current $(OUT)/.lock $(OUT)/.*.tmp-*
	rm -rf $(DEV_OUT) bench-out build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

# clean, and remove the virtual environment too.
distclean: clean
	rm -rf $(VENV)
