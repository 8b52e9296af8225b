{#- On Spark a view is a table: a Spark view is evaluated again by every query that reads
    it, JSON parsing included, where DuckDB's views over its tables are cheap. -#}
{% materialization view, adapter='spark' -%}
    {{ return(materialization_table_spark()) }}
{%- endmaterialization %}
