{#- The physical id of a row of a raw table, for incremental builds to read exactly the
    rows they found from key columns (DuckDB: `rowid`; a filter on it skips other row
    groups). Unit tests, whose inputs are CTEs without one, override it with a column. -#}
{% macro raw_row_id() -%}
    rowid
{%- endmacro %}
