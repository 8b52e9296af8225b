{#- The UTC calendar date of a TIMESTAMPTZ. -#}
{% macro utc_date(timestamp_expr) -%}
    {{ return(adapter.dispatch('utc_date', 'wandb_warehouse')(timestamp_expr)) }}
{%- endmacro %}

{% macro default__utc_date(timestamp_expr) -%}
    cast({{ timestamp_expr }} as date)
{%- endmacro %}

{% macro duckdb__utc_date(timestamp_expr) -%}
    cast(timezone('UTC', {{ timestamp_expr }}) as date)
{%- endmacro %}
