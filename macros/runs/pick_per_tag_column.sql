{#- The inverse of count_per_tag_column: the value, in `relation`, of the <tag column>__<suffix> column of the tag
    that `tag_expr` names (a CASE over the catalog; null for a tag outside it). -#}
{% macro pick_per_tag_column(tag_expr, relation, suffix) -%}
    case {{ tag_expr }}
        {%- for entry in var('tag_catalog') %}
            when '{{ entry.tag }}' then {{ relation }}.{{ tag_column_name(entry.tag) }}__{{ suffix }}
        {%- endfor %}
    end
{%- endmacro %}
