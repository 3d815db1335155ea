"""hotline"""
