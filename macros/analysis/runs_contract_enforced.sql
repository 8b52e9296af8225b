{#- marts.runs' contract lists one column per tag of the bundled tag catalog (its yml can
    list columns, not derive them from a var). It is enforced while the `tag_catalog` var
    holds those tags; with a project's own catalog the tag columns follow the var and the
    contract is not enforced (document the new tag_ columns in
    models/marts/_marts__models.yml and list the tags here to enforce it again). -#}
{% macro runs_contract_enforced() -%}
    {%- set documented = [
        '4M', '10M', '60M', '150M', '1mtx1', '1mtx10', '1mtx100', '10mtx1', '10mtx10', '100mt',
        'dclm-dolma', 'dolma-qc', 'finetune', 'dpo_tune_cache', 'hidden', 'match_10M',
        'match_60M', 'match_150M',
    ] -%}
    {{ return(var('tag_catalog') | map(attribute='tag') | list == documented) }}
{%- endmacro %}
