{#- True when `text_expr` matches the regular expression `pattern` (a Jinja string, written
    as DuckDB reads it: backslashes are regex escapes). -#}
{% macro regex_matches(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'wandb_warehouse')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text_expr, pattern) -%}
    regexp_like({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_matches(text_expr, pattern) -%}
    regexp_matches({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{#- Spark string literals treat backslash as an escape: double it to reach the regex. -#}
{% macro spark__regex_matches(text_expr, pattern) -%}
    {{ text_expr }} rlike '{{ pattern | replace("\\", "\\\\") }}'
{%- endmacro %}
