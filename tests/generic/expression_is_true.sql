{#- The boolean SQL `expression` holds for every row; failing rows are those where it is
    false or null. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
