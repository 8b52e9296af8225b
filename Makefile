# wandb-warehouse: `make demo` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
# The test build never touches the user's warehouse.
TEST_DB ?= $(CURDIR)/target/test/warehouse.duckdb
DBT_TEST_ENV = WANDB_WAREHOUSE_DB=$(TEST_DB)

.PHONY: setup demo test lint pytest dbt-parse sqlfluff dbt-build docs sample bench clean \
	setup-spark test-spark report-picture

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/wandb-warehouse demo

# docs/report.png, the README's picture: the sample's report drawn by headless Chromium.
report-picture: demo
	$(BIN)/python tests/python/chromium.py screenshot report.html docs/report.png 1100 1780

sample: setup
	$(BIN)/python -m extract.sample.generate_runs
	$(BIN)/python -m extract.sample.generate_history
	$(BIN)/python -m extract.sample.generate_lineage

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
	$(BIN)/wandb-warehouse publish --db $(TEST_DB)

docs: setup
	$(DBT_TEST_ENV) $(BIN)/dbt docs generate --quiet

# pytest reuses the warehouse dbt-build made (it builds its own when run alone).
pytest: setup
	WANDB_WAREHOUSE_TEST_DB=$(TEST_DB) $(BIN)/pytest

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# Spark: its own venv (pyspark is ~450 MB), so `make setup` stays lean. Needs Java 17+.
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
SPARK_STAMP := $(SPARK_VENV)/.setup-done
SPARK_TEST_DIR := $(CURDIR)/target/spark-test
# The sample plus the awkward fixtures (NaN summaries, integers past 2^63, messy tags, ...).
SPARK_FIXTURES := tests/fixtures/awkward_runs_1.jsonl tests/fixtures/awkward_runs_2.jsonl
SPARK_ENV = WANDB_WAREHOUSE_TARGET=spark WANDB_WAREHOUSE_RAW_DIR=$(SPARK_TEST_DIR)/raw \
	WANDB_WAREHOUSE_SPARK_DIR=$(SPARK_TEST_DIR)/spark

setup-spark: $(SPARK_STAMP)

$(SPARK_STAMP): constraints-spark.txt
	test -x $(SPARK_BIN)/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints-spark.txt dbt-core 'dbt-spark[session]' pyspark
	touch $(SPARK_STAMP)

# The sample built on DuckDB and on Spark (from the exported raw layer), marts compared.
test-spark: setup setup-spark
	rm -rf $(SPARK_TEST_DIR) && mkdir -p $(SPARK_TEST_DIR)/spark
	$(BIN)/wandb-warehouse load --db $(SPARK_TEST_DIR)/warehouse.duckdb \
		extract/sample/*.jsonl.gz $(SPARK_FIXTURES)
	WANDB_WAREHOUSE_DB=$(SPARK_TEST_DIR)/warehouse.duckdb $(BIN)/dbt build --quiet
	$(BIN)/wandb-warehouse publish --db $(SPARK_TEST_DIR)/warehouse.duckdb
	$(BIN)/wandb-warehouse export-raw --db $(SPARK_TEST_DIR)/warehouse.duckdb $(SPARK_TEST_DIR)/raw
	$(SPARK_ENV) $(SPARK_BIN)/dbt build --target-path $(SPARK_TEST_DIR)/dbt-target
	WANDB_WAREHOUSE_TEST_DB=$(SPARK_TEST_DIR)/warehouse.duckdb \
		WANDB_WAREHOUSE_SPARK_DIR=$(SPARK_TEST_DIR)/spark $(BIN)/pytest tests/spark

clean:
	rm -rf target logs .pytest_cache .ruff_cache
