{#- Seconds (DOUBLE, fractional) from one TIMESTAMPTZ to a later one. -#}
{% macro seconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('seconds_between', 'wandb_warehouse')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expr, end_expr) -%}
    (unix_micros({{ end_expr }}) - unix_micros({{ start_expr }})) / 1000000.0
{%- endmacro %}

{% macro duckdb__seconds_between(start_expr, end_expr) -%}
    (epoch({{ end_expr }}) - epoch({{ start_expr }}))
{%- endmacro %}

{#- Spark: microsecond difference as DOUBLE (a decimal divisor would make it DECIMAL). -#}
{% macro spark__seconds_between(start_expr, end_expr) -%}
    cast(unix_micros({{ end_expr }}) - unix_micros({{ start_expr }}) as double) / 1000000
{%- endmacro %}
