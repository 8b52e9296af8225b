{#- dbt-duckdb's `comment on` a table or view, with the description on one line. -#}
{% macro duckdb__alter_relation_comment(relation, comment) %}
    {%- set escaped_comment = duckdb_escape_comment(one_line_comment(comment)) -%}
    comment on {{ relation.type }} {{ relation }} is {{ escaped_comment }};
{% endmacro %}
