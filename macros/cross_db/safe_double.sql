{#- A finite DOUBLE from text (a JSON number or numeric string); NaN, Infinity, non-numeric
    text and null give null. -#}
{% macro safe_double(text_expr) -%}
    {{ return(adapter.dispatch('safe_double', 'wandb_warehouse')(text_expr)) }}
{%- endmacro %}

{% macro default__safe_double(text_expr) -%}
    case
        when not isnan(try_cast({{ text_expr }} as double))
            and abs(try_cast({{ text_expr }} as double)) < double('Infinity')
            then try_cast({{ text_expr }} as double)
    end
{%- endmacro %}

{% macro duckdb__safe_double(text_expr) -%}
    case
        when isfinite(try_cast({{ text_expr }} as double))
            then try_cast({{ text_expr }} as double)
    end
{%- endmacro %}

{% macro spark__safe_double(text_expr) -%}
    case
        when not isnan(try_cast({{ text_expr }} as double))
            and abs(try_cast({{ text_expr }} as double)) != double('Infinity')
            then try_cast({{ text_expr }} as double)
    end
{%- endmacro %}
