{#- The window function "last non-null value of the frame" (use with `over ...`). -#}
{% macro last_value_ignore_nulls(expr) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'wandb_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expr) -%}
    last({{ expr }}, true)
{%- endmacro %}

{% macro duckdb__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }}, true)
{%- endmacro %}
