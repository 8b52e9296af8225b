{#- For incremental models built by load (delete+insert on load_id): true on a full build;
    on an incremental build, true for a row whose load, at its current load_number, the
    model's table does not hold yet (an older export loaded late renumbers the loads after
    it, so those are built again). -#}
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
