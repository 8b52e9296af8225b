with

payloads as (

    select * from {{ ref('int_runs__payloads') }}

),

final as (

    {{ payload_key_values('payloads', 'summary') }}

)

select * from final
