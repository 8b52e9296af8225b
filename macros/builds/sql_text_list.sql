{#- Names as one SQL text literal, comma-separated (null when there are none). -#}
{% macro sql_text_list(names) -%}
    {{ return("'" ~ (names | join(', ') | replace("'", "''")) ~ "'" if names else 'null') }}
{%- endmacro %}
