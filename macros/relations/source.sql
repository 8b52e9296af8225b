{#- As ref(): the source relation without its database on DuckDB, but for the raw layer,
    which is a catalog of its own there (profiles.yml attaches it as `raw`): its tables are
    named `raw.<table>`, which resolves to that catalog in a build and to the schema of
    views over its Parquet segments in a published warehouse file. -#}
{% macro source() -%}
    {%- set relation = builtins.source(*varargs, **kwargs) -%}
    {%- if target.type == 'duckdb' and relation.database == 'raw' -%}
        {{ return(relation.include(schema=false)) }}
    {%- endif -%}
    {{ return(without_database(relation)) }}
{%- endmacro %}
