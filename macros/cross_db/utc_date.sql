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

{#- Spark: shifted to UTC wall-clock first, so the date does not depend on the session
    time zone. -#}
{% macro spark__utc_date(timestamp_expr) -%}
    cast(to_utc_timestamp({{ timestamp_expr }}, current_timezone()) as date)
{%- endmacro %}
