{#- The JSON values at several `paths` as a list of text (see json_extract_string), in path
    order: one parse of the document for all of them, where the adapter allows. -#}
{% macro json_extract_strings(json_expr, paths) -%}
    {{ return(adapter.dispatch('json_extract_strings', 'wandb_warehouse')(json_expr, paths)) }}
{%- endmacro %}

{% macro default__json_extract_strings(json_expr, paths) -%}
    array[
        {%- for path in paths %}
        json_extract_string({{ json_expr }}, '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
    ]
{%- endmacro %}

{% macro duckdb__json_extract_strings(json_expr, paths) -%}
    json_extract_string({{ json_expr }}, [
        {%- for path in paths %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
    ])
{%- endmacro %}
