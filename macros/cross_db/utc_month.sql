{#- The first day of the UTC calendar month of a TIMESTAMPTZ, as a DATE. -#}
{% macro utc_month(timestamp_expr) -%}
    {{ return(adapter.dispatch('utc_month', 'wandb_warehouse')(timestamp_expr)) }}
{%- endmacro %}

{% macro default__utc_month(timestamp_expr) -%}
    cast(date_trunc('month', {{ timestamp_expr }}) as date)
{%- endmacro %}

{% macro duckdb__utc_month(timestamp_expr) -%}
    cast(date_trunc('month', timezone('UTC', {{ timestamp_expr }})) as date)
{%- endmacro %}

{% macro spark__utc_month(timestamp_expr) -%}
    cast(date_trunc('month', to_utc_timestamp({{ timestamp_expr }}, current_timezone())) as date)
{%- endmacro %}
