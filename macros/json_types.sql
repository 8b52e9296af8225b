{#- The JSON type names (see json_type) at several `paths`, as a list in path order: one
    parse of the document for all of them, where the adapter allows. -#}
{% macro json_types(json_expr, paths) -%}
    {{ return(adapter.dispatch('json_types', 'wandb_warehouse')(json_expr, paths)) }}
{%- endmacro %}

{% macro default__json_types(json_expr, paths) -%}
    array[
        {%- for path in paths %}
        json_type({{ json_expr }}, '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
    ]
{%- endmacro %}

{% macro duckdb__json_types(json_expr, paths) -%}
    json_type({{ json_expr }}, [
        {%- for path in paths %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
    ])
{%- endmacro %}
