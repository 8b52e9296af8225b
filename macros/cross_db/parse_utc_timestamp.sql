{#- A W&B time string as a TIMESTAMPTZ. W&B writes UTC without an offset
    ("2025-09-05T01:59:42"); an explicit offset or Z is honoured. Unparsable text is null. The
    result never depends on the session time zone. -#}
{% macro parse_utc_timestamp(text_expr) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'wandb_warehouse')(text_expr)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(text_expr) -%}
    to_utc_timestamp(try_cast({{ text_expr }} as timestamp), 'UTC')
{%- endmacro %}

{% macro duckdb__parse_utc_timestamp(text_expr) -%}
    case
        when regexp_matches({{ text_expr }}, '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then try_cast({{ text_expr }} as timestamptz)
        else timezone('UTC', try_cast({{ text_expr }} as timestamp))
    end
{%- endmacro %}

{#- Spark: a string without an offset is read in the session time zone, so UTC is
    appended; the result is the same instant whatever spark.sql.session.timeZone is. -#}
{% macro spark__parse_utc_timestamp(text_expr) -%}
    case
        when {{ text_expr }} rlike '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then try_cast({{ text_expr }} as timestamp)
        else try_cast(concat({{ text_expr }}, 'Z') as timestamp)
    end
{%- endmacro %}
