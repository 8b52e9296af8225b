{#- The list's elements joined by `separator` (an empty list gives ''). -#}
{% macro list_to_string(list_expr, separator) -%}
    {{ return(adapter.dispatch('list_to_string', 'wandb_warehouse')(list_expr, separator)) }}
{%- endmacro %}

{% macro default__list_to_string(list_expr, separator) -%}
    array_join({{ list_expr }}, '{{ separator }}')
{%- endmacro %}

{% macro duckdb__list_to_string(list_expr, separator) -%}
    array_to_string({{ list_expr }}, '{{ separator }}')
{%- endmacro %}

{% macro spark__list_to_string(list_expr, separator) -%}
    array_join({{ list_expr }}, '{{ separator }}')
{%- endmacro %}
