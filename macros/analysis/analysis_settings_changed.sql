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
    {%- set recorded = recorded_analysis_settings(this.database) -%}
    {{ return(recorded.get(this.schema ~ '.' ~ this.identifier)
        != analysis_settings_fingerprint(part)) }}
{%- endmacro %}


{#- What meta.analysis_settings_built records in `database` (dbt's target): each
    settings-dependent table ('schema.table') and the digest of the settings it was built
    from; empty before any was recorded. -#}
{% macro recorded_analysis_settings(database) -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where database_name = "
        ~ sql_string(database) ~ " and schema_name = 'meta'"
        ~ " and table_name = 'analysis_settings_built'"
    ) -%}
    {%- set recorded = {} -%}
    {%- if found.rows[0][0] > 0 -%}
        {%- for row in run_query(
            "select relation_name, fingerprint from " ~ database ~ ".meta.analysis_settings_built"
        ).rows -%}
            {%- do recorded.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(recorded) }}
{%- endmacro %}
