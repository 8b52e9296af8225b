{#- On DuckDB, ref() and source() name relations without their database (schema.table),
    so the SQL a view stores does not carry the catalog name, which is the warehouse
    file's base name: a renamed copy, or the file attached under another alias, would
    fail on every view (DuckDB 1.5 keeps the qualifier; fixed upstream in
    duckdb/duckdb#25735). DuckDB resolves a view's names in its own catalog, and a build's
    connection has the warehouse as its default. Other adapters get the built-ins as
    they are. -#}
{% macro ref() -%}
    {{ return(without_database(builtins.ref(*varargs, **kwargs))) }}
{%- endmacro %}
