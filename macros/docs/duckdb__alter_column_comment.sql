{#- dbt-duckdb's `comment on column` for each documented column the relation has, with
    each description on one line. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {%- set existing_columns = adapter.get_columns_in_relation(relation)
        | map(attribute='name') | list -%}
    {% for column_name in column_dict if column_name in existing_columns %}
        {%- set column = column_dict[column_name] -%}
        {%- set escaped_comment = duckdb_escape_comment(one_line_comment(column['description'])) -%}
        comment on column {{ relation }}.{{ adapter.quote(column_name) if column['quote'] else column_name }} is {{ escaped_comment }};
    {% endfor %}
{% endmacro %}
