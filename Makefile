# kickgan: the two commands a newcomer needs are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A local CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: demo demo-train test install dev clean open-kicks

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps aisfx==0.1.2
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

demo: $(VENV)/.installed
	bash scripts/demo.sh

demo-train: $(VENV)/.installed
	bash scripts/demo-train.sh

# -rs lists each skipped test with its reason (the browser tests skip without chromium).
test: $(VENV)/.dev
	$(BIN)/python -m pytest -rs

open-kicks: $(VENV)/.installed
	bash scripts/get-open-kicks.sh

clean:
	rm -rf $(VENV) out
