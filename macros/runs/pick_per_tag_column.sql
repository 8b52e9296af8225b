{#- The inverse of count_per_tag_column: the value, in `relation`, of the
    <column>__<suffix> column that `column_expr` (a tag column name, as in
    int_tags__catalog.tag_column) names; null for any other. -#}
{% macro pick_per_tag_column(column_expr, relation, suffix) -%}
    case {{ column_expr }}
        {%- for column in catalog_tag_columns() %}
            when '{{ column.column }}' then {{ relation }}.{{ column.column }}__{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}
