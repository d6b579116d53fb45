"""Strings a merchant (or an attacker with a merchant's session) might type, each meant to break one layer."""

HOSTILE = [
    '<script>alert("x")</script>',
    "{{ shop.name }} {% render 'x' %}",
    "{%- comment -%} not a comment {%- endcomment -%}",
    "Quote \" and ' and ` and &amp;",
    "مصنع القطن في القاهرة",  # right-to-left
    "עבודת יד 🧵👩🏽‍🔧 emoji",
    "x" * 190,
]
