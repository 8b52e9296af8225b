{#- True when the model being built keeps rows that depend on the analysis settings
    (config meta `analysis_settings`: the part, see analysis_settings_fingerprint) and its
    table was built from other settings, or before they were recorded: then is_incremental()
    is false and the incremental materialization replaces the table (should_full_refresh),
    so an edit of the settings never leaves stale rows behind. DuckDB only: on Spark these
    models are rebuilt in full by every build. -#}
{% macro analysis_settings_changed() -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set part = (model.config.get('meta') or {}).get('analysis_settings') -%}
    {%- if part is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where database_name = "
        ~ sql_string(this.database) ~ " and schema_name = 'meta'"
        ~ " and table_name = 'analysis_settings_built'"
    ) -%}
    {%- if found.rows[0][0] == 0 -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set stored = run_query(
        "select fingerprint from " ~ this.database ~ ".meta.analysis_settings_built"
        ~ " where relation_name = " ~ sql_string(this.schema ~ '.' ~ this.identifier)
    ) -%}
    {{ return(stored.rows | length == 0
        or stored.rows[0][0] != analysis_settings_fingerprint(part)) }}
{%- endmacro %}
