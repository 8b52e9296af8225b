{#- Within each group of `group_by_columns`, the column (a share) sums to 1 up to
    `tolerance`; failing rows are the groups whose shares do not. -#}
{% test sums_to_one(model, column_name, group_by_columns, tolerance=0.000001) %}

select
    {{ group_by_columns | join(',\n    ') }},
    sum({{ column_name }}) as total_share
from {{ model }}
group by {{ group_by_columns | join(', ') }}
having abs(sum({{ column_name }}) - 1) > {{ tolerance }}

{% endtest %}
