{#-
  player_lookup(name): THE name key that joins prop-feed names to box-score names.
    1. accents stripped (Jokić -> jokic), then lower case
    2. hyphens become spaces ("Gilgeous-Alexander" -> "gilgeous alexander")
    3. every other character that is not a-z, 0-9 or a space is dropped
       (periods, apostrophes, commas: "C.J." -> "cj", "De'Aaron" -> "deaaron")
    4. whitespace collapsed to single spaces and trimmed
    5. one trailing generational suffix dropped: jr, sr, ii, iii, iv ("Jaren Jackson Jr." -> "jaren jackson")
  Nicknames and other spellings that normalisation cannot reconcile go in seeds/player_name_aliases.csv
  (alias_lookup -> player_lookup), applied in the intermediate models to prop and box-score names alike.
-#}
{% macro player_lookup(name) -%}
    {%- set lowered = 'lower(' ~ strip_accents(name) ~ ')' -%}
    {%- set spaced = regexp_replace_all(lowered, '-', ' ') -%}
    {%- set cleaned = regexp_replace_all(spaced, '[^a-z0-9 ]', '') -%}
    {%- set collapsed = 'trim(' ~ regexp_replace_all(cleaned, ' +', ' ') ~ ')' -%}
    trim({{ regexp_replace_all(collapsed, ' (jr|sr|ii|iii|iv)$', '') }})
{%- endmacro %}
