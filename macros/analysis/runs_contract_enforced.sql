{#- marts.runs' contract lists one column per tag of the bundled tag catalog (its yml can
    list columns, not derive them from a var). It is enforced while every project's catalog
    maps to exactly those columns (none is then null); with other catalogs the tag
    columns follow the settings and the contract is not enforced (document the new tag_
    columns in models/marts/_marts__models.yml and list them here to enforce it again). -#}
{% macro runs_contract_enforced() -%}
    {%- set documented = [
        'tag_4m', 'tag_10m', 'tag_60m', 'tag_150m', 'tag_1mtx1', 'tag_1mtx10', 'tag_1mtx100',
        'tag_10mtx1', 'tag_10mtx10', 'tag_100mt', 'tag_dclm_dolma', 'tag_dolma_qc',
        'tag_finetune', 'tag_dpo_tune_cache', 'tag_hidden', 'tag_match_10m', 'tag_match_60m',
        'tag_match_150m',
    ] -%}
    {%- set enforced = [true] -%}
    {%- for settings in analysis_settings()['scopes'].values() -%}
        {%- if settings['tag_catalog'] | map(attribute='column') | list != documented -%}
            {%- do enforced.append(false) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(enforced | last) }}
{%- endmacro %}
