{#- For incremental models that append the runs they lack (DuckDB): placed after a FROM
    item, it renders nothing on a full build and, on an incremental build, an anti join
    that keeps the rows whose run is not in the model's table yet (an explicit anti join:
    2-3x faster at a million runs than a correlated NOT EXISTS). -#}
{% macro anti_join_runs_built(alias) -%}
    {%- if is_incremental() -%}
        anti join {{ this }} as built
            on
                {{ alias }}.entity = built.entity
                and {{ alias }}.project = built.project
                and {{ alias }}.run_id = built.run_id
    {%- endif -%}
{%- endmacro %}

{#- A filter for incremental models that append the loads they lack (DuckDB): true on a
    full build; on an incremental build, true for a row whose load (at its current
    load_number) is not in the model's table yet. -#}
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
