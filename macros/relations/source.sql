{#- As ref(): the source relation without its database on DuckDB. -#}
{% macro source() -%}
    {{ return(without_database(builtins.source(*varargs, **kwargs))) }}
{%- endmacro %}
