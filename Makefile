# Two commands do all set-up on a fresh machine: `make report` and `make test`.
# Both create .venv when it is missing and (re)install only when pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STUDY  ?= demo
HASH   := $(shell cat pyproject.toml | sha256sum | cut -c1-16)
STAMP  := $(VENV)/.installed-$(HASH)

# Keep matplotlib and Jupyter out of the home folder.
export MPLCONFIGDIR       := $(CURDIR)/.cache/matplotlib
export JUPYTER_CONFIG_DIR := $(CURDIR)/.cache/jupyter/config
export JUPYTER_DATA_DIR   := $(CURDIR)/.cache/jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.cache/jupyter/runtime
export IPYTHONDIR         := $(CURDIR)/.cache/ipython
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: all install report test lint lab bench clean

all: report

install: $(STAMP)

$(STAMP): pyproject.toml
	@mkdir -p $(MPLCONFIGDIR) $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(JUPYTER_RUNTIME_DIR) $(IPYTHONDIR)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name hbomkb --display-name "Python (hbomkb)" >/dev/null
	$(BIN)/python -m hbomkb.inputs.redact --warm
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "environment ready: $(VENV) (kernel: hbomkb)"

report: $(STAMP)
	$(BIN)/hbomkb run --study $(STUDY)

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check hbomkb tests bench
	$(BIN)/lint-imports

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf data/processed/* figures/* reports/* .cache
	@touch data/processed/.gitkeep figures/.gitkeep reports/.gitkeep
