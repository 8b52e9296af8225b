{#- As ref(): the source relation without its database on DuckDB, but for the raw layer,
    which is a catalog of its own there (profiles.yml attaches it as `raw`): its tables are
    named `raw.<table>`, which resolves to that catalog's views in a build and to the
    schema of views over its Parquet segments in a published warehouse file; its live
    tables, read only by incremental builds, keep their schema (`raw.live.<table>`). -#}
{% macro source() -%}
    {%- set relation = builtins.source(*varargs, **kwargs) -%}
    {%- if target.type == 'duckdb' and relation.database == 'raw' -%}
        {{ return(relation.include(schema=relation.schema != 'main')) }}
    {%- endif -%}
    {{ return(without_database(relation)) }}
{%- endmacro %}
