"""Evidence: data in, facts out. Never imports Streamlit, rules or policy."""
