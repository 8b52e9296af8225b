{#- True when the list holds the value; never null (a null list holds nothing). -#}
{% macro list_contains(list_expr, value_expr) -%}
    {{ return(adapter.dispatch('list_contains', 'wandb_warehouse')(list_expr, value_expr)) }}
{%- endmacro %}

{% macro default__list_contains(list_expr, value_expr) -%}
    coalesce(array_contains({{ list_expr }}, {{ value_expr }}), false)
{%- endmacro %}

{% macro duckdb__list_contains(list_expr, value_expr) -%}
    coalesce(list_contains({{ list_expr }}, {{ value_expr }}), false)
{%- endmacro %}

{% macro spark__list_contains(list_expr, value_expr) -%}
    coalesce(array_contains({{ list_expr }}, {{ value_expr }}), false)
{%- endmacro %}
