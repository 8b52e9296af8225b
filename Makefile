# wandb-warehouse: `make demo` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
# The test build never touches the user's warehouse.
TEST_DB ?= $(CURDIR)/target/test/warehouse.duckdb
DBT_TEST_ENV = WANDB_WAREHOUSE_DB=$(TEST_DB)

.PHONY: setup demo test lint pytest dbt-parse sqlfluff dbt-build docs sample bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/wandb-warehouse demo

sample: setup
	$(BIN)/python -m extract.sample_generator

test: setup lint dbt-parse sqlfluff dbt-build docs pytest

lint: setup
	$(BIN)/ruff check extract tests bench
	$(BIN)/ruff format --check extract tests bench

dbt-parse: setup
	$(DBT_TEST_ENV) $(BIN)/dbt parse --warn-error --no-partial-parse --quiet

sqlfluff: setup
	$(BIN)/sqlfluff lint models analyses --disable-progress-bar --nocolor

dbt-build: setup
	rm -rf $(dir $(TEST_DB)) && mkdir -p $(dir $(TEST_DB))
	$(BIN)/wandb-warehouse load --db $(TEST_DB) extract/sample/*.jsonl.gz
	$(DBT_TEST_ENV) $(BIN)/dbt build

docs: setup
	$(DBT_TEST_ENV) $(BIN)/dbt docs generate --quiet

# pytest reuses the warehouse dbt-build made (it builds its own when run alone).
pytest: setup
	WANDB_WAREHOUSE_TEST_DB=$(TEST_DB) $(BIN)/pytest

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf target logs .pytest_cache .ruff_cache
