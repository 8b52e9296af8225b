{#- Filters for incremental models that append what they lack (DuckDB): true on a full
    build; on an incremental build, true for a row whose run (or load, at its current
    load_number) is not in the model's table yet. -#}
{% macro run_not_built_yet(alias) -%}
    {%- if is_incremental() -%}
        not exists (
            select 1
            from {{ this }} as built
            where
                built.entity = {{ alias }}.entity
                and built.project = {{ alias }}.project
                and built.run_id = {{ alias }}.run_id
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro load_not_built_yet(alias) -%}
    {%- if is_incremental() -%}
        not exists (
            select 1
            from {{ this }} as built
            where
                built.load_id = {{ alias }}.load_id
                and built.load_number = {{ alias }}.load_number
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
