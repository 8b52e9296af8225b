{#- Post-hook of the models whose stored rows depend on the analysis settings: records
    the digest of the settings the table was just built from (meta.analysis_settings_built),
    which analysis_settings_changed compares on the next build. -#}
{% macro record_analysis_settings() -%}
    {%- set part = (model.config.get('meta') or {}).get('analysis_settings') -%}
    {%- if target.type != 'duckdb' or part is none -%}
        select 1
    {%- else -%}
        create schema if not exists {{ this.database }}.meta;
        create table if not exists {{ this.database }}.meta.analysis_settings_built (
            relation_name varchar primary key,
            settings_part varchar not null,
            fingerprint varchar not null,
            built_at timestamptz not null
        );
        insert or replace into {{ this.database }}.meta.analysis_settings_built
        values (
            {{ sql_string(this.schema ~ '.' ~ this.identifier) }},
            {{ sql_string(part) }},
            {{ sql_string(analysis_settings_fingerprint(part)) }},
            now()
        )
    {%- endif -%}
{%- endmacro %}
