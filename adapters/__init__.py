"""daedalus.adapters"""
