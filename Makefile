# Two commands a user needs: `make run` and `make test`. Both create the virtual
# environment and install what is missing first: `run` the bot alone, `test` the test tools
# too. The pip that comes with Python is used as it is, as a user's would be.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HASH := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.run-$(HASH)
STAMP := $(VENV)/.dev-$(HASH)

.PHONY: run test lint typecheck unit install clean fuzz

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.run-* && touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.dev-* && touch $(STAMP)

install: $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/newsdesk run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

# Coverage-guided fuzzing of parse-and-render (atheris), bounded: FUZZ_SECONDS (default 120).
# Seeds are the malformed-feed corpus; new inputs go to fuzz/corpus, crashes to fuzz/crashes.
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,fuzz]'
	mkdir -p fuzz/corpus fuzz/crashes
	$(BIN)/python fuzz/parse_render.py -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		-artifact_prefix=fuzz/crashes/ fuzz/corpus tests/feeds/malformed tests/feeds

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
