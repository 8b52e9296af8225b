{#- The project's warn-severity data tests, read from dbt's graph when the model is built:
    the findings a build reports as warnings. Each stores its failing rows (store_failures)
    in the `findings` schema under its alias; `wandb-warehouse report` lists them. -#}
{%- set rules = warn_data_rules() if execute else [] -%}

with

rules as (

    {% for rule in rules %}
        select
            cast('{{ dbt.escape_single_quotes(rule.name) }}' as {{ dbt.type_string() }}) as rule_name,
            cast('{{ dbt.escape_single_quotes(rule.title) }}' as {{ dbt.type_string() }}) as rule_title,
            cast('{{ dbt.escape_single_quotes(rule.checks) }}' as {{ dbt.type_string() }}) as checks,
            cast('{{ rule.models }}' as {{ dbt.type_string() }}) as tested_models,
            {{ 'true' if rule.stores_failures else 'false' }} as stores_failures,
            cast('{{ rule.relation }}' as {{ dbt.type_string() }}) as failures_relation
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- No warn-severity test (or parse time): no rows, same columns.
        select
            cast(null as {{ dbt.type_string() }}) as rule_name,
            cast(null as {{ dbt.type_string() }}) as rule_title,
            cast(null as {{ dbt.type_string() }}) as checks,
            cast(null as {{ dbt.type_string() }}) as tested_models,
            cast(null as boolean) as stores_failures,
            cast(null as {{ dbt.type_string() }}) as failures_relation
        where false
    {% endfor %}

),

final as (

    select
        rule_name,
        rule_title,
        checks,
        tested_models,
        stores_failures,
        failures_relation

    from rules

)

select * from final
