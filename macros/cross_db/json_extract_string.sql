{#- The JSON value at `path` (a JSONPath such as '$.config') as text: strings unquoted,
    numbers exactly as written (integers past 2^63, NaN), null for a missing key or JSON null. -#}
{% macro json_extract_string(json_expr, path) -%}
    {{ return(adapter.dispatch('json_extract_string', 'wandb_warehouse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_extract_string(json_expr, path) -%}
    json_extract_string({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_extract_string(json_expr, path) -%}
    json_extract_string({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_extract_string(json_expr, path) -%}
    variant_get({{ json_expr }}, '{{ path }}', 'string')
{%- endmacro %}
