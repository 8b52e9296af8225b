{#- No two rows share the same values of all the listed columns (a compound key); failing
    rows are the duplicated combinations with their count. A hash of the combination is
    grouped first (one integer per row, cheaper to group than the strings); only rows
    whose hash repeats are then grouped by the columns themselves, so a hash collision
    costs time, never a false failure. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns = combination_of_columns | join(', ') %}

with

repeated_hashes as (

    select hash({{ columns }}) as combination_hash
    from {{ model }}
    group by hash({{ columns }})
    having count(*) > 1

)

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as duplicate_rows
from {{ model }}
where hash({{ columns }}) in (select repeated_hashes.combination_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1

{% endtest %}
