# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the notebooks extra alone, as an analyst installs it: tests/test_notebooks.py runs both notebooks there
NOTEBOOKS_VENV := .venv-notebooks
NOTEBOOKS_STAMP := $(NOTEBOOKS_VENV)/.installed
SYSTEM_PACKAGES := antiword tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd chromium libreoffice-writer-nogui
GOLD ?= ../shared/gold
SHARED_CORPUS ?= ../shared/corpus

.PHONY: setup system-deps demo test eval bench clean

setup: system-deps $(STAMP)

# Debian packages the backends and tests call; installed with apt-get when missing (needs root).
system-deps:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,test]'  # every extra: the tests cover the web page, Dask and the notebooks
	touch $(STAMP)

$(NOTEBOOKS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(NOTEBOOKS_VENV)
	$(NOTEBOOKS_VENV)/bin/python -m pip install -q --upgrade pip
	$(NOTEBOOKS_VENV)/bin/python -m pip install -q -e '.[notebooks]'
	touch $(NOTEBOOKS_STAMP)

demo: setup
	$(BIN)/baocao extract corpus/ --out extracted/
	if [ -d $(GOLD) ]; then $(BIN)/baocao eval $(GOLD) --out extracted/; fi

# The notebooks run against the extracted/ that `make demo` writes.
test: setup $(NOTEBOOKS_STAMP)
	$(BIN)/baocao extract corpus/ --out extracted/
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/baocao extract $(SHARED_CORPUS) --out extracted/shared || [ $$? -eq 1 ]
	$(BIN)/baocao eval $(GOLD) --out extracted/shared

bench: setup
	$(BIN)/python bench/bench_extract.py $(SHARED_CORPUS)
	$(BIN)/python bench/bench_batch.py $(SHARED_CORPUS)

clean:
	rm -rf $(VENV) $(NOTEBOOKS_VENV) extracted/*.parquet extracted/*.sqlite* extracted/shared
