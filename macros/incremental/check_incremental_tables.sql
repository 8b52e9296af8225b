{#- on-run-start (DuckDB): an incremental build of a table made by an earlier version of
    the models would fail deep inside a model with a binder error (its SQL reads a column
    the old table lacks). Stop before any model runs instead, naming the table, the
    missing column and the fix. Checks nothing with --full-refresh or on Spark, where
    these models are plain tables; the hook's statement itself is a no-op `select 1`. A
    table whose analysis settings are not recorded as the current ones is skipped: the
    build replaces it anyway (analysis_settings_changed). -#}
{% macro check_incremental_tables() -%}
    {%- if execute and not flags.FULL_REFRESH and target.type == 'duckdb' -%}
        {%- set recorded = recorded_analysis_settings(target.database) -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias
            ) -%}
            {%- set part = (node.config.meta or {}).get('analysis_settings') -%}
            {%- set replaced = part is not none and recorded.get(
                node.schema ~ '.' ~ node.alias
            ) != analysis_settings_fingerprint(part) -%}
            {%- if relation is not none and not replaced -%}
                {%- set stored = adapter.get_columns_in_relation(relation)
                    | map(attribute='name') | map('lower') | list -%}
                {%- set missing = node.columns.keys() | map('lower')
                    | reject('in', stored) | list -%}
                {%- if missing -%}
                    {{ exceptions.raise_compiler_error(
                        relation ~ ' was built by an earlier version of the models (it has no column '
                        ~ missing | join(', ') ~ '): run `dbt build --full-refresh` once.'
                    ) }}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
