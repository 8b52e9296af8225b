{#- Capture group `group` of the regular expression `pattern` (a Jinja string, written as
    DuckDB reads it) in `text_expr`; '' when it does not match. -#}
{% macro regex_extract(text_expr, pattern, group) -%}
    {{ return(adapter.dispatch('regex_extract', 'wandb_warehouse')(text_expr, pattern, group)) }}
{%- endmacro %}

{% macro duckdb__regex_extract(text_expr, pattern, group) -%}
    regexp_extract({{ text_expr }}, '{{ pattern }}', {{ group }})
{%- endmacro %}

{% macro default__regex_extract(text_expr, pattern, group) -%}
    regexp_extract({{ text_expr }}, '{{ pattern }}', {{ group }})
{%- endmacro %}

{#- Spark string literals treat backslash as an escape: double it to reach the regex. -#}
{% macro spark__regex_extract(text_expr, pattern, group) -%}
    regexp_extract({{ text_expr }}, '{{ pattern | replace("\\", "\\\\") }}', {{ group }})
{%- endmacro %}
