{#- The JSON value at `path` (a JSONPath such as '$.config') as JSON, null if missing. -#}
{% macro json_extract(json_expr, path) -%}
    {{ return(adapter.dispatch('json_extract', 'wandb_warehouse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_extract(json_expr, path) -%}
    json_extract({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_extract(json_expr, path) -%}
    json_extract({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{#- Spark: JSON is a VARIANT (see create_raw_relations); the value at `path` stays one. -#}
{% macro spark__json_extract(json_expr, path) -%}
    variant_get({{ json_expr }}, '{{ path }}')
{%- endmacro %}
