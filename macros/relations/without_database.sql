{#- The relation without its database on DuckDB; as it is elsewhere. -#}
{% macro without_database(relation) -%}
    {%- if target.type == 'duckdb' and relation is not string -%}
        {{ return(relation.include(database=false)) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
