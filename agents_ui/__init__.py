"""agents_ui"""
