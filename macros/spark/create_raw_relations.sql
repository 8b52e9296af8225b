{#- on-run-start: make the raw layer readable as `raw.*` on targets that do not hold it.
    DuckDB holds the raw tables itself (no-op). Spark reads the Parquet folders
    `wandb-warehouse export-raw` writes ($WANDB_WAREHOUSE_RAW_DIR) as external tables,
    re-registered each run so newly exported loads are seen. `record` is stored as JSON
    text; `raw.wandb_runs` is a view that parses it into a VARIANT (Spark's JSON type,
    which keeps NaN and integers past 2^63 exactly), as DuckDB's JSON column does;
    `raw.wandb_history` does the same with a history row's `metrics`. -#}
{% macro create_raw_relations() -%}
    {{ return(adapter.dispatch('create_raw_relations', 'wandb_warehouse')()) }}
{%- endmacro %}

{% macro default__create_raw_relations() -%}
{%- endmacro %}

{% macro spark__create_raw_relations() -%}
    {%- if execute -%}
        {%- set raw_dir = env_var('WANDB_WAREHOUSE_RAW_DIR', '') | trim -%}
        {%- if raw_dir == '' -%}
            {{ exceptions.raise_compiler_error(
                "set WANDB_WAREHOUSE_RAW_DIR to the folder `wandb-warehouse export-raw DIR` wrote"
            ) }}
        {%- endif -%}
        {%- set raw_dir = raw_dir.rstrip('/') -%}
        {%- set tables = {
            'wandb_runs_files': [
                'entity string', 'project string', 'run_id string', 'fetched_at timestamp',
                'fetch_kind string', 'record string', 'load_id string',
            ],
            'wandb_history_files': [
                'entity string', 'project string', 'run_id string', 'step bigint',
                'logged_at timestamp', 'runtime double', 'metrics string', 'load_id string',
            ],
            'wandb_listings': [
                'entity string', 'project string', 'run_id string', 'load_id string',
            ],
            'wandb_loads': [
                'invocation_id string', 'entity string', 'project string', 'mode string',
                'source string', 'source_sha256 string', 'started_at timestamp',
                'finished_at timestamp', 'snapshot_at timestamp', 'status string',
                'error string', 'listing_complete boolean', 'listed bigint', 'new bigint',
                'changed bigint', 'deleted bigint', 'heavy_fetched bigint',
                'requests bigint', 'load_id string',
            ],
        } -%}
        {%- set _ = run_query('create database if not exists raw') -%}
        {%- for name, columns in tables.items() -%}
            {%- set _ = run_query('drop table if exists raw.' ~ name) -%}
            {%- set _ = run_query(
                'create table raw.' ~ name ~ ' (' ~ columns | join(', ') ~ ')'
                ~ ' using parquet partitioned by (load_id)'
                ~ " location '" ~ raw_dir ~ '/' ~ name.replace('_files', '') ~ "'"
            ) -%}
            {%- set _ = run_query('alter table raw.' ~ name ~ ' recover partitions') -%}
        {%- endfor -%}
        {%- set _ = run_query(
            'create or replace view raw.wandb_runs as select entity, project, run_id,'
            ~ " fetched_at, load_id, fetch_kind, from_json(record, 'variant') as record"
            ~ ' from raw.wandb_runs_files'
        ) -%}
        {%- set _ = run_query(
            'create or replace view raw.wandb_history as select entity, project, run_id, step,'
            ~ " logged_at, runtime, from_json(metrics, 'variant') as metrics, load_id"
            ~ ' from raw.wandb_history_files'
        ) -%}
    {%- endif -%}
{%- endmacro %}
