{#- on-run-start: make the raw layer readable as `raw.*` on targets that do not hold it.
    DuckDB holds the raw tables itself (no-op). Spark reads the Parquet folders
    `wandb-warehouse export-raw` writes ($WANDB_WAREHOUSE_RAW_DIR) as external tables,
    re-registered each run so newly exported loads are seen. JSON columns are stored as
    text; `raw.wandb_runs` is a view that parses `record` into a VARIANT (Spark's JSON
    type, which keeps NaN and integers past 2^63 exactly), as DuckDB's JSON column does;
    `raw.wandb_history` (`metrics`), `raw.wandb_sweeps` (`record`, `config`),
    `raw.wandb_run_artifacts` and `raw.wandb_projects` (`record`) do the same. Entity
    listings are partitioned by listing_id, everything else by load_id. -#}
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
        {#- name: (partition column, columns); a `_files` table is read through a view. -#}
        {%- set tables = {
            'wandb_runs_files': ('load_id', [
                'entity string', 'project string', 'run_id string', 'fetched_at timestamp',
                'fetch_kind string', 'record string', 'load_id string',
            ]),
            'wandb_history_files': ('load_id', [
                'entity string', 'project string', 'run_id string', 'step bigint',
                'logged_at timestamp', 'runtime double', 'metrics string', 'load_id string',
            ]),
            'wandb_sweeps_files': ('load_id', [
                'entity string', 'project string', 'sweep_id string', 'fetched_at timestamp',
                'record string', 'config string', 'load_id string',
            ]),
            'wandb_artifact_fetches': ('load_id', [
                'entity string', 'project string', 'run_id string', 'fetched_at timestamp',
                'used_count bigint', 'logged_count bigint', 'load_id string',
            ]),
            'wandb_run_artifacts_files': ('load_id', [
                'entity string', 'project string', 'run_id string', 'fetched_at timestamp',
                'direction string', 'artifact_id string', 'record string', 'load_id string',
            ]),
            'wandb_listings': ('load_id', [
                'entity string', 'project string', 'run_id string', 'load_id string',
            ]),
            'wandb_loads': ('load_id', [
                'invocation_id string', 'entity string', 'project string', 'mode string',
                'source string', 'source_sha256 string', 'started_at timestamp',
                'finished_at timestamp', 'snapshot_at timestamp', 'status string',
                'error string', 'listing_complete boolean', 'listed bigint', 'new bigint',
                'changed bigint', 'deleted bigint', 'heavy_fetched bigint',
                'requests bigint', 'load_id string',
            ]),
            'wandb_projects_files': ('listing_id', [
                'entity string', 'project string', 'listed_at timestamp', 'record string',
                'listing_id string',
            ]),
            'wandb_entity_listings': ('listing_id', [
                'invocation_id string', 'entity string', 'source string',
                'started_at timestamp', 'finished_at timestamp', 'status string',
                'error string', 'projects_listed bigint', 'requests bigint',
                'listing_id string',
            ]),
        } -%}
        {#- view name: its select over the `_files` table. -#}
        {%- set views = {
            'wandb_runs': "entity, project, run_id, fetched_at, load_id, fetch_kind,"
                ~ " from_json(record, 'variant') as record",
            'wandb_history': "entity, project, run_id, step, logged_at, runtime,"
                ~ " from_json(metrics, 'variant') as metrics, load_id",
            'wandb_sweeps': "entity, project, sweep_id, fetched_at, load_id,"
                ~ " from_json(record, 'variant') as record, from_json(config, 'variant') as config",
            'wandb_run_artifacts': "entity, project, run_id, fetched_at, load_id, direction,"
                ~ " artifact_id, from_json(record, 'variant') as record",
            'wandb_projects': "listing_id, entity, project, listed_at,"
                ~ " from_json(record, 'variant') as record",
        } -%}
        {%- set _ = run_query('create database if not exists raw') -%}
        {%- for name, spec in tables.items() -%}
            {%- set _ = run_query('drop table if exists raw.' ~ name) -%}
            {%- set _ = run_query(
                'create table raw.' ~ name ~ ' (' ~ spec[1] | join(', ') ~ ')'
                ~ ' using parquet partitioned by (' ~ spec[0] ~ ')'
                ~ " location '" ~ raw_dir ~ '/' ~ name.replace('_files', '') ~ "'"
            ) -%}
            {%- set _ = run_query('alter table raw.' ~ name ~ ' recover partitions') -%}
        {%- endfor -%}
        {%- for name, select_list in views.items() -%}
            {%- set _ = run_query(
                'create or replace view raw.' ~ name ~ ' as select ' ~ select_list
                ~ ' from raw.' ~ name ~ '_files'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
