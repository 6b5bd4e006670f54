"""Lianxin (连心): deputies of people's congresses, connected to the people who elected them."""
