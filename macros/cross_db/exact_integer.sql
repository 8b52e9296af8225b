{#- An integer written as a JSON number or a numeric string ("29901", 15000, 15000.0,
    2887188480000000000) as an exact DECIMAL(38,0); anything else (NaN, "abc", 1.5, 1e18)
    is null, never rounded. `text_expr` is the value as text (json_extract_string). -#}
{% macro exact_integer(text_expr) -%}
    {{ return(adapter.dispatch('exact_integer', 'wandb_warehouse')(text_expr)) }}
{%- endmacro %}

{% macro default__exact_integer(text_expr) -%}
    case
        when regexp_like(trim({{ text_expr }}), '^[+-]?[0-9]{1,38}(\\.0*)?$')
            then try_cast(regexp_extract(trim({{ text_expr }}), '^[+-]?[0-9]+', 0) as decimal(38, 0))
    end
{%- endmacro %}

{% macro duckdb__exact_integer(text_expr) -%}
    case
        when regexp_full_match(trim({{ text_expr }}), '[+-]?[0-9]{1,38}(\.0*)?')
            -- via HUGEINT: as exact, and far faster than parsing text as DECIMAL
            then cast(
                cast(regexp_extract(trim({{ text_expr }}), '^[+-]?[0-9]+') as hugeint)
                as decimal(38, 0)
            )
    end
{%- endmacro %}

{% macro spark__exact_integer(text_expr) -%}
    case
        when trim({{ text_expr }}) rlike '^[+-]?[0-9]{1,38}([.]0*)?$'
            then try_cast(regexp_extract(trim({{ text_expr }}), '^[+-]?[0-9]+', 0) as decimal(38, 0))
    end
{%- endmacro %}
