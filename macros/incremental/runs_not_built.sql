{#- For `replace_runs` models: placed after the FROM item `alias` (a relation of runs with
    the model's version columns, see replace_runs_version), it keeps on an incremental
    build only the runs whose keys and version the model's table does not hold: new runs,
    and runs that changed since they were built. Renders nothing on a full build. -#}
{% macro runs_not_built(alias) -%}
    {%- if is_incremental() -%}
        anti join {{ this }} as built
            on
                {{ alias }}.entity = built.entity
                and {{ alias }}.project = built.project
                and {{ alias }}.run_id = built.run_id
                {%- for column in replace_runs_version() %}
                and {{ alias }}.{{ column }} = built.{{ column }}
                {%- endfor %}
    {%- endif -%}
{%- endmacro %}
