{#- The JSON type name at `path`, upper case: OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT,
    DOUBLE, BOOLEAN, NULL; null if the key is missing. -#}
{% macro json_type(json_expr, path) -%}
    {{ return(adapter.dispatch('json_type', 'wandb_warehouse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}
