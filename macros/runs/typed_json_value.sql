{#- The typed readings of one JSON leaf, shared by the long config and summary models:
    its text, a double (NaN/Infinity kept), an exact integer and a boolean. -#}
{% macro typed_json_value(json_value, json_type) -%}
    lower({{ json_type }}) as json_type,
    {{ json_extract_string(json_value, '$') }} as value_text,
    {{ safe_double(json_extract_string(json_value, '$')) }} as value_number,
    {{ exact_integer(json_extract_string(json_value, '$')) }} as value_integer,
    case
        when {{ json_type }} = 'BOOLEAN'
            then {{ json_extract_string(json_value, '$') }} = 'true'
    end as value_boolean
{%- endmacro %}
