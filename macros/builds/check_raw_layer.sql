{#- on-run-start (DuckDB): stop before any model runs when the raw layer holds nothing yet
    (a fresh clone, or a warehouse never loaded), with one line saying what to run, instead
    of an error per staging model and every model after it skipped. -#}
{% macro check_raw_layer() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set found = run_query(
            "select count(*) from duckdb_tables()"
            ~ " where database_name = 'raw' and table_name = 'wandb_loads'"
        ).columns[0].values()[0] -%}
        {%- set loads = run_query("select count(*) from raw.wandb_loads").columns[0].values()[0]
            if found else 0 -%}
        {%- if loads == 0 -%}
            {{ exceptions.raise_compiler_error(
                'the warehouse ' ~ env_var('WANDB_WAREHOUSE_DB', 'warehouse.duckdb')
                ~ ' holds no raw data yet: run `wandb-warehouse sync ENTITY/PROJECT` or'
                ~ ' `wandb-warehouse load FILE` first (or `make demo` for the sample)'
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
