{#- A text as a SQL string literal (single quotes doubled). -#}
{% macro sql_string(text) -%}
    {{- "'" ~ (text | string | replace("'", "''")) ~ "'" -}}
{%- endmacro %}
